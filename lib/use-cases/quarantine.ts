import type { QuarantineRecord } from "../contact/contact-record.ts";
import type { InputError } from "../errors.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { isoWeekOf } from "../time/iso-week.ts";

export const QUARANTINE_TAG = { "recontact-status": "quarantined" } as const;

/**
 * SPEC 2.6: a bad input is kept, never dropped. The original object stays where it is and is
 * tagged; a record with the reason goes to `quarantine/` and to the contact store, where the
 * weekly report counts it. Every step is idempotent, so a redelivery quarantines once.
 */
export async function quarantine(
  deps: { objects: ObjectStore; contacts: ContactStore },
  error: InputError,
  context: { objectKey: string; contactId?: string; startedAt?: string; timeZone: string; now: Date },
): Promise<QuarantineRecord> {
  const record: QuarantineRecord = {
    objectKey: context.objectKey,
    code: error.code,
    ...(error.field ? { field: error.field } : {}),
    error: error.message,
    ...(context.contactId ? { contactId: context.contactId } : {}),
    week: isoWeekOf(context.startedAt ?? context.now, context.timeZone),
    quarantinedAt: context.now.toISOString(),
  };
  await deps.objects.put(`quarantine/${context.objectKey}.json`, JSON.stringify(record, null, 2), { contentType: "application/json" });
  // The object may already be gone (deleted after the event): the record still stands.
  await deps.objects.tag(context.objectKey, QUARANTINE_TAG).catch(() => undefined);
  await deps.contacts.putQuarantine(record);
  return record;
}

/** What a broken file may still tell: its contact id and start time, for the quarantine record. */
export function salvageIdentity(body: Uint8Array): { contactId?: string; startedAt?: string } {
  try {
    const json = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
    const contactId = typeof json.contactId === "string" ? json.contactId : undefined;
    const startedAt = typeof json.startedAt === "string" && !Number.isNaN(Date.parse(json.startedAt)) ? new Date(json.startedAt).toISOString() : undefined;
    return { ...(contactId ? { contactId } : {}), ...(startedAt ? { startedAt } : {}) };
  } catch {
    return {};
  }
}
