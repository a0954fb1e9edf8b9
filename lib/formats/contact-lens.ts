import { z } from "zod";
import type { Channel } from "../config.ts";
import { IsoInstantSchema, type ParsedContact, type Turn } from "../contact/contact.ts";
import { InputError } from "../errors.ts";
import { metaStartedAt, primaryLanguage, requireCustomerId, schemaViolation } from "./source-metadata.ts";
import type { TranscriptSource } from "./parse-transcript.ts";

/**
 * Amazon Connect Contact Lens post-call (voice) and chat analysis output (SPEC 2.2), as Contact Lens
 * writes it under `Analysis/{Voice,Chat}/[Redacted/]YYYY/MM/DD/<contactId>_analysis_[redacted_]<ts>.json`.
 *
 * Versions: `1.0.0`, `1.1.0` (voice), `VOICE-2022-11-30`, `CHAT-2022-11-30`. All share the fields
 * read here; a version string of the same shape that is not listed yet is read the same way
 * (AWS promises backward-compatible additions), any other `Version` is a schema violation.
 *
 * Speakers. A transcript entry names its speaker by `ParticipantId`, and sometimes by
 * `ParticipantRole` too. The role is taken from, in order: the entry's own `ParticipantRole`; the
 * role given for that `ParticipantId` in `Participants[]` or on any other entry (the redacted chat
 * file has no roles in `Participants[]`, but its entries carry them); the `ParticipantId` itself
 * when it is a role name (voice files use `"AGENT"` / `"CUSTOMER"` as ids, sometimes without listing
 * them in `Participants[]`); a `DisplayName` of `SYSTEM_MESSAGE`. A spoken entry whose speaker
 * cannot be told is a schema violation, never a guess.
 *
 * Chat entries that are events (`Type: "EVENT"`, an event `ContentType`, or no `Content`) are not turns.
 */

export const CONTACT_LENS_VERSIONS = ["1.0.0", "1.1.0", "VOICE-2022-11-30", "CHAT-2022-11-30"] as const;
const VERSION_SHAPE = /^(\d+\.\d+\.\d+|(VOICE|CHAT)-\d{4}-\d{2}-\d{2})$/;

const ParticipantSchema = z
  .object({
    ParticipantId: z.string(),
    ParticipantRole: z.string().optional(),
    DisplayName: z.string().optional(),
  })
  .loose();

const TranscriptEntrySchema = z
  .object({
    ParticipantId: z.string().optional(),
    ParticipantRole: z.string().optional(),
    DisplayName: z.string().optional(),
    Content: z.string().optional(),
    ContentType: z.string().optional(),
    Type: z.string().optional(),
    BeginOffsetMillis: z.number().nonnegative().optional(),
    AbsoluteTime: IsoInstantSchema.optional(),
  })
  .loose();
type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

const ContactLensSchema = z
  .object({
    Version: z.string().regex(VERSION_SHAPE, `expected one of ${CONTACT_LENS_VERSIONS.join(", ")}`),
    Channel: z.enum(["VOICE", "CHAT"]).optional(),
    LanguageCode: z.string().optional(),
    ContentMetadata: z.object({ Output: z.string().optional() }).loose().optional(),
    CustomerMetadata: z
      .object({
        ContactId: z.string().trim().min(1).optional(),
        InputS3Uri: z.string().optional(),
      })
      .loose()
      .optional(),
    Participants: z.array(ParticipantSchema).optional(),
    Transcript: z.array(TranscriptEntrySchema),
  })
  .loose();
type ContactLensFile = z.infer<typeof ContactLensSchema>;

/** Content-based detection: a `Version` and the transcript or participant list of an analysis file. */
export function isContactLens(json: unknown): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  return typeof o.Version === "string" && (Array.isArray(o.Transcript) || Array.isArray(o.Participants));
}

export interface ContactLensIdentity {
  contactId: string;
  /** A redacted twin of an original file: prefer it when both exist (SPEC 2.2). */
  redacted: boolean;
  version: string;
  channel: Extract<Channel, "voice" | "chat">;
}

