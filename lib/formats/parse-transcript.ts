import type { ParsedContact } from "../contact/contact.ts";
import { InputError } from "../errors.ts";
import { decodeText, parseJson } from "./decode.ts";
import { isEnvelope, parseEnvelope } from "./envelope.ts";

/** What a parser gets besides the bytes: the object key and its S3 user metadata (SPEC 2.3). */
export interface TranscriptSource {
  key: string;
  body: Uint8Array;
  metadata: Record<string, string>;
}

/**
 * Detects the format by content (never by file name) and parses it into a canonical contact.
 * Each format is one module; this function only chooses.
 */
export function parseTranscript(source: TranscriptSource): ParsedContact {
  const text = decodeText(source.body, source.key);
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
    throw new InputError("UNKNOWN_FORMAT", source.key, undefined, "not a JSON transcript of a known format");
  }
  const json = parseJson(text, source.key);
  if (isEnvelope(json)) return checkText(parseEnvelope(json, source.key));
  throw new InputError(
    "UNKNOWN_FORMAT",
    source.key,
    "schema",
    "unknown transcript format (expected \"schema\": \"recontact.transcript/v1\")",
  );
}

/** SPEC 2.6: a completed contact must have something said in it; abandoned ones may be silent. */
function checkText(contact: ParsedContact): ParsedContact {
  if (contact.disposition === "completed" && !contact.turns.some((t) => t.text.trim().length > 0)) {
    throw new InputError("EMPTY_TEXT", contact.sourceKey, "turns", "a completed contact has no text");
  }
  return contact;
}
