import { classifyReason } from "../classify/classify-contact.ts";
import type { Classifier } from "../classify/classifier.ts";
import type { Config } from "../config.ts";
import type { Contact } from "../contact/contact.ts";
import type { ContactRecord, QuarantineRecord } from "../contact/contact-record.ts";
import { InputError } from "../errors.ts";
import { detectFormat, type TranscriptSource } from "../formats/parse-transcript.ts";
import { ctrsOfObject, isRedactedKey, parseWithCtr, type JoinResult } from "./ctr-join.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { ContactStore, ObjectVersion } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { RootCauseModel } from "../root-cause/chain-model.ts";
import type { ChainAttributor } from "./link-customer.ts";
import { detectLanguage } from "../text/language.ts";
import { redact } from "../text/redact.ts";
import { isoWeekOf } from "../time/iso-week.ts";
import { stepTimer } from "../step-timer.ts";
import { quarantine, salvageIdentity } from "./quarantine.ts";
import { rekeyCustomer } from "./rekey-customer.ts";
import { storeContact } from "./store-contact.ts";

export interface IngestDeps {
  config: Config;
  objects: ObjectStore;
  contacts: ContactStore;
  hashSecret: string;
  /** The hashing secret before the last rotation, during its grace period (see rekey-customer.ts). */
  previousHashSecret?: string;
  reasonClassifier: Classifier;
  rootCauseModel: RootCauseModel;
  attributeChain: ChainAttributor;
  log: Logger;
  /** Contacts ingested and quarantined, repeats found, classification latency. */
  metrics?: Metrics;
  clock: () => Date;
}

export type IngestOutcome =
  | { status: "ok"; contactId: string; reason: string; role: ContactRecord["role"] }
  | { status: "quarantined"; code: string; error: string; record: QuarantineRecord }
  | { status: "skipped"; why: "object_missing" }
  /** This version of the object was ingested before: the event was delivered again. */
  | { status: "duplicate" }
  /** A Contact Lens file held until its contact trace record (with the customer) arrives. */
  | { status: "waiting"; contactId: string }
  /** An original Contact Lens file whose redacted twin is already the contact. */
  | { status: "superseded"; contactId: string; by: string }
  /** A contact trace record: stored, and the transcripts it completes were ingested. */
  | { status: "ctr"; contactIds: string[] };

/**
 * An S3 object-created event: ingests the object unless this version of it was ingested to the
 * end before (SQS delivers at least once; S3 may notify twice). The version is marked only after
 * the ingest finished, so a crash part-way leaves it unmarked and the redelivery does it again;
 * every write of the ingest is idempotent, so doing part of it twice is harmless. A transcript
 * still waiting for its contact trace record is not marked: its record re-ingests it.
 */
export async function ingestCreatedObject(object: { bucket: string; key: string; version?: string }, deps: IngestDeps): Promise<IngestOutcome> {
  const version: ObjectVersion | undefined = object.version ? { bucket: object.bucket, key: object.key, version: object.version } : undefined;
  if (version && (await deps.contacts.wasIngested(version))) {
    deps.log.log("info", "already ingested", { step: "ingest", objectKey: object.key });
    return { status: "duplicate" };
  }
  const outcome = await ingestObject(object.key, deps);
  if (version && outcome.status !== "waiting") await deps.contacts.markIngested(version);
  return outcome;
}

/**
 * One transcript object: S3 → parse → Contact → classify reason → link repeats → store.
 * Bad input is quarantined (returned, not thrown); infrastructure faults are thrown so the
 * queue retries them and finally dead-letters them.
 */
export async function ingestObject(key: string, deps: IngestDeps): Promise<IngestOutcome> {
  const started = performance.now();
  // Wall time by step, logged with the outcome: the slowest step is visible in the logs.
  const timer = stepTimer();
  const size = await timer.time("fetch", () => deps.objects.size(key));
  if (size === undefined) return { status: "skipped", why: "object_missing" };
  if (size > deps.config.maxObjectBytes) {
    return quarantined(deps, key, new InputError("OVERSIZED", key, undefined, `${size} bytes exceeds the limit of ${deps.config.maxObjectBytes}`), {});
  }
  const object = await timer.time("fetch", () => deps.objects.get(key));
  if (!object) return { status: "skipped", why: "object_missing" };

  if (detectFormat(object) === "ctr") return ingestCtr(object, deps);

  let joined: JoinResult;
  try {
    joined = await timer.time("parse", () => parseWithCtr(object, deps));
  } catch (error) {
    if (error instanceof InputError) return quarantined(deps, key, error, salvageIdentity(object.body));
    throw error;
  }
  if (joined.kind === "waiting") {
    deps.log.log("info", "waiting for contact trace record", { step: "ingest", contactId: joined.contactId, objectKey: key });
    return { status: "waiting", contactId: joined.contactId };
  }
  const contact = joined.contact;
  const existing = joined.contactLens ? await deps.contacts.getContact(contact.contactId) : undefined;
  if (existing && !joined.redacted && isRedactedKey(existing.sourceKey) && existing.sourceKey !== key) {
    // The redacted twin of this file is already the contact: the original adds nothing.
    return { status: "superseded", contactId: contact.contactId, by: existing.sourceKey };
  }

  if (joined.formerCustomerKey) await rekeyCustomer(joined.formerCustomerKey, contact.customerKey, deps);
  const classifying = performance.now();
  const record = await timer.time("classify", () => describeContact(contact, deps));
  deps.metrics?.observe("classificationLatency", performance.now() - classifying);
  const { previous, links } = await storeContact(record, deps, timer);
  deps.metrics?.count("contactsIngested");
  if (links?.role === "repeat") deps.metrics?.count("repeatsFound");
  deps.log.log("info", "ingested", {
    step: "ingest",
    contactId: contact.contactId,
    objectKey: key,
    reason: record.reason,
    role: links?.role,
    durationMs: Math.round(performance.now() - started),
    ...timer.fields(),
    bytes: size,
    redelivery: previous !== undefined,
  });
  return { status: "ok", contactId: contact.contactId, reason: record.reason, role: links?.role ?? "none" };
}

