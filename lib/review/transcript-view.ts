import type { Turn } from "../contact/contact.ts";
import { InputError } from "../errors.ts";
import { parseTranscript } from "../formats/parse-transcript.ts";
import { META_CUSTOMER_ID } from "../formats/source-metadata.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { redact } from "../text/redact.ts";

export type RedactedTurn = Pick<Turn, "speaker" | "text">;

/**
 * A stored transcript as an analyst may see it: its turns, each redacted (SPEC 8). The customer
 * identifier is never needed to show a transcript, so a file without one (Contact Lens, joined
 * to its CTR at ingest) is read with a placeholder. Undefined when the object is gone (expired,
 * forgotten) or no longer readable.
 */
export async function redactedTranscript(objects: ObjectStore, sourceKey: string): Promise<RedactedTurn[] | undefined> {
  const object = await objects.get(sourceKey);
  if (!object) return undefined;
  try {
    const parsed = parseTranscript({ ...object, metadata: { [META_CUSTOMER_ID]: "not-shown", ...object.metadata } });
    return parsed.turns.map((t) => ({ speaker: t.speaker, text: redact(t.text) }));
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

export interface Segment {
  text: string;
  mark: boolean;
}

/**
 * Splits a text into plain and marked segments: every occurrence of a needle is marked (the
 * evidence a model kept, redacted the same way, found again in the redacted transcript). Needles
 * shorter than four characters are ignored: they would mark noise.
 */
export function highlight(text: string, needles: readonly string[]): Segment[] {
  const marks: [number, number][] = [];
  for (const raw of needles) {
    const needle = raw.trim();
    if (needle.length < 4) continue;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) marks.push([at, at + needle.length]);
  }
  marks.sort((a, b) => a[0] - b[0]);
  const segments: Segment[] = [];
  let cursor = 0;
  for (const [start, end] of marks) {
    if (end <= cursor) continue;
    const from = Math.max(start, cursor);
    if (from > cursor) segments.push({ text: text.slice(cursor, from), mark: false });
    segments.push({ text: text.slice(from, end), mark: true });
    cursor = end;
  }
  if (cursor < text.length || segments.length === 0) segments.push({ text: text.slice(cursor), mark: false });
  return segments;
}
