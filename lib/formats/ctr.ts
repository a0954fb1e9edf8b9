import { z } from "zod";
import type { Channel } from "../config.ts";
import { IsoInstantSchema, type Disposition, type Initiation } from "../contact/contact.ts";
import { InputError } from "../errors.ts";
import { schemaViolation } from "./source-metadata.ts";

/**
 * Amazon Connect contact trace records (CTRs, "contact records") as a Kinesis Data Firehose delivery
 * stream writes them to S3 (SPEC 2.2): one JSON object per record, concatenated with or without a
 * newline between them (Firehose adds no separator unless told to), or — when someone exports them
 * differently — one JSON array of records. A CTR is not a transcript: it carries what a Contact Lens
 * file lacks (the customer's endpoint, how the contact started, agent, queue, abandonment), and is
 * joined to the transcript by `ContactId`.
 *
 * Field names as in the Amazon Connect "Contact records data model". CTRs are delivered at least
 * once and re-delivered when updated: per `ContactId` the record with the latest
 * `LastUpdateTimestamp` wins (`latestCtr`).
 */

const CTR_CHANNELS = ["VOICE", "CHAT", "TASK", "EMAIL"] as const;

/** Older documentation spells channels `Voice` / `Chat`; records use upper case. */
const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : v);

export const CtrRecordSchema = z
  .object({
    ContactId: z.string().trim().min(1),
    InitialContactId: z.string().min(1).nullish(),
    PreviousContactId: z.string().min(1).nullish(),
    Channel: z.preprocess(upper, z.enum(CTR_CHANNELS)),
    InitiationMethod: z.preprocess(upper, z.string().min(1)),
    InitiationTimestamp: IsoInstantSchema,
    DisconnectTimestamp: IsoInstantSchema.nullish(),
    LastUpdateTimestamp: IsoInstantSchema,
    CustomerEndpoint: z
      .object({
        Address: z.string().nullish(),
        Type: z.string().nullish(),
      })
      .loose()
      .nullish(),
    Agent: z
      .object({
        Username: z.string().nullish(),
        ConnectedToAgentTimestamp: IsoInstantSchema.nullish(),
      })
      .loose()
      .nullish(),
    Queue: z
      .object({
        Name: z.string().nullish(),
        EnqueueTimestamp: IsoInstantSchema.nullish(),
      })
      .loose()
      .nullish(),
    /** Not where Connect puts it (that is `Agent.ConnectedToAgentTimestamp`), but flattened exports do. */
    ConnectedToAgentTimestamp: IsoInstantSchema.nullish(),
  })
  .loose();
export type CtrRecord = z.infer<typeof CtrRecordSchema>;
export type CtrChannel = CtrRecord["Channel"];

/**
 * Content-based detection: the first JSON value of the text is a CTR (a `ContactId` with an
 * `InitiationMethod` or the record format version), or an array whose first element is one. Works on
 * Firehose concatenations, which `JSON.parse` rejects as a whole.
 */
export function isCtrObject(text: string): boolean {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return Array.isArray(parsed) && parsed.length > 0 && looksLikeCtr(parsed[0]);
    } catch {
      return false;
    }
  }
  if (!trimmed.startsWith("{")) return false;
  const first = firstJsonObject(trimmed);
  if (first === undefined) return false;
  try {
    return looksLikeCtr(JSON.parse(first));
  } catch {
    return false;
  }
}

export function looksLikeCtr(json: unknown): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  return typeof o.ContactId === "string" && (typeof o.InitiationMethod === "string" || typeof o.AWSContactTraceRecordFormatVersion === "string");
}

/**
 * All records in one Firehose object, in file order. Malformed or truncated JSON is MALFORMED_JSON;
 * a record that does not fit the data model is SCHEMA_VIOLATION naming `[n].Field` (n = record index).
 */
export function parseCtrObject(text: string, objectKey: string): CtrRecord[] {
  const values = splitJsonValues(text, objectKey);
  if (values.length === 0) throw new InputError("EMPTY_OBJECT", objectKey, undefined, "no contact trace records in the object");
  const records: CtrRecord[] = [];
  values.forEach((value, i) => {
    const result = CtrRecordSchema.safeParse(value);
    if (!result.success) throw schemaViolation(result.error, objectKey, "contact trace record", [i]);
    records.push(result.data);
  });
  return records;
}

/** Concatenated top-level JSON values → parsed values; a top-level array is spread into its elements. */
function splitJsonValues(text: string, objectKey: string): unknown[] {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed.startsWith("[")) {
    const parsed = parseChunk(trimmed, objectKey, 0);
    if (!Array.isArray(parsed)) throw new InputError("MALFORMED_JSON", objectKey, undefined, "malformed JSON array of records");
    return parsed;
  }
  return scanObjects(trimmed, objectKey).map((chunk, i) => parseChunk(chunk, objectKey, i));
}

function parseChunk(chunk: string, objectKey: string, index: number): unknown {
  try {
    return JSON.parse(chunk);
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : "invalid JSON";
    throw new InputError("MALFORMED_JSON", objectKey, undefined, `malformed JSON in record ${index}: ${detail}`, { cause: error });
  }
}

/**
 * The top-level `{…}` values of a concatenation. A small scanner: it counts braces outside strings
 * and honours escapes inside them, so `"}{"` in a contact attribute does not split a record.
 * Whitespace (and a stray comma or newline) between records is allowed; anything else is not.
 */
