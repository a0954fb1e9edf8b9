import type { FeatureSettings } from "./features.ts";
import { cueConcepts } from "./cue-matcher.ts";
import { normaliseText } from "./normalise.ts";
import { stem, wordsOfNormalised } from "./tokenize.ts";

/**
 * Terms as numbers. The reason classifier never builds a string per character n-gram: it hashes
 * the n-grams as it walks the characters, which makes feature extraction several times faster
 * and a model file a list of numbers instead of 100,000s of strings to parse and index on load.
 *
 * A key is a 53-bit integer (exact in a double): 20 bits of one 32-bit hash, 32 bits of a second,
 * independent one, and the feature block in the lowest bit. Two terms share a key with
 * probability ~2^-52 a pair: among the millions of distinct terms of a training set, never in
 * practice (and a shared key would only merge two rare features).
 */
export const WORD_BLOCK = 0;
export const CHAR_BLOCK = 1;

export const blockOfKey = (key: number): number => key % 2;

const OFFSET_1 = 0x811c9dc5; // FNV-1a offset basis
const OFFSET_2 = 0x9747b28c;
const PRIME_1 = 0x01000193; // FNV prime
const PRIME_2 = 0x5bd1e995; // MurmurHash2's multiplier
const SEPARATOR = 0; // between the words of an n-gram: no character of a word can be it
const SPACE = 32;

/** MurmurHash3's finaliser: spreads FNV's weak low bits, which pick hash-table slots. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const keyOf = (h1: number, h2: number, block: number) => (mix(h2) & 0xfffff) * 0x200000000 + mix(h1) * 2 + block;

const CONCEPT = 1; // the first character of a concept's hash: no word starts with U+0001

/** The key of a cue concept: a word-block term no text's words can produce. */
export function conceptKey(concept: string): number {
  let h1 = Math.imul(OFFSET_1 ^ CONCEPT, PRIME_1);
  let h2 = Math.imul(OFFSET_2 ^ CONCEPT, PRIME_2);
  for (let c = 0; c < concept.length; c++) {
    h1 = Math.imul(h1 ^ concept.charCodeAt(c), PRIME_1);
    h2 = Math.imul(h2 ^ concept.charCodeAt(c), PRIME_2);
  }
  return keyOf(h1, h2, WORD_BLOCK);
}

/**
 * A key in another namespace (the root-cause model's "said by the agent" terms): the same term
 * under another salt is another, independent key. For one salt the map is one-to-one (MurmurHash3's
 * finaliser is a bijection of 32-bit words), so salting never merges two terms.
 */
export function saltedKey(key: number, salt: number): number {
  const block = key % 2;
  const low = Math.floor(key / 2) % 0x100000000;
  const high = Math.floor(key / 0x200000000);
  return ((high ^ (salt & 0xfffff)) >>> 0) * 0x200000000 + mix((low ^ salt) >>> 0) * 2 + block;
}

export type TermVisitor = (key: number) => void;

/**
 * Visits the key of every term of a text, as `termCounts` defines terms: word 1..n-grams
 * (stemmed where a stemmer exists) and character n-grams of each word padded with a space.
 * Character n-grams are over UTF-16 units: an astral character counts as two, which only
 * shifts which n-grams exist, the same way at training and at inference.
 */
export function visitTermKeys(text: string, language: string | undefined, settings: FeatureSettings, visit: TermVisitor): void {
  const normalised = normaliseText(text);
  const tokens = wordsOfNormalised(normalised);
  if (settings.cues) for (const concept of cueConcepts(normalised, language)) visit(conceptKey(concept));
  const stems = settings.stemming ? tokens.map((w) => stem(w, language)) : tokens;
  for (let i = 0; i < stems.length; i++) {
    // The n-gram of words i..i+n-1 for each n, its hash carried from the (n-1)-gram.
    let h1 = OFFSET_1 ^ WORD_BLOCK;
    let h2 = OFFSET_2;
    for (let n = 1; n <= settings.wordNgrams && i + n <= stems.length; n++) {
      if (n > 1) {
        h1 = Math.imul(h1 ^ SEPARATOR, PRIME_1);
        h2 = Math.imul(h2 ^ SEPARATOR, PRIME_2);
      }
      const word = stems[i + n - 1]!;
      for (let c = 0; c < word.length; c++) {
        const code = word.charCodeAt(c);
        h1 = Math.imul(h1 ^ code, PRIME_1);
        h2 = Math.imul(h2 ^ code, PRIME_2);
      }
      visit(keyOf(Math.imul(h1 ^ n, PRIME_1), h2, WORD_BLOCK));
    }
  }
  const { charNgramMin: min, charNgramMax: max } = settings;
  for (const token of tokens) {
    const length = token.length + 2;
    for (let start = 0; start < length; start++) {
      let h1 = OFFSET_1 ^ CHAR_BLOCK;
      let h2 = OFFSET_2 ^ CHAR_BLOCK;
      for (let n = 1; n <= max && start + n <= length; n++) {
        const at = start + n - 1;
        const code = at === 0 || at === length - 1 ? SPACE : token.charCodeAt(at - 1);
        h1 = Math.imul(h1 ^ code, PRIME_1);
        h2 = Math.imul(h2 ^ code, PRIME_2);
        if (n >= min) visit(keyOf(h1, h2, CHAR_BLOCK));
      }
    }
  }
}

/** How often each term key occurs in a text: the training side of `visitTermKeys`. */
export function termKeyCounts(text: string, language: string | undefined, settings: FeatureSettings): Map<number, number> {
  const counts = new Map<number, number>();
  visitTermKeys(text, language, settings, (key) => counts.set(key, (counts.get(key) ?? 0) + 1));
  return counts;
}