/**
 * What the ingest path needs to pair a redacted file with its original and to join the contact trace
 * record, without building the whole contact.
 */
export function contactLensIdentity(json: unknown, objectKey: string): ContactLensIdentity {
  const file = readFile(json, objectKey);
  return identityOf(file, objectKey);
}

export function parseContactLens(json: unknown, source: Pick<TranscriptSource, "key" | "metadata">): ParsedContact {
  const key = source.key;
  const file = readFile(json, key);
  const identity = identityOf(file, key);
  const isChat = identity.channel === "chat";

  const times = file.Transcript.map((e) => e.AbsoluteTime).filter((t): t is string => t !== undefined);
  const firstTime = times.length > 0 ? times.reduce((a, b) => (a < b ? a : b)) : undefined;
  const lastTime = times.length > 0 ? times.reduce((a, b) => (a > b ? a : b)) : undefined;

  const roles = roleIndex(file);
  const turns: Turn[] = [];
  file.Transcript.forEach((entry, i) => {
    if (!isSpoken(entry)) return;
    const text = entry.Content!.trim();
    if (!text) return;
    const speaker = speakerOf(roleOf(entry, roles, key, i));
    const offsetMs = isChat ? chatOffset(entry.AbsoluteTime, firstTime) : entry.BeginOffsetMillis;
    turns.push({ speaker, text, ...(offsetMs !== undefined ? { offsetMs } : {}) });
  });

  const startedAt =
    metaStartedAt(source.metadata, key) ??
    (isChat ? firstTime : undefined) ??
    recordingStart(file.CustomerMetadata?.InputS3Uri) ??
    keyTimestamp(key);
  if (!startedAt) {
    throw new InputError(
      "SCHEMA_VIOLATION",
      key,
      "started-at",
      "no start time: no x-amz-meta-started-at metadata, no AbsoluteTime, and no timestamp in the object key",
    );
  }
  // Only a chat knows when it ended; a voice file's offsets are relative to the recording, not the contact.
  const endedAt = isChat && lastTime && lastTime > startedAt ? lastTime : undefined;
  const language = primaryLanguage(file.LanguageCode);

  // Last, so that MISSING_CUSTOMER_ID means "the file is fine, only the customer is unknown yet":
  // the ingest path can then wait for the contact trace record of this contact id.
  const customerId = requireCustomerId(
    source.metadata,
    key,
    `no customer identifier for contact ${identity.contactId}: Contact Lens files do not carry one; ` +
      "it comes from x-amz-meta-customer-id or from the contact trace record (CTR) of this contact id — waiting for the contact trace record",
  );

  return {
    contactId: identity.contactId,
    customerId,
    channel: identity.channel,
    startedAt,
    ...(endedAt ? { endedAt } : {}),
    ...(language ? { language } : {}),
    initiation: "inbound",
    disposition: "completed",
    turns,
    format: `contact-lens/${identity.version}`,
    sourceKey: key,
  };
}

function readFile(json: unknown, objectKey: string): ContactLensFile {
  const result = ContactLensSchema.safeParse(json);
  if (!result.success) throw schemaViolation(result.error, objectKey, "Contact Lens analysis file");
  return result.data;
}

const KEY_NAME = /(?:^|\/)([^/]+?)_analysis_(?:redacted_)?([^/]*?)\.json$/i;

function identityOf(file: ContactLensFile, objectKey: string): ContactLensIdentity {
  const name = safeDecode(objectKey).match(KEY_NAME);
  const contactId = file.CustomerMetadata?.ContactId ?? name?.[1];
  if (!contactId) {
    throw new InputError(
      "SCHEMA_VIOLATION",
      objectKey,
      "CustomerMetadata.ContactId",
      "no contact id: the file has no CustomerMetadata.ContactId and the object key is not <contactId>_analysis_….json",
    );
  }
  const redacted = /\/Redacted\//.test(`/${objectKey}`) || /_analysis_redacted_/i.test(objectKey) || file.ContentMetadata?.Output === "Redacted";
  return { contactId, redacted, version: file.Version, channel: channelOf(file, objectKey) };
}