function scanObjects(text: string, objectKey: string): string[] {
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t" || ch === ",") {
      i++;
      continue;
    }
    if (ch !== "{") {
      throw new InputError("MALFORMED_JSON", objectKey, undefined, `malformed JSON: unexpected "${ch}" between records at position ${i}`);
    }
    const end = objectEnd(text, i);
    if (end === undefined) {
      throw new InputError("MALFORMED_JSON", objectKey, undefined, `malformed JSON: record ${chunks.length} is truncated (starts at position ${i})`);
    }
    chunks.push(text.slice(i, end + 1));
    i = end + 1;
  }
  return chunks;
}

function firstJsonObject(text: string): string | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  const end = objectEnd(text, start);
  return end === undefined ? undefined : text.slice(start, end + 1);
}

/** Index of the `}` closing the object that opens at `start`, or undefined when the text ends first. */
function objectEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return undefined;
}

/**
 * `InitiationMethod` → SPEC 4 initiation.
 * - INBOUND, WEBRTC_API (in-app / web calling started by the customer) → inbound.
 * - OUTBOUND, EXTERNAL_OUTBOUND, AGENT_REPLY, FLOW (outbound e-mail) → outbound.
 * - TRANSFER, QUEUE_TRANSFER → transfer: a leg of the episode named by `PreviousContactId`.
 * - DISCONNECT (the disconnect flow after a contact, e.g. a survey) and MONITOR (a supervisor
 *   listening in or barging) → transfer: a leg of an episode that already exists, not a new contact.
 * - CALLBACK → callback: Connect's queued callback, placed by the company (SPEC 4 treats
 *   `callback` and `queue_callback` alike: company-initiated, never part of a repeat chain).
 * - API → outbound: for voice it is StartOutboundVoiceContact — the company calls the customer
 *   (campaigns, click-to-call), so it must not count as the customer coming back; tasks created by
 *   StartTaskContact are company work items too. **Except chat**: Connect gives every chat started
 *   with StartChatContact — i.e. every customer opening the chat widget — `API`, so `API` on a
 *   CHAT record is inbound (without this, no chat would ever be a repeat).
 * - anything unknown → inbound, the SPEC default.
 */
export function initiationOf(method: string, channel?: CtrChannel): Initiation {
  switch (method.toUpperCase()) {
    case "INBOUND":
    case "WEBRTC_API":
      return "inbound";
    case "OUTBOUND":
    case "EXTERNAL_OUTBOUND":
    case "AGENT_REPLY":
    case "FLOW":
      return "outbound";
    case "TRANSFER":
    case "QUEUE_TRANSFER":
    case "DISCONNECT":
    case "MONITOR":
      return "transfer";
    case "CALLBACK":
      return "callback";
    case "API":
      return channel === "CHAT" ? "inbound" : "outbound";
    default:
      return "inbound";
  }
}

/**
 * Abandoned as the contact records data model defines it: the contact was enqueued (a `Queue` with
 * an `EnqueueTimestamp`) and never connected to an agent (`Agent` null or without
 * `ConnectedToAgentTimestamp`). A contact that never reached a queue (IVR only) is not abandoned.
 */
export function isAbandoned(ctr: CtrRecord): boolean {
  const enqueued = Boolean(ctr.Queue?.EnqueueTimestamp);
  const connected = Boolean(ctr.Agent?.ConnectedToAgentTimestamp ?? ctr.ConnectedToAgentTimestamp);
  return enqueued && !connected;
}

/**
 * Per `ContactId`, the record with the latest `LastUpdateTimestamp`; on a tie the later one in input
 * order (a re-delivery of the same update is identical, and a later file is the better guess).
 * The map keeps the order in which contact ids first appear.
 */
export function latestCtr(records: Iterable<CtrRecord>): Map<string, CtrRecord> {
  const latest = new Map<string, CtrRecord>();
  for (const record of records) {
    const current = latest.get(record.ContactId);
    if (!current || Date.parse(record.LastUpdateTimestamp) >= Date.parse(current.LastUpdateTimestamp)) {
      latest.set(record.ContactId, record);
    }
  }
  return latest;
}

/** What a CTR contributes to the canonical contact when joined to its transcript. */
export interface CtrFacts {
  contactId: string;
  /** `CustomerEndpoint.Address` (a phone number in E.164 for voice); chats often have none. */
  customerId?: string;
  /** undefined for TASK, which is not a customer channel. */
  channel?: Channel;
  startedAt: string;
  endedAt?: string;
  initiation: Initiation;
  previousContactId?: string;
  agentId?: string;
  queue?: string;
  disposition: Disposition;
}

export function ctrFacts(ctr: CtrRecord): CtrFacts {
  const address = ctr.CustomerEndpoint?.Address?.trim();
  const channel = ({ VOICE: "voice", CHAT: "chat", EMAIL: "email", TASK: undefined } as const)[ctr.Channel];
  return {
    contactId: ctr.ContactId,
    ...(address ? { customerId: address } : {}),
    ...(channel ? { channel } : {}),
    startedAt: ctr.InitiationTimestamp,
    ...(ctr.DisconnectTimestamp ? { endedAt: ctr.DisconnectTimestamp } : {}),
    initiation: initiationOf(ctr.InitiationMethod, ctr.Channel),
    ...(ctr.PreviousContactId ? { previousContactId: ctr.PreviousContactId } : {}),
    ...(ctr.Agent?.Username ? { agentId: ctr.Agent.Username } : {}),
    ...(ctr.Queue?.Name ? { queue: ctr.Queue.Name } : {}),
    disposition: isAbandoned(ctr) ? "abandoned" : "completed",
  };
}