/** The stored form of a contact: what was said is reduced to reason, signals and short evidence. */
export function describeContact(contact: Contact, deps: Pick<IngestDeps, "config" | "reasonClassifier" | "rootCauseModel" | "clock">): ContactRecord {
  const customerText = contact.turns.filter((t) => t.speaker === "customer").map((t) => t.text).join("\n");
  const language = contact.language ?? detectLanguage(customerText || contact.turns.map((t) => t.text).join("\n"));
  const reason = classifyReason(deps.reasonClassifier, contact.turns, language);
  const evidence = reason.evidenceTurn !== undefined ? redact(contact.turns[reason.evidenceTurn]!.text).slice(0, 300) : undefined;
  return {
    contactId: contact.contactId,
    customerKey: contact.customerKey,
    channel: contact.channel,
    startedAt: contact.startedAt,
    ...(contact.endedAt ? { endedAt: contact.endedAt } : {}),
    week: isoWeekOf(contact.startedAt, deps.config.timeZone),
    language,
    ...(contact.agentId ? { agentId: contact.agentId } : {}),
    ...(contact.team ? { team: contact.team } : {}),
    ...(contact.queue ? { queue: contact.queue } : {}),
    initiation: contact.initiation,
    ...(contact.previousContactId ? { previousContactId: contact.previousContactId } : {}),
    disposition: contact.disposition,
    hasAgentTurn: contact.turns.some((t) => t.speaker === "agent" && t.text.trim() !== ""),
    reason: reason.reason,
    reasonConfidence: reason.confidence,
    reasonTop: reason.top,
    ...(evidence ? { reasonEvidence: evidence } : {}),
    reasonModel: deps.reasonClassifier.version,
    rootCauseSummary: deps.rootCauseModel.contactSummary(contact.turns, language),
    format: contact.format,
    sourceKey: contact.sourceKey,
    ingestedAt: deps.clock().toISOString(),
    role: "none",
    repeatOf: null,
    chainId: null,
    repeatedBy: null,
  };
}

/**
 * A contact trace record: stored when newer than what is stored, then every transcript waiting
 * for it is ingested again (now joined), and an already joined contact is refreshed with it.
 */
async function ingestCtr(object: TranscriptSource, deps: IngestDeps): Promise<IngestOutcome> {
  let ctrs;
  try {
    ctrs = ctrsOfObject(object, deps.hashSecret, deps.config, deps.previousHashSecret);
  } catch (error) {
    if (error instanceof InputError) return quarantined(deps, object.key, error, {});
    throw error;
  }
  for (const { formerCustomerKey, ...ctr } of ctrs) {
    if (formerCustomerKey && ctr.customerKey) await rekeyCustomer(formerCustomerKey, ctr.customerKey, deps);
    if (!(await deps.contacts.putCtr(ctr))) continue;
    const waiting = (await deps.contacts.pendingFor(ctr.contactId)).map((p) => p.objectKey);
    const joined = await deps.contacts.getContact(ctr.contactId);
    const again = new Set([...waiting, ...(joined && joined.format.startsWith("contact-lens") ? [joined.sourceKey] : [])]);
    for (const transcriptKey of again) await ingestObject(transcriptKey, deps);
  }
  deps.log.log("info", "contact trace records stored", { step: "ingest", objectKey: object.key, records: ctrs.length });
  return { status: "ctr", contactIds: ctrs.map((c) => c.contactId) };
}

async function quarantined(
  deps: IngestDeps,
  key: string,
  error: InputError,
  salvaged: { contactId?: string; startedAt?: string },
): Promise<IngestOutcome> {
  const record = await quarantine(deps, error, { objectKey: key, ...salvaged, timeZone: deps.config.timeZone, now: deps.clock() });
  deps.metrics?.count("contactsQuarantined");
  deps.log.log("warn", "quarantined", { step: "ingest", objectKey: key, code: record.code, field: record.field });
  return { status: "quarantined", code: record.code, error: record.error, record };
}
