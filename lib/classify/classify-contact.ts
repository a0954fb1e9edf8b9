import type { Turn } from "../contact/contact.ts";
import type { Classifier, ScoredLabel } from "./classifier.ts";

/** The first customer turns carry the reason; later ones drift into details and small talk. */
const MAX_CUSTOMER_TURNS = 6;
const MAX_WORDS = 160;
const UNKNOWN = "other";

export interface ReasonResult {
  reason: string;
  confidence: number;
  top: ScoredLabel[];
  /** The customer turn that pushed hardest towards the reason (index into turns), if any. */
  evidenceTurn?: number;
}

/** The customer's opening words, the part of a transcript the reason is classified from. */
export function customerOpening(turns: readonly Turn[]): { text: string; turnIndexes: number[] } {
  const parts: string[] = [];
  const turnIndexes: number[] = [];
  let words = 0;
  for (const [i, turn] of turns.entries()) {
    if (turn.speaker !== "customer" || !turn.text.trim()) continue;
    parts.push(turn.text);
    turnIndexes.push(i);
    words += turn.text.split(/\s+/).length;
    if (parts.length >= MAX_CUSTOMER_TURNS || words >= MAX_WORDS) break;
  }
  return { text: parts.join("\n"), turnIndexes };
}

/**
 * Classifies a contact's reason from the customer's words. A contact without any (an abandoned
 * call, a silent voicemail) gets "other" with confidence 0: nothing is known, and it says so.
 */
export function classifyReason(classifier: Classifier, turns: readonly Turn[], language: string): ReasonResult {
  const { text, turnIndexes } = customerOpening(turns);
  if (!text) return { reason: classifier.labels.includes(UNKNOWN) ? UNKNOWN : classifier.labels[0]!, confidence: 0, top: [] };
  const prediction = classifier.predict(text, language);
  let evidenceTurn: number | undefined;
  let best = -Infinity;
  if (turnIndexes.length > 1) {
    for (const i of turnIndexes) {
      const score = classifier.scoreFor(turns[i]!.text, prediction.label, language);
      if (score > best) {
        best = score;
        evidenceTurn = i;
      }
    }
  } else {
    evidenceTurn = turnIndexes[0];
  }
  return {
    reason: prediction.label,
    confidence: prediction.confidence,
    top: prediction.top,
    ...(evidenceTurn !== undefined ? { evidenceTurn } : {}),
  };
}
