import type { Config } from "../config.ts";
import type { QuarantineRecord } from "../contact/contact-record.ts";
import { InputError } from "../errors.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { expiredPending } from "./ctr-join.ts";
import { quarantine } from "./quarantine.ts";

/**
 * Transcripts that waited longer than `ctrWaitHours` for their contact trace record are
 * quarantined (MISSING_CUSTOMER_ID): kept, recorded and counted, never guessed.
 * `olderThan` defaults to now − ctrWaitHours; a local run that has ended passes its end.
 */
export async function expireWaitingTranscripts(
  deps: { contacts: ContactStore; objects: ObjectStore; config: Config; clock: () => Date },
  weeks: readonly string[],
  olderThan = new Date(deps.clock().getTime() - deps.config.ctrWaitHours * 3_600_000),
): Promise<QuarantineRecord[]> {
  const expired = await expiredPending(deps.contacts, weeks, olderThan);
  const records: QuarantineRecord[] = [];
  for (const pending of expired) {
    const error = new InputError(
      "MISSING_CUSTOMER_ID",
      pending.objectKey,
      "customer-id",
      `no customer id: no x-amz-meta-customer-id and no contact trace record for contact ${pending.contactId} arrived since ${pending.since}`,
    );
    records.push(await quarantine(deps, error, { objectKey: pending.objectKey, contactId: pending.contactId, timeZone: deps.config.timeZone, now: deps.clock() }));
    await deps.contacts.deletePending(pending.contactId, pending.objectKey);
  }
  return records;
}
