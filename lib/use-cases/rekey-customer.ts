import type { Config } from "../config.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { ChainAttributor } from "./link-customer.ts";
import { storeContact } from "./store-contact.ts";

/**
 * Rotation of the hashing secret is forward-only (README, "Rotating the hashing secret"): a
 * customer key cannot be recomputed without the raw identifier, which only an arriving contact
 * or contact trace record carries. So while the previous secret is still loaded (its grace
 * period, `windowDays` and a day after the rotation), every arrival also hashes its identifier
 * with it, and what is stored under that former key moves to the current one: the customer's
 * contacts (each relinked, as any contact whose customer changed) and contact trace records.
 * A customer who comes back within the window is therefore linked across the rotation; one who
 * does not keeps the former key, which no secret can produce once the previous one is gone.
 * Idempotent: a second call finds nothing under the former key. Returns the contacts moved.
 */
export async function rekeyCustomer(
  formerKey: string,
  currentKey: string,
  deps: { contacts: ContactStore; config: Config; attributeChain: ChainAttributor },
): Promise<number> {
  if (formerKey === currentKey) return 0;
  await deps.contacts.rekeyContactTraceRecords(formerKey, currentKey);
  const { records } = await deps.contacts.readTimeline(formerKey);
  for (const record of records) await storeContact({ ...record, customerKey: currentKey }, deps);
  return records.length;
}
