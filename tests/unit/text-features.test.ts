import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HashedVectoriser, TermIndex } from "../../lib/classify/hashed-vectoriser.ts";
import { DEFAULT_FEATURE_SETTINGS, termCounts } from "../../lib/text/features.ts";
import { cueConcepts } from "../../lib/text/cue-matcher.ts";
import { normaliseText } from "../../lib/text/normalise.ts";
import { blockOfKey, CHAR_BLOCK, conceptKey, saltedKey, termKeyCounts, WORD_BLOCK } from "../../lib/text/term-keys.ts";
import { stem, words } from "../../lib/text/tokenize.ts";

describe("tokenisation per script", () => {
  it("Arabic: diacritics, tatweel and alef/yeh/kaf variants fold; Arabic-Indic digits become ASCII", () => {
    expect(words("مُحَمَّد يريد إلغاء الاشتراك ١٢٣")).toEqual(["محمد", "یرید", "الغاء", "الاشتراک", "123"]);
    // The same words typed with other letter forms and a tatweel are the same tokens.
    expect(words("محـــمد يريد الغاء الاشتراك 123")).toEqual(words("مُحَمَّد يريد إلغاء الاشتراك ١٢٣"));
  });

  it("Persian: Arabic kaf/yeh fold to Persian letters, the zero-width non-joiner splits, Persian digits become ASCII", () => {
    expect(words("مي‌خواهم كارت بانكي را مسدود كنم ۱۲۳")).toEqual(["می", "خواهم", "کارت", "بانکی", "را", "مسدود", "کنم", "123"]);
  });

  it("Chinese: words from the dictionary segmenter, punctuation dropped", () => {
    const tokens = words("我的快递什么时候到？");
    expect(tokens.join("")).toBe("我的快递什么时候到");
    expect(tokens.length).toBeGreaterThan(2);
    expect(tokens).not.toContain("？");
  });

  it("Hangul: space-separated eojeol, particles kept on the word", () => {
    expect(words("카드를 분실했어요, 빨리 정지해 주세요!")).toEqual(["카드를", "분실했어요", "빨리", "정지해", "주세요"]);
  });

  it("Latin with diacritics and full-width forms: case-folded, accents kept, NFKC applied", () => {
    expect(words("Ik wil mijn abonnement OPZEGGEN, café naïve ÉCOLE")).toEqual(["ik", "wil", "mijn", "abonnement", "opzeggen", "café", "naïve", "école"]);
    expect(words("ＡＢＣ full-width １２３")).toEqual(["abc", "full", "width", "123"]);
  });

  it("stems English and Dutch with natural's Porter stemmers, other languages untouched", () => {
    expect(stem("cancelled", "en")).toBe("cancel");
    expect(stem("abonnementen", "nl")).toBe("abonnement");
    expect(stem("cancelled", "ko")).toBe("cancelled");
    expect(stem("카드를", "ko")).toBe("카드를");
  });

  it("cuts absurdly long tokens so a garbage 'word' cannot cost quadratic time", () => {
    expect(words("a".repeat(100_000))[0]!.length).toBe(64);
  });
});

describe("hashed term keys", () => {
  // Cue concepts are terms only the hashed path has (tested below).
  const settings = { ...DEFAULT_FEATURE_SETTINGS, cues: false };

  it("are the string terms one for one: same number of distinct terms and same counts", () => {
    // Outside the Basic Multilingual Plane keys count UTF-16 units, strings code points (documented).
    // (NFKC can map a BMP character to an astral one, e.g. U+FA6C → U+242EE: filter after it.)
    const bmpText = fc.string({ unit: "grapheme", maxLength: 80 }).filter((s) => !/[\uD800-\uDFFF]/.test(normaliseText(s)));
    fc.assert(
      fc.property(bmpText, fc.constantFrom("en", "nl", "ar", "fa", "ko", "zh"), (text, lang) => {
        const strings = termCounts(text, lang, settings);
        const keys = termKeyCounts(text, lang, settings);
        expect(keys.size).toBe(strings.size);
        expect([...keys.values()].sort()).toEqual([...strings.values()].sort());
      }),
      { numRuns: 300 },
    );
  });

  it("salted into another namespace: one-to-one per salt, block kept, another salt another key", () => {
    const keys = [...termKeyCounts("the agent said I can't do that from here, 안 돼요 不能", "en", settings).keys()];
    for (const salt of [0x61c88647, 0x3c6ef372]) {
      const salted = keys.map((k) => saltedKey(k, salt));
      expect(new Set(salted).size).toBe(keys.length);
      salted.forEach((s, i) => {
        expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
        expect(blockOfKey(s)).toBe(blockOfKey(keys[i]!));
        expect(s).not.toBe(keys[i]);
        expect(s).not.toBe(saltedKey(keys[i]!, salt ^ 1));
      });
    }
  });

  it("carry their block: words and character n-grams are told apart", () => {
    const keys = [...termKeyCounts("refund please", "en", settings).keys()];
    const strings = [...termCounts("refund please", "en", settings).keys()];
    expect(keys.filter((k) => blockOfKey(k) === WORD_BLOCK).length).toBe(strings.filter((s) => s.startsWith("w")).length);
    expect(keys.filter((k) => blockOfKey(k) === CHAR_BLOCK).length).toBe(strings.filter((s) => s.startsWith("c:")).length);
  });

  it("are safe integers, so a float64 array stores them exactly", () => {
    for (const key of termKeyCounts("Where is my parcel? 我的快递 카드를 كارت", "en", settings).keys()) expect(Number.isSafeInteger(key)).toBe(true);
  });
});

