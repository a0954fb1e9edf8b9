import { z } from "zod";
import { stem, words } from "./tokenize.ts";

/** Feature settings are part of a model artifact: a model is always read with its own settings. */
export const FeatureSettingsSchema = z.object({
  wordNgrams: z.number().int().min(1).max(3),
  charNgramMin: z.number().int().min(1).max(6),
  charNgramMax: z.number().int().min(1).max(8),
  stemming: z.boolean(),
  /** Cross-language cue concepts (lib/text/reason-cues.ts) as extra word-block terms. */
  cues: z.boolean().optional(),
  /**
   * The lexicon the cues were matched with (CUE_LEXICON_VERSION when trained): a model trained on
   * other phrases would read texts differently, so loading it with another lexicon is an error.
   */
  cueLexicon: z.string().optional(),
});
export type FeatureSettings = z.infer<typeof FeatureSettingsSchema>;

export const DEFAULT_FEATURE_SETTINGS: FeatureSettings = {
  wordNgrams: 2,
  charNgramMin: 2,
  charNgramMax: 5,
  stemming: true,
  cues: true,
};

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Term counts of a text: word n-grams (stemmed where a stemmer exists) and character n-grams
 * inside word boundaries, which carry morphology for Arabic/Persian/Korean and typos in chat.
 */
export function termCounts(text: string, language: string | undefined, settings: FeatureSettings): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string) => counts.set(term, (counts.get(term) ?? 0) + 1);
  const tokens = words(text);
  const stems = settings.stemming ? tokens.map((w) => stem(w, language)) : tokens;
  for (let n = 1; n <= settings.wordNgrams; n++) {
    for (let i = 0; i + n <= stems.length; i++) add(`w${n}:${stems.slice(i, i + n).join(" ")}`);
  }
  const { charNgramMin: min, charNgramMax: max } = settings;
  for (const token of tokens) {
    const padded = ` ${token} `;
    if (!SURROGATE.test(padded)) {
      // The common case: one UTF-16 unit per character, so substrings are character n-grams.
      for (let n = min; n <= max && n <= padded.length; n++) {
        for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.substring(i, i + n)}`);
      }
      continue;
    }
    const chars = Array.from(padded);
    for (let n = min; n <= max && n <= chars.length; n++) {
      for (let i = 0; i + n <= chars.length; i++) add(`c:${chars.slice(i, i + n).join("")}`);
    }
  }
  return counts;
}
