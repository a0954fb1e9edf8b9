import { createHmac } from "node:crypto";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import type { Contact, ParsedContact } from "./contact.ts";

/**
 * SPEC 2.5: the customer identifier is normalised (phones to E.164, e-mail lower-cased, other ids
 * trimmed) and then replaced by a keyed hash. Only the hash is ever stored.
 */
export function normaliseCustomerId(raw: string, defaultCountry?: string): string {
  const trimmed = raw.normalize("NFKC").trim();
  if (trimmed.includes("@")) return trimmed.toLowerCase();
  const phone = asPhoneNumber(trimmed, defaultCountry);
  return phone ?? trimmed;
}

const PHONE_SHAPE = /^[+(]?[\d\s().\-/]{6,}$/;

function asPhoneNumber(text: string, defaultCountry?: string): string | undefined {
  if (!PHONE_SHAPE.test(text)) return undefined;
  // "0031 6…" is the international form dialled from Europe: the 00 prefix means "+".
  const international = text.replace(/^\s*00(?=[1-9])/, "+");
  const parsed = parsePhoneNumberFromString(
    international,
    international.startsWith("+") ? undefined : (defaultCountry as CountryCode | undefined),
  );
  return parsed?.isPossible() ? parsed.number : undefined;
}

export function customerKeyOf(normalisedId: string, secret: string): string {
  return createHmac("sha256", secret).update(normalisedId, "utf8").digest("hex");
}

/** Replaces the raw identifier by its keyed hash: the point after which no raw id exists. */
export function pseudonymise(contact: ParsedContact, secret: string, defaultCountry?: string): Contact {
  const { customerId, ...rest } = contact;
  return { ...rest, customerKey: customerKeyOf(normaliseCustomerId(customerId, defaultCountry), secret) };
}
