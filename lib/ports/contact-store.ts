import type { ContactRecord, LinkFields, ChainAttribution, PendingTranscript, QuarantineRecord, StoredCtr } from "../contact/contact-record.ts";

/** A customer's contacts as read for (re)linking, with the version that guards the write-back. */
export interface Timeline {
  customerKey: string;
  version: number;
  records: ContactRecord[];
}

/**
 * New link fields of one contact. Only the fields present are written; a field present with the
 * value undefined is removed (a contact that is no longer a repeat loses its root cause).
 */
export type LinkUpdate = { contactId: string; startedAt: string } & Partial<LinkFields> & Partial<ChainAttribution>;

/**
 * One version of one S3 object, as an S3 event names it: the ingest idempotency key. `version` is
 * the object's version id (versioned buckets), else its ETag with the event's sequencer (so a new
 * upload of the same bytes, perhaps with new metadata, is a new version, and a redelivered event
 * is not).
 */
export interface ObjectVersion {
  bucket: string;
  key: string;
  version: string;
}

/** Where a contact is stored: its customer's timeline at its start time. */
export interface ContactLocation {
  customerKey: string;
  startedAt: string;
}

/** What forgetting a customer removed from the store, by kind of item. */
export interface RemovedItems {
  contacts: number;
  contactPointers: number;
  contactTraceRecords: number;
  pendingTranscripts: number;
  quarantineRecords: number;
  timelineVersions: number;
}

/**
 * What the use cases need of the contact store (DynamoDB in AWS and locally, through dynalite).
 * Linking is optimistic: read a timeline, compute, write the changed links, then advance the
 * timeline's version only if nobody else did in between (see use-cases/link-customer.ts).
 */
export interface ContactStore {
  /** The stored record of a contact id, wherever in its customer's timeline it is. */
  getContact(contactId: string): Promise<ContactRecord | undefined>;
  /**
   * Inserts or replaces a contact (same contact id = same item; a moved startedAt or customer
   * moves it). `previous`: where the contact was stored before, when the caller has just read it
   * (null: not stored); when absent the store looks it up itself. Returns the places the contact
   * was removed from — by this call, or left over by an interrupted earlier one — whose
   * timelines must be relinked before `settleMoves` forgets them.
   */
  putContact(record: ContactRecord, previous?: ContactLocation | null): Promise<ContactLocation[]>;
  /** The places putContact returned are relinked: it need not return them again. */
  settleMoves(contactId: string, relinked: readonly ContactLocation[]): Promise<void>;
  /** The customer's contacts that started at or after `from` (all when absent), in time order. */
  readTimeline(customerKey: string, from?: string): Promise<Timeline>;
  writeLinks(customerKey: string, updates: readonly LinkUpdate[]): Promise<void>;
  /** Advances the timeline version from `expected`; false when another writer got there first. */
  advanceVersion(customerKey: string, expected: number): Promise<boolean>;
  contactsOfWeek(week: string): Promise<ContactRecord[]>;
  /**
   * The week's contacts (index byWeek) as they are read, page by page, in no particular order:
   * the weekly report aggregates them without holding the week in memory.
   */
  streamContactsOfWeek(week: string): AsyncIterable<ContactRecord>;
  putQuarantine(record: QuarantineRecord): Promise<void>;
  quarantineOfWeek(week: string): Promise<QuarantineRecord[]>;
  getCtr(contactId: string): Promise<StoredCtr | undefined>;
  /** Stores a CTR unless a version with a later or equal LastUpdateTimestamp is stored; true when stored. */
  putCtr(ctr: StoredCtr): Promise<boolean>;
  putPending(pending: PendingTranscript): Promise<void>;
  pendingFor(contactId: string): Promise<PendingTranscript[]>;
  deletePending(contactId: string, objectKey: string): Promise<void>;
  pendingOfWeek(week: string): Promise<PendingTranscript[]>;
  /** Every week that holds at least one contact, ascending. */
  weeks(): Promise<string[]>;
  /** True when this object version was ingested to the end before (a redelivered event). */
  wasIngested(object: ObjectVersion): Promise<boolean>;
  /** Records that this object version was ingested to the end; the record expires by itself. */
  markIngested(object: ObjectVersion): Promise<void>;
  /** Moves the contact trace records stored under one customer key to another (secret rotation). */
  rekeyContactTraceRecords(fromKey: string, toKey: string): Promise<number>;
  /**
   * Deletes every item of the customer: their contacts (with links and root causes), contact-id
   * pointers, contact trace records, transcripts held for those records, quarantine records of
   * their contacts' objects and the timeline version. Idempotent; returns what it deleted.
   */
  removeCustomer(customerKey: string): Promise<{ removed: RemovedItems; contacts: ContactRecord[] }>;
}
