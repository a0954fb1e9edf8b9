import type { ParsedContact } from "../contact/contact.ts";
import { InputError } from "../errors.ts";
import { isContactLens, parseContactLens } from "./contact-lens.ts";
import { isCtrObject, looksLikeCtr } from "./ctr.ts";
import { decodeText, parseJson } from "./decode.ts";
import { isEnvelope, parseEnvelope } from "./envelope.ts";
import { isPlainText, parsePlainText } from "./plain-text.ts";
import { isCallAnalytics, isTranscribeStandard, parseCallAnalytics, parseTranscribeStandard } from "./transcribe.ts";

/** What a parser gets besides the bytes: the object key and its S3 user metadata (SPEC 2.3). */
export interface TranscriptSource {
  key: string;
  body: Uint8Array;
  metadata: Record<string, string>;
}

export type DetectedFormat =
  | "envelope"
  | "contact-lens"
  | "transcribe-standard"
  | "transcribe-call-analytics"
  | "plain-text"
  | "ctr"
  | "unknown";

type Detection =
  | { format: "envelope" | "contact-lens" | "transcribe-standard" | "transcribe-call-analytics" | "ctr" | "unknown"; json?: unknown }
  | { format: "plain-text" };

/**
 * What an object is, by content (never by file name), so that the ingest path can route contact
 * trace records to the CTR join and everything else to `parseTranscript`. Never throws: bytes that
 * are empty, not UTF-8 or malformed JSON are "unknown" here, and `parseTranscript` says why.
 */
export function detectFormat(source: TranscriptSource): DetectedFormat {
  try {
    return detect(decodeText(source.body, source.key), source.key).format;
  } catch (error) {
    if (error instanceof InputError) return "unknown";
    throw error;
  }
}

/**
 * Detects the format by content and parses it into a canonical contact. Each format is one module;
 * this function only chooses. A contact trace record is not a transcript: UNKNOWN_FORMAT (route
 * `ctr` objects with `detectFormat` before calling this).
 */
export function parseTranscript(source: TranscriptSource): ParsedContact {
  const text = decodeText(source.body, source.key);
  const detected = detect(text, source.key);
  switch (detected.format) {
    case "envelope":
      return checkText(parseEnvelope(detected.json, source.key));
    case "contact-lens":
      return checkText(parseContactLens(detected.json, source));
    case "transcribe-standard":
      return checkText(parseTranscribeStandard(detected.json, source));
    case "transcribe-call-analytics":
      return checkText(parseCallAnalytics(detected.json, source));
    case "plain-text":
      return checkText(parsePlainText(text, source));
    case "ctr":
      throw new InputError(
        "UNKNOWN_FORMAT",
        source.key,
        undefined,
        "this is an Amazon Connect contact trace record (CTR), not a transcript: it is joined to the transcript of its contact id",
      );
    case "unknown":
      if (detected.json === undefined) {
        throw new InputError("UNKNOWN_FORMAT", source.key, undefined, "not a transcript of a known format (neither JSON nor speaker-prefixed lines)");
      }
      throw new InputError(
        "UNKNOWN_FORMAT",
        source.key,
        "schema",
        "unknown transcript format (expected \"schema\": \"recontact.transcript/v1\", a Contact Lens analysis file, " +
          "Amazon Transcribe output or a contact trace record)",
      );
  }
}

/** Malformed JSON that is not a Firehose concatenation of CTRs throws MALFORMED_JSON. */
function detect(text: string, objectKey: string): Detection {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
    return isPlainText(text) ? { format: "plain-text" } : { format: "unknown" };
  }
  let json: unknown;
  try {
    json = parseJson(text, objectKey);
  } catch (error) {
    if (isCtrObject(text)) return { format: "ctr" }; // records concatenated by Firehose are not one JSON value
    throw error;
  }
  if (isEnvelope(json)) return { format: "envelope", json };
  if (isContactLens(json)) return { format: "contact-lens", json };
  if (isCallAnalytics(json)) return { format: "transcribe-call-analytics", json };
  if (isTranscribeStandard(json)) return { format: "transcribe-standard", json };
  if (looksLikeCtr(json) || (Array.isArray(json) && json.length > 0 && looksLikeCtr(json[0]))) return { format: "ctr", json };
  return { format: "unknown", json };
}

/** SPEC 2.6: a completed contact must have something said in it; abandoned ones may be silent. */
function checkText(contact: ParsedContact): ParsedContact {
  if (contact.disposition === "completed" && !contact.turns.some((t) => t.text.trim().length > 0)) {
    throw new InputError("EMPTY_TEXT", contact.sourceKey, "turns", "a completed contact has no text");
  }
  return checkLimits(contact);
}

/** Identifiers end up in DynamoDB keys (1 KB) and items (400 KB): longer ones are bad input, not a fault. */
export const MAX_ID_LENGTH = 256;
const LIMITED_FIELDS = ["contactId", "customerId", "agentId", "team", "queue", "previousContactId", "language"] as const;

function checkLimits(contact: ParsedContact): ParsedContact {
  for (const field of LIMITED_FIELDS) {
    const value = contact[field];
    if (value !== undefined && value.length > MAX_ID_LENGTH) {
      throw new InputError("SCHEMA_VIOLATION", contact.sourceKey, field, `${value.length} characters is longer than the ${MAX_ID_LENGTH} allowed`);
    }
  }
  return contact;
}
