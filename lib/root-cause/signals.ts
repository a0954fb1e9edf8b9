import type { Turn } from "../contact/contact.ts";
import { ROOT_CAUSES, type RootCause, type RootCauseSignals } from "../contact/contact-record.ts";
import { normaliseText } from "../text/normalise.ts";
import { redact } from "../text/redact.ts";
import { cuesFor } from "./cues.ts";

const SENTENCE_END = /(?<=[.!?。！？؟])\s*|\n+/u;
const MAX_EVIDENCE = 8;
const MAX_QUOTE = 300;

/** Who said it matters: an agent's "I'm not allowed" is stronger evidence than a customer's. */
const SPEAKER_WEIGHT: Record<Turn["speaker"], number> = { agent: 1.0, customer: 0.8, system: 0.3 };

/**
 * Reads one transcript once, at ingest, for root-cause cues: a score per cause and the sentences
 * that carry them (redacted). Chains are later attributed from these signals alone, so the
 * transcript is never stored outside S3 nor read again.
 */
export function rootCauseSignals(turns: readonly Turn[], language: string): RootCauseSignals {
  const table = cuesFor(language);
  const scores = Object.fromEntries(ROOT_CAUSES.map((c) => [c, 0])) as Record<RootCause, number>;
  const evidence: RootCauseSignals["evidence"] = [];
  for (const turn of turns) {
    for (const sentence of turn.text.split(SENTENCE_END)) {
      const trimmed = sentence.trim();
      if (!trimmed) continue;
      const normalised = normaliseText(trimmed);
      for (const { cause, cues } of table) {
        const hits = cues.filter((cue) => normalised.includes(cue)).length;
        if (hits === 0) continue;
        scores[cause] += SPEAKER_WEIGHT[turn.speaker] * Math.min(hits, 2);
        if (evidence.length < MAX_EVIDENCE) {
          evidence.push({ cause, speaker: turn.speaker, text: redact(trimmed).slice(0, MAX_QUOTE) });
        }
      }
    }
  }
  return { scores, evidence };
}
