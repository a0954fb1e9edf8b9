import type { ContactRecord, Evidence, RootCause } from "../contact/contact-record.ts";
import type { ChainAttributor } from "../use-cases/link-customer.ts";

const MAX_EVIDENCE = 4;

/**
 * A repeat whose root cause an analyst set keeps it through every later relink (a new contact of
 * the same customer recomputes the chain): the analyst's cause, with the sentences of the chain
 * that the model found for that cause as its evidence.
 */
export function respectingReviews(attribute: ChainAttributor): ChainAttributor {
  return (failed, repeat) => {
    const attribution = attribute(failed, repeat);
    const cause = repeat.reviewed?.rootCause;
    if (!cause) return attribution;
    const evidence = cause === attribution.rootCause ? attribution.rootCauseEvidence : evidenceFor(cause, [...failed, repeat]);
    return { ...attribution, rootCause: cause, rootCauseConfidence: 1, rootCauseEvidence: evidence };
  };
}

function evidenceFor(cause: RootCause, contacts: readonly ContactRecord[]): Evidence[] {
  const seen = new Set<string>();
  return contacts
    .flatMap((c) => c.rootCauseSummary.evidence.filter((e) => e.cause === cause))
    .sort((a, b) => b.weight - a.weight)
    .filter((e) => !seen.has(e.text) && seen.add(e.text))
    .slice(0, MAX_EVIDENCE)
    .map(({ speaker, text }) => ({ speaker, text }));
}
