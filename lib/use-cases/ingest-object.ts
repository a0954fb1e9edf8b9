import { classifyReason } from "../classify/classify-contact.ts";
import type { Classifier } from "../classify/classifier.ts";
import type { Config } from "../config.ts";
import type { Contact } from "../contact/contact.ts";
import type { ContactRecord, QuarantineRecord } from "../contact/contact-record.ts";
import { pseudonymise } from "../contact/identity.ts";
import { InputError } from "../errors.ts";
import { parseTranscript } from "../formats/parse-transcript.ts";
import type { Logger } from "../log.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { rootCauseSignals } from "../root-cause/signals.ts";
import { detectLanguage } from "../text/language.ts";
import { redact } from "../text/redact.ts";
import { isoWeekOf } from "../time/iso-week.ts";
import { quarantine, salvageIdentity } from "./quarantine.ts";
import { storeContact } from "./store-contact.ts";

export interface IngestDeps {
  config: Config;
  objects: ObjectStore;
  contacts: ContactStore;
  hashSecret: string;
  reasonClassifier: Classifier;
  log: Logger;
  clock: () => Date;
}

export type IngestOutcome =
  | { status: "ok"; contactId: string; reason: string; role: ContactRecord["role"] }
  | { status: "quarantined"; code: string; error: string; record: QuarantineRecord }
  | { status: "skipped"; why: "object_missing" };

/**
 * One transcript object: S3 → parse → Contact → classify reason → link repeats → store.
 * Bad input is quarantined (returned, not thrown); infrastructure faults are thrown so the
 * queue retries them and finally dead-letters them.
 */
export async function ingestObject(key: string, deps: IngestDeps): Promise<IngestOutcome> {
  const started = performance.now();
  const size = await deps.objects.size(key);
  if (size === undefined) return { status: "skipped", why: "object_missing" };
  if (size > deps.config.maxObjectBytes) {
    return quarantined(deps, key, new InputError("OVERSIZED", key, undefined, `${size} bytes exceeds the limit of ${deps.config.maxObjectBytes}`), {});
  }
  const object = await deps.objects.get(key);
  if (!object) return { status: "skipped", why: "object_missing" };

  let contact: Contact;
  try {
    contact = pseudonymise(parseTranscript(object), deps.hashSecret, deps.config.defaultCountry);
  } catch (error) {
    if (error instanceof InputError) return quarantined(deps, key, error, salvageIdentity(object.body));
    throw error;
  }

  const record = describeContact(contact, deps);
  const previous = await storeContact(record, deps);
  const stored = await deps.contacts.getContact(contact.contactId);
  deps.log.log("info", "ingested", {
    step: "ingest",
    contactId: contact.contactId,
    objectKey: key,
    reason: record.reason,
    role: stored?.role,
    durationMs: Math.round(performance.now() - started),
    redelivery: previous !== undefined,
  });
  return { status: "ok", contactId: contact.contactId, reason: record.reason, role: stored?.role ?? "none" };
}

/** The stored form of a contact: what was said is reduced to reason, signals and short evidence. */
export function describeContact(contact: Contact, deps: Pick<IngestDeps, "config" | "reasonClassifier" | "clock">): ContactRecord {
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
    rootCauseSignals: rootCauseSignals(contact.turns, language),
    format: contact.format,
    sourceKey: contact.sourceKey,
    ingestedAt: deps.clock().toISOString(),
    role: "none",
    repeatOf: null,
    chainId: null,
    repeatedBy: null,
  };
}

async function quarantined(
  deps: IngestDeps,
  key: string,
  error: InputError,
  salvaged: { contactId?: string; startedAt?: string },
): Promise<IngestOutcome> {
  const record = await quarantine(deps, error, { objectKey: key, ...salvaged, timeZone: deps.config.timeZone, now: deps.clock() });
  deps.log.log("warn", "quarantined", { step: "ingest", objectKey: key, code: record.code, field: record.field });
  return { status: "quarantined", code: record.code, error: record.error, record };
}
