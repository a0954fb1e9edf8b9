import porterEn from "natural/lib/natural/stemmers/porter_stemmer.js";
import porterNl from "natural/lib/natural/stemmers/porter_stemmer_nl.js";
import { normaliseText } from "./normalise.ts";

const segmenter = new Intl.Segmenter("und", { granularity: "word" });

/** Words of a text after normalisation: Intl.Segmenter splits Chinese, Korean and Thai words too. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const segment of segmenter.segment(normaliseText(text))) {
    if (segment.isWordLike) out.push(segment.segment);
  }
  return out;
}

type Stemmer = { stem(word: string): string };
const STEMMERS: Record<string, Stemmer> = { en: porterEn as Stemmer, nl: porterNl as Stemmer };

/** Stems where `natural` has a stemmer for the language; other languages keep their words. */
export function stem(word: string, language: string | undefined): string {
  const stemmer = language ? STEMMERS[language.slice(0, 2)] : undefined;
  if (!stemmer || !/^\p{Script=Latin}+$/u.test(word)) return word;
  return stemmer.stem(word);
}
