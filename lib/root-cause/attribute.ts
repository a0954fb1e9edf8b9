import type { ChainAttribution, ContactRecord, RootCause } from "../contact/contact-record.ts";

/** How much the contacts that failed weigh against the repeat's own words ("I called yesterday…"). */
const FAILED_WEIGHT = 1.0;
const REPEAT_WEIGHT = 0.7;
const PRIOR_OTHER = 0.75;

/**
 * Attributes a root cause to a repeat from its chain so far: the failed contacts (every earlier
 * contact of the chain) and the repeat itself. With no cue anywhere the cause is `other`, with
 * low confidence, so the review queue picks it up.
 */
export function attributeChain(failed: readonly ContactRecord[], repeat: ContactRecord): ChainAttribution {
  const totals: Record<RootCause, number> = { procedure_limit: 0, knowledge_gap: 0, missing_self_service: 0, other: PRIOR_OTHER };
  const add = (record: ContactRecord, weight: number) => {
    for (const [cause, score] of Object.entries(record.rootCauseSignals.scores) as [RootCause, number][]) totals[cause] += weight * score;
  };
  failed.forEach((r) => add(r, FAILED_WEIGHT));
  add(repeat, REPEAT_WEIGHT);

  const ranked = (Object.entries(totals) as [RootCause, number][]).sort((a, b) => b[1] - a[1]);
  const [cause, best] = ranked[0]!;
  const sum = ranked.reduce((s, [, v]) => s + v, 0);
  const evidence = [...failed, repeat]
    .flatMap((r) => r.rootCauseSignals.evidence)
    .filter((e) => e.cause === cause)
    .slice(0, 4)
    .map(({ speaker, text }) => ({ speaker, text }));
  const previous = failed.at(-1);
  return {
    rootCause: cause,
    rootCauseConfidence: Math.round((best / sum) * 1000) / 1000,
    rootCauseEvidence: evidence,
    failedAgents: previous?.agentId ? [previous.agentId] : [],
  };
}
