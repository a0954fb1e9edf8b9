import type { Turn } from "../contact/contact.ts";
import type { SparseVector } from "../classify/linear-model.ts";
import { termCounts, type FeatureSettings } from "../text/features.ts";

/**
 * Features of a repeat chain for the root-cause model, built so that a chain's scores are a sum
 * over its contacts: each contact is read once, at ingest, into a sparse vector; a chain is
 *   [Σ failed contacts, prefixed "f|"] ⊕ [the repeat contact, prefixed "r|"].
 * The vector blocks are index ranges of one feature space: block b holds term i at b·V + i.
 */

/** Who said it matters ("I'm not allowed" from an agent, "I couldn't do it in the app" from a customer). */
export const SPEAKER_PREFIX: Readonly<Record<Turn["speaker"], string>> = { agent: "a:", customer: "c:", system: "s:" };

/** Sentence ends in the six languages (Latin, CJK and Arabic punctuation) and line breaks. */
const SENTENCE_END = /(?<=[.!?。！？؟])\s*|\n+/u;

/** The sentences of a turn, trimmed, empty ones dropped. */
export function sentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Adds the speaker-prefixed term counts of one piece of text to `into`. */
function addTerms(into: Map<string, number>, speaker: Turn["speaker"], text: string, language: string, settings: FeatureSettings): void {
  const prefix = SPEAKER_PREFIX[speaker];
  for (const [term, count] of termCounts(text, language, settings)) {
    const key = prefix + term;
    into.set(key, (into.get(key) ?? 0) + count);
  }
}

export interface SentenceTerms {
  speaker: Turn["speaker"];
  text: string;
  counts: Map<string, number>;
}

/**
 * Term counts of each sentence of a contact, speaker-prefixed. Sentences, not turns, are the unit:
 * word n-grams never run across a sentence end, and evidence is quoted sentence by sentence.
 */
export function sentenceTerms(turns: readonly Pick<Turn, "speaker" | "text">[], language: string, settings: FeatureSettings): SentenceTerms[] {
  const out: SentenceTerms[] = [];
  for (const turn of turns) {
    for (const text of sentences(turn.text)) {
      const counts = new Map<string, number>();
      addTerms(counts, turn.speaker, text, language, settings);
      if (counts.size > 0) out.push({ speaker: turn.speaker, text, counts });
    }
  }
  return out;
}

/** The speaker-prefixed term counts of a whole contact: the sum over its sentences. */
export function contactTermCounts(parts: readonly SentenceTerms[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { counts: c } of parts) for (const [term, n] of c) counts.set(term, (counts.get(term) ?? 0) + n);
  return counts;
}

export interface Vocabulary {
  terms: string[];
  /** Smoothed inverse document frequency over training contacts, float32-rounded. */
  idf: Float64Array;
}

/**
 * Terms seen in at least `minDocumentFrequency` training contacts (the rest is noise on a few
 * hundred chains and only bloats the artifact), sorted, with their idf.
 */
export function buildVocabulary(contacts: readonly Map<string, number>[], minDocumentFrequency: number): Vocabulary {
  const df = new Map<string, number>();
  for (const counts of contacts) for (const term of counts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const kept = [...df.entries()].filter(([, n]) => n >= minDocumentFrequency).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const N = contacts.length;
  return {
    terms: kept.map(([t]) => t),
    idf: Float64Array.from(kept, ([, n]) => Math.fround(Math.log((1 + N) / (1 + n)) + 1)),
  };
}

/** Sums sparse vectors, each shifted to its block (block·size + index). Indices come out sorted. */
export function concatBlocks(parts: readonly { vector: SparseVector; block: number }[], size: number): SparseVector {
  const sum = new Map<number, number>();
  for (const { vector, block } of parts) {
    const offset = block * size;
    for (let j = 0; j < vector.indices.length; j++) {
      const i = offset + vector.indices[j]!;
      sum.set(i, (sum.get(i) ?? 0) + vector.values[j]!);
    }
  }
  const indices = [...sum.keys()].sort((a, b) => a - b);
  return { indices: Int32Array.from(indices), values: Float64Array.from(indices, (i) => sum.get(i)!) };
}
