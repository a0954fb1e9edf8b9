import porterEn from "natural/lib/natural/stemmers/porter_stemmer.js";
import porterNl from "natural/lib/natural/stemmers/porter_stemmer_nl.js";
import { normaliseText } from "./normalise.ts";

const segmenter = new Intl.Segmenter("und", { granularity: "word" });
/** Scripts written without spaces between words: only these need a dictionary-based segmenter. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * Words of a text after normalisation. Intl.Segmenter (ICU's dictionaries) splits Chinese,
 * Japanese and Thai words; text in space-separated scripts — Latin, Arabic, Persian, Hangul —
 * takes a regular expression, which gives the same words about five times faster.
 */
export function words(text: string): string[] {
  return wordsOfNormalised(normaliseText(text));
}

/** `words` of a text that is already normalised (callers that also need the normalised text). */
export function wordsOfNormalised(normalised: string): string[] {
  if (!UNSPACED_SCRIPT.test(normalised)) return (normalised.match(WORD) ?? []).map(capped);
  const out: string[] = [];
  for (const segment of segmenter.segment(normalised)) {
    if (segment.isWordLike) out.push(capped(segment.segment));
  }
  return out;
}

/**
 * No real word is longer than this; a 100,000-letter "word" (garbage, or an attack) would cost
 * the stemmer quadratic time. Longer tokens are cut: they still count as one odd token.
 */
const MAX_WORD_LENGTH = 64;
const capped = (word: string) => (word.length > MAX_WORD_LENGTH ? word.slice(0, MAX_WORD_LENGTH) : word);

type Stemmer = { stem(word: string): string };
const STEMMERS: Record<string, Stemmer> = { en: porterEn as Stemmer, nl: porterNl as Stemmer };
const LATIN_WORD = /^\p{Script=Latin}+$/u;
/** Per language, word → stem: stemming is the costliest step of tokenising Latin text. */
const stemCaches = new Map<string, Map<string, string>>();
const STEM_CACHE_LIMIT = 100_000;

/** Stems where `natural` has a stemmer for the language; other languages keep their words. */
export function stem(word: string, language: string | undefined): string {
  const lang = language?.slice(0, 2);
  const stemmer = lang ? STEMMERS[lang] : undefined;
  if (!stemmer) return word;
  let cache = stemCaches.get(lang!);
  if (!cache) stemCaches.set(lang!, (cache = new Map()));
  let stemmed = cache.get(word);
  if (stemmed === undefined) {
    stemmed = LATIN_WORD.test(word) ? stemmer.stem(word) : word;
    if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
    cache.set(word, stemmed);
  }
  return stemmed;
}
