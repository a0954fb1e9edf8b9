import type { Config } from "../config.ts";
import type { ContactRecord, LinkFields } from "../contact/contact-record.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import { stepTimer, type StepTimer } from "../step-timer.ts";
import { relinkCustomer, type ChainAttributor } from "./link-customer.ts";

/**
 * Stores a described contact and relinks the part of its customer's timeline it can affect.
 * Idempotent: the same contact again changes nothing; a changed one (new start, customer or
 * reason) moves and relinks both the old and the new place. Returns what was stored before and
 * the contact's links now. `timer` (optional) gets the time of the "store" and "link" steps.
 */
export async function storeContact(
  record: ContactRecord,
  deps: { contacts: ContactStore; config: Config; attributeChain: ChainAttributor },
  timer: StepTimer = stepTimer(),
): Promise<{ previous: ContactRecord | undefined; links: LinkFields | undefined }> {
  const { previous, displaced } = await timer.time("store", async () => {
    const stored = await deps.contacts.getContact(record.contactId);
    // A redelivered contact keeps its links until relinking says otherwise: readers never see a gap.
    const moves = await deps.contacts.putContact(stored ? { ...record, ...carriedLinks(stored), ...carriedReview(stored) } : record, stored ?? null);
    return { previous: stored, displaced: moves };
  });
  // Only the part of a timeline this contact can affect is relinked: from its start, or from the
  // earlier place it left (a move, including one an interrupted delivery started), onwards,
  // seeded by the window before. A customer it left is relinked from where it was.
  const since = (customerKey: string, starts: string[]) => [...starts, ...displaced.filter((d) => d.customerKey === customerKey).map((d) => d.startedAt)].sort()[0];
  const relinked = await timer.time("link", () =>
    relinkCustomer(deps.contacts, deps.config, deps.attributeChain, record.customerKey, since(record.customerKey, [record.startedAt])),
  );
  for (const customerKey of new Set(displaced.map((d) => d.customerKey).filter((key) => key !== record.customerKey))) {
    await timer.time("link", () => relinkCustomer(deps.contacts, deps.config, deps.attributeChain, customerKey, since(customerKey, [])));
  }
  await timer.time("store", () => deps.contacts.settleMoves(record.contactId, displaced));
  return { previous, links: relinked.links.get(record.contactId) };
}

function carriedLinks(previous: ContactRecord): Partial<ContactRecord> {
  const { role, repeatOf, chainId, repeatedBy, rootCause, rootCauseConfidence, rootCauseEvidence, failedAgents } = previous;
  return { role, repeatOf, chainId, repeatedBy, rootCause, rootCauseConfidence, rootCauseEvidence, failedAgents };
}

/** An analyst's label outlives re-ingesting the transcript (a redelivery, a late CTR, a backfill). */
function carriedReview(previous: ContactRecord): Partial<ContactRecord> {
  if (!previous.reviewed) return {};
  const reason = previous.reviewed.reason;
  return { reviewed: previous.reviewed, ...(reason ? { reason, reasonConfidence: 1 } : {}) };
}
