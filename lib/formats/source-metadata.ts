import type { z } from "zod";
import { ChannelSchema, type Channel } from "../config.ts";
import { IsoInstantSchema } from "../contact/contact.ts";
import { InputError, issuePath } from "../errors.ts";

/**
 * What the formats without their own identity fields (Transcribe output, plain text; and the
 * customer id of Contact Lens files) read from the S3 object's user metadata (SPEC 2.3). S3 hands
 * user metadata over with lower-case keys and without the `x-amz-meta-` prefix.
 */
export const META_CUSTOMER_ID = "customer-id";
export const META_CONTACT_ID = "contact-id";
export const META_STARTED_AT = "started-at";
export const META_CHANNEL = "channel";

/** A metadata value, trimmed; empty counts as absent. */
export function metaValue(metadata: Record<string, string>, name: string): string | undefined {
  const value = metadata[name]?.trim();
  return value ? value : undefined;
}

export function requireCustomerId(metadata: Record<string, string>, objectKey: string, detail?: string): string {
  const id = metaValue(metadata, META_CUSTOMER_ID);
  if (id) return id;
  throw new InputError(
    "MISSING_CUSTOMER_ID",
    objectKey,
    META_CUSTOMER_ID,
    detail ?? "no customer identifier: the object has no x-amz-meta-customer-id metadata",
  );
}

/** `started-at` as a UTC ISO instant, or undefined when absent; a value that is not an instant is an error. */
export function metaStartedAt(metadata: Record<string, string>, objectKey: string): string | undefined {
  const raw = metaValue(metadata, META_STARTED_AT);
  if (raw === undefined) return undefined;
  const parsed = IsoInstantSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError("SCHEMA_VIOLATION", objectKey, META_STARTED_AT, `"${raw}" is not an ISO 8601 date-time with an offset`);
  }
  return parsed.data;
}

export function requireStartedAt(metadata: Record<string, string>, objectKey: string): string {
  const startedAt = metaStartedAt(metadata, objectKey);
  if (startedAt) return startedAt;
  throw new InputError(
    "SCHEMA_VIOLATION",
    objectKey,
    META_STARTED_AT,
    "no start time: this format does not carry one, so the object needs x-amz-meta-started-at metadata",
  );
}

/** `channel` metadata (case-insensitive), else the format's own value. */
export function metaChannel(metadata: Record<string, string>, objectKey: string, fallback: Channel): Channel {
  const raw = metaValue(metadata, META_CHANNEL);
  if (raw === undefined) return fallback;
  const parsed = ChannelSchema.safeParse(raw.toLowerCase());
  if (!parsed.success) {
    throw new InputError("SCHEMA_VIOLATION", objectKey, META_CHANNEL, `unknown channel "${raw}" (expected ${ChannelSchema.options.join(", ")})`);
  }
  return parsed.data;
}

/** The object's file name without directories and without its extension: `a/b/call-17.json` → `call-17`. */
export function fileStem(objectKey: string): string {
  const name = objectKey.slice(objectKey.lastIndexOf("/") + 1);
  const stem = name.replace(/\.(json|txt|text)$/i, "");
  return stem || name;
}

/** BCP-47 primary language subtag (`en-US` → `en`), the form the text pipeline works with. */
export function primaryLanguage(code: string | undefined | null): string | undefined {
  const primary = code?.trim().split(/[-_]/)[0]?.toLowerCase();
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

/** The first issue of a failed zod parse as an InputError naming the field, e.g. `Transcript[0].Content`. */
export function schemaViolation(error: z.ZodError, objectKey: string, what: string, pathPrefix: readonly PropertyKey[] = []): InputError {
  const issue = error.issues[0]!;
  const field = issuePath([...pathPrefix, ...issue.path]);
  return new InputError("SCHEMA_VIOLATION", objectKey, field || undefined, `not a valid ${what}: ${issue.message}`, { cause: error });
}
