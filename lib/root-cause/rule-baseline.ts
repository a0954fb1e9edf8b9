import type { ChainAttribution, RootCause, RootCauseSignals } from "../contact/contact-record.ts";

/**
 * The rule-based first version of root-cause attribution (cue phrases counted per contact, see
 * cues.ts and signals.ts). Production uses the trained chain model (chain-model.ts); this stays
 * as the baseline the model card measures it against, in scripts/train-root-cause-model.ts.
 */
const FAILED_WEIGHT = 1.0;
const REPEAT_WEIGHT = 0.7;
const PRIOR_OTHER = 0.75;

export function attributeFromSignals(failed: readonly RootCauseSignals[], repeat: RootCauseSignals, failedAgents: string[]): ChainAttribution {
  const totals: Record<RootCause, number> = { procedure_limit: 0, knowledge_gap: 0, missing_self_service: 0, other: PRIOR_OTHER };
  const add = (signals: RootCauseSignals, weight: number) => {
    for (const [cause, score] of Object.entries(signals.scores) as [RootCause, number][]) totals[cause] += weight * score;
  };
  failed.forEach((s) => add(s, FAILED_WEIGHT));
  add(repeat, REPEAT_WEIGHT);
  const ranked = (Object.entries(totals) as [RootCause, number][]).sort((a, b) => b[1] - a[1]);
  const [cause, best] = ranked[0]!;
  const sum = ranked.reduce((s, [, v]) => s + v, 0);
  const evidence = [...failed, repeat]
    .flatMap((s) => s.evidence)
    .filter((e) => e.cause === cause)
    .slice(0, 4)
    .map(({ speaker, text }) => ({ speaker, text }));
  return { rootCause: cause, rootCauseConfidence: Math.round((best / sum) * 1000) / 1000, rootCauseEvidence: evidence, failedAgents };
}
