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
  const previous = await timer.time("store", async () => {
    const stored = await deps.contacts.getContact(record.contactId);
    // A redelivered contact keeps its links until relinking says otherwise: readers never see a gap.
    await deps.contacts.putContact(stored ? { ...record, ...carriedLinks(stored) } : record, stored ?? null);
    return stored;
  });
  // Only the part of the timeline this contact can affect is relinked: from its start (or its
  // former start, if a redelivery moved it later) onwards, seeded by the window before.
  const moved = previous && previous.customerKey === record.customerKey && previous.startedAt < record.startedAt;
  const relinked = await timer.time("link", () =>
    relinkCustomer(deps.contacts, deps.config, deps.attributeChain, record.customerKey, moved ? previous.startedAt : record.startedAt),
  );
  if (previous && previous.customerKey !== record.customerKey) {
    await timer.time("link", () => relinkCustomer(deps.contacts, deps.config, deps.attributeChain, previous.customerKey, previous.startedAt));
  }
  return { previous, links: relinked.links.get(record.contactId) };
}

function carriedLinks(previous: ContactRecord): Partial<ContactRecord> {
  const { role, repeatOf, chainId, repeatedBy, rootCause, rootCauseConfidence, rootCauseEvidence, failedAgents } = previous;
  return { role, repeatOf, chainId, repeatedBy, rootCause, rootCauseConfidence, rootCauseEvidence, failedAgents };
}