describe("cross-language cue concepts", () => {
  it("fire on the same concept in every language, Latin phrases only at the start of a word", () => {
    const cancel = (text: string, lang: string) => cueConcepts(normaliseText(text), lang).includes("cancel");
    expect(cancel("I want to cancel my contract", "en")).toBe(true);
    expect(cancel("Ik wil mijn abonnement opzeggen", "nl")).toBe(true);
    expect(cancel("أريد إلغاء الاشتراك", "ar")).toBe(true);
    expect(cancel("می‌خواهم اشتراکم را لغو کنم", "fa")).toBe(true);
    expect(cancel("구독을 해지하고 싶어요", "ko")).toBe(true);
    expect(cancel("我想取消订阅", "zh")).toBe(true);
    expect(cancel("the weather is nice today", "en")).toBe(false);
  });

  it("become one word-block term each, which the string terms do not have", () => {
    const settings = DEFAULT_FEATURE_SETTINGS;
    const withCues = termKeyCounts("I want to cancel my contract", "en", settings);
    const without = termKeyCounts("I want to cancel my contract", "en", { ...settings, cues: false });
    const added = [...withCues.keys()].filter((k) => !without.has(k));
    expect(added).toContain(conceptKey("cancel"));
    for (const key of added) expect(blockOfKey(key)).toBe(WORD_BLOCK);
  });
});

describe("the hashed vectoriser", () => {
  const settings = DEFAULT_FEATURE_SETTINGS;
  const vocabulary = [...new Set([...termKeyCounts("my card was stolen", "en", settings).keys(), ...termKeyCounts("where is my parcel", "en", settings).keys()])].sort((a, b) => a - b);
  const index = new TermIndex(Float64Array.from(vocabulary));

  it("finds every vocabulary key and no other", () => {
    vocabulary.forEach((key, i) => expect(index.indexOf(key)).toBe(i));
    for (const key of termKeyCounts("refund of a cancelled order", "en", settings).keys()) {
      if (!vocabulary.includes(key)) expect(index.indexOf(key)).toBe(-1);
    }
  });

  it("normalises the word and the character block separately, each to its weight", () => {
    const idf = new Float64Array(vocabulary.length).fill(1);
    const vectoriser = new HashedVectoriser(index, idf, settings, [2, 1]);
    const x = vectoriser.vectorise("my card was stolen, stolen!", "en");
    const norm = (block: number) => Math.sqrt(Array.from(x.indices).reduce((s, i, j) => (blockOfKey(vocabulary[i]!) === block ? s + x.values[j]! ** 2 : s), 0));
    expect(norm(WORD_BLOCK)).toBeCloseTo(2, 10);
    expect(norm(CHAR_BLOCK)).toBeCloseTo(1, 10);
    // And the same vector from counts made beforehand (the training path).
    const fromCounts = vectoriser.fromKeyCounts(termKeyCounts("my card was stolen, stolen!", "en", settings));
    const asMap = (v: typeof x) => new Map(Array.from(v.indices, (i, j) => [i, v.values[j]]));
    expect(asMap(fromCounts)).toEqual(asMap(x));
  });

  it("gives the zero vector for a text with no known term", () => {
    const vectoriser = new HashedVectoriser(index, new Float64Array(vocabulary.length).fill(1), settings, [1, 1]);
    expect(vectoriser.vectorise("ÿÿÿ", "en").indices.length).toBe(0);
  });
});
