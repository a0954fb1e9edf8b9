import type { Config } from "../config.ts";
import type { Contact, ParsedContact } from "../contact/contact.ts";
import type { PendingTranscript, StoredCtr } from "../contact/contact-record.ts";
import { customerKeyOf, normaliseCustomerId, pseudonymise } from "../contact/identity.ts";
import { InputError } from "../errors.ts";
import { contactLensIdentity } from "../formats/contact-lens.ts";
import { ctrFacts, latestCtr, parseCtrObject } from "../formats/ctr.ts";
import { decodeText, parseJson } from "../formats/decode.ts";
import { MAX_ID_LENGTH, parseTranscript, type TranscriptSource } from "../formats/parse-transcript.ts";
import { META_CUSTOMER_ID } from "../formats/source-metadata.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import { isoWeekOf } from "../time/iso-week.ts";

/**
 * Amazon Connect writes a contact's transcript (Contact Lens, under analysis/) and its contact
 * trace record (under ctr/) separately and in either order; the customer is only in the CTR.
 * A transcript without a customer id waits (a pending item) for its CTR; a CTR that lands
 * re-ingests the transcripts waiting for it. Each side writes first and then looks for the
 * other, so at least one of two concurrent arrivals always sees the other.
 */

/** A redacted Contact Lens file is preferred to its original (SPEC 2.2). */
export function isRedactedKey(key: string): boolean {
  return /\/Redacted\/|_analysis_redacted_/.test(key);
}

/**
 * The CTRs of one object, latest version per contact, pseudonymised for storage. With the
 * previous hashing secret (a rotation's grace period) each also names the customer's former key,
 * which is not stored: ingest re-keys what is stored under it.
 */
export function ctrsOfObject(object: TranscriptSource, secret: string, config: Config, previousSecret?: string): (StoredCtr & { formerCustomerKey?: string })[] {
  const records = parseCtrObject(decodeText(object.body, object.key), object.key);
  return [...latestCtr(records).values()].map((ctr) => {
    if (ctr.ContactId.length > MAX_ID_LENGTH) {
      throw new InputError("SCHEMA_VIOLATION", object.key, "ContactId", `${ctr.ContactId.length} characters is longer than the ${MAX_ID_LENGTH} allowed`);
    }
    const { customerId, ...facts } = ctrFacts(ctr);
    const normalised = customerId ? normaliseCustomerId(customerId, config.defaultCountry) : undefined;
    return {
      ...facts,
      ...(normalised ? { customerKey: customerKeyOf(normalised, secret) } : {}),
      ...(normalised && previousSecret ? { formerCustomerKey: customerKeyOf(normalised, previousSecret) } : {}),
      lastUpdated: ctr.LastUpdateTimestamp,
      sourceKey: object.key,
    };
  });
}

export type JoinResult =
  /** `formerCustomerKey`: the customer's key under the previous hashing secret, during a rotation's grace period. */
  | { kind: "contact"; contact: Contact; contactLens: boolean; redacted: boolean; formerCustomerKey?: string }
  | { kind: "waiting"; contactId: string };

/**
 * Parses a transcript into a pseudonymised contact, joining its CTR where there is one. A Contact
 * Lens file with no customer id and no CTR yet is held (pending) instead of quarantined.
 */
export async function parseWithCtr(
  object: TranscriptSource,
  deps: { contacts: ContactStore; config: Config; hashSecret: string; previousHashSecret?: string; clock: () => Date },
): Promise<JoinResult> {
  const lens = contactLensOf(object);
  const ctr = lens ? await deps.contacts.getCtr(lens.contactId) : undefined;
  let parsed: ParsedContact;
  try {
    parsed = parseTranscript(object);
  } catch (error) {
    if (!(lens && error instanceof InputError && error.code === "MISSING_CUSTOMER_ID")) throw error;
    const joined = ctr?.customerKey ? ctr : await holdForCtr(lens.contactId, object.key, deps);
    if (!joined) return { kind: "waiting", contactId: lens.contactId };
    // The customer comes from the CTR, already pseudonymised; the placeholder is never stored.
    parsed = parseTranscript({ ...object, metadata: { ...object.metadata, [META_CUSTOMER_ID]: "joined-from-ctr" } });
    const contact = applyCtr({ ...pseudonymise(parsed, deps.hashSecret), customerKey: joined.customerKey! }, joined);
    await deps.contacts.deletePending(lens.contactId, object.key);
    return { kind: "contact", contact, contactLens: true, redacted: lens.redacted };
  }
  const contact = pseudonymise(parsed, deps.hashSecret, deps.config.defaultCountry);
  const formerCustomerKey = deps.previousHashSecret ? pseudonymise(parsed, deps.previousHashSecret, deps.config.defaultCountry).customerKey : undefined;
  return {
    kind: "contact",
    contact: ctr ? applyCtr(contact, ctr) : contact,
    contactLens: lens !== undefined,
    redacted: lens?.redacted ?? false,
    ...(formerCustomerKey ? { formerCustomerKey } : {}),
  };
}

/** Facts only the CTR knows: how the contact started, whether an agent answered, who, where. */
export function applyCtr(contact: Contact, ctr: StoredCtr): Contact {
  return {
    ...contact,
    ...(ctr.channel ? { channel: ctr.channel } : {}),
    startedAt: new Date(ctr.startedAt).toISOString(),
    ...(ctr.endedAt ? { endedAt: new Date(ctr.endedAt).toISOString() } : {}),
    initiation: ctr.initiation,
    disposition: ctr.disposition,
    ...(ctr.previousContactId ? { previousContactId: ctr.previousContactId } : {}),
    ...(ctr.agentId && !contact.agentId ? { agentId: ctr.agentId } : {}),
    ...(ctr.queue && !contact.queue ? { queue: ctr.queue } : {}),
  };
}

/** Writes the pending item, then looks again: a CTR that landed meanwhile is used at once. */
async function holdForCtr(
  contactId: string,
  objectKey: string,
  deps: { contacts: ContactStore; config: Config; clock: () => Date },
): Promise<StoredCtr | undefined> {
  const now = deps.clock();
  await deps.contacts.putPending({ contactId, objectKey, since: now.toISOString(), week: isoWeekOf(now, deps.config.timeZone) });
  const ctr = await deps.contacts.getCtr(contactId);
  return ctr?.customerKey ? ctr : undefined;
}

function contactLensOf(object: TranscriptSource): { contactId: string; redacted: boolean } | undefined {
  try {
    const identity = contactLensIdentity(parseJson(decodeText(object.body, object.key), object.key), object.key);
    return { contactId: identity.contactId, redacted: identity.redacted || isRedactedKey(object.key) };
  } catch {
    return undefined;
  }
}

/** Pending transcripts older than the wait, from the given weeks (the sweep quarantines them). */
export async function expiredPending(contacts: ContactStore, weeks: readonly string[], olderThan: Date): Promise<PendingTranscript[]> {
  const all = (await Promise.all(weeks.map((w) => contacts.pendingOfWeek(w)))).flat();
  return all.filter((p) => Date.parse(p.since) < olderThan.getTime());
}