function channelOf(file: ContactLensFile, objectKey: string): "voice" | "chat" {
  if (file.Channel) return file.Channel === "CHAT" ? "chat" : "voice";
  if (file.Version.startsWith("CHAT-")) return "chat";
  if (file.Version.startsWith("VOICE-")) return "voice";
  return /(^|\/)Analysis\/Chat\//.test(objectKey) ? "chat" : "voice"; // 1.x files were voice only
}

/** Events, attachments without text and other non-messages are not turns. */
function isSpoken(entry: TranscriptEntry): boolean {
  if (entry.Content === undefined) return false;
  if (entry.Type !== undefined && entry.Type.toUpperCase() === "EVENT") return false;
  if (entry.ContentType?.startsWith("application/vnd.amazonaws.connect.event.")) return false;
  return true;
}

const ROLE_NAMES = new Set(["AGENT", "CUSTOMER", "SYSTEM", "SUPERVISOR", "CUSTOM_BOT"]);

function roleIndex(file: ContactLensFile): { byId: Map<string, string>; systemIds: Set<string> } {
  const byId = new Map<string, string>();
  const systemIds = new Set<string>();
  for (const p of file.Participants ?? []) {
    if (p.ParticipantRole) byId.set(p.ParticipantId, p.ParticipantRole);
    if (p.DisplayName === "SYSTEM_MESSAGE") systemIds.add(p.ParticipantId);
  }
  for (const e of file.Transcript) {
    if (e.ParticipantId && e.ParticipantRole && !byId.has(e.ParticipantId)) byId.set(e.ParticipantId, e.ParticipantRole);
  }
  return { byId, systemIds };
}

function roleOf(entry: TranscriptEntry, roles: ReturnType<typeof roleIndex>, objectKey: string, index: number): string {
  if (entry.ParticipantRole) return entry.ParticipantRole;
  const id = entry.ParticipantId;
  if (id !== undefined) {
    const known = roles.byId.get(id);
    if (known) return known;
    if (ROLE_NAMES.has(id.toUpperCase())) return id.toUpperCase();
    if (roles.systemIds.has(id) || entry.DisplayName === "SYSTEM_MESSAGE") return "SYSTEM";
  }
  throw new InputError(
    "SCHEMA_VIOLATION",
    objectKey,
    `Transcript[${index}].ParticipantRole`,
    `cannot tell who said this: no ParticipantRole, and ParticipantId ${id === undefined ? "is missing" : `"${id}" has no role in Participants`}`,
  );
}

/** CUSTOMER → customer, AGENT → agent; SYSTEM, bots, supervisors and anything else → system. */
export function speakerOf(role: string): Turn["speaker"] {
  const r = role.toUpperCase();
  if (r === "CUSTOMER") return "customer";
  if (r === "AGENT") return "agent";
  return "system";
}

function chatOffset(time: string | undefined, first: string | undefined): number | undefined {
  if (!time || !first) return undefined;
  const ms = Date.parse(time) - Date.parse(first);
  return ms >= 0 ? ms : undefined;
}

/** Amazon Connect names call recordings `<contactId>_<YYYYMMDD>T<HH:MM>_UTC.wav`: the start to the minute. */
function recordingStart(inputS3Uri: string | undefined): string | undefined {
  const m = inputS3Uri && safeDecode(inputS3Uri).match(/_(\d{4})(\d{2})(\d{2})T(\d{2}):?(\d{2})_UTC\.\w+$/);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString();
}

/** The analysis timestamp in `…_analysis_[redacted_]2022-06-22T17:00:12Z.json` (when the analysis ran). */
function keyTimestamp(objectKey: string): string | undefined {
  const m = safeDecode(objectKey).match(/_analysis_(?:redacted_)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\.json$/i);
  return m && !Number.isNaN(Date.parse(m[1]!)) ? new Date(m[1]!).toISOString() : undefined;
}

/** S3 event notifications URL-encode keys (`%3A` for `:`); accept either form. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
