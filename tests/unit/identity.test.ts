import { describe, expect, it } from "vitest";
import { customerKeyOf, normaliseCustomerId, pseudonymise } from "../../lib/contact/identity.ts";

describe("customer identity (SPEC 2.5)", () => {
  it.each([
    ["+31612345678", undefined],
    ["0031 6 1234 5678", undefined],
    ["+31 6-1234-5678", undefined],
    ["06 12345678", "NL"],
    ["(06) 1234-5678", "NL"],
  ])("normalises %s to E.164", (raw, country) => {
    expect(normaliseCustomerId(raw, country)).toBe("+31612345678");
  });

  it("keeps a national number without a default country as it is (it cannot be placed)", () => {
    expect(normaliseCustomerId(" 06 12345678 ")).toBe("06 12345678");
  });

  it("lower-cases and trims e-mail addresses", () => {
    expect(normaliseCustomerId("  Jan.Jansen@Example.COM ")).toBe("jan.jansen@example.com");
  });

  it("trims other identifiers without changing their case", () => {
    expect(normaliseCustomerId("  CRM-00017Ab ")).toBe("CRM-00017Ab");
  });

  it("hashes with the secret: same id same key, other secret other key", () => {
    const a = customerKeyOf("+31612345678", "secret-one-0123456789");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(customerKeyOf("+31612345678", "secret-one-0123456789")).toBe(a);
    expect(customerKeyOf("+31612345678", "secret-two-0123456789")).not.toBe(a);
  });

  it("drops the raw identifier when pseudonymising", () => {
    const contact = pseudonymise(
      { contactId: "c", customerId: "06 12345678", channel: "voice", startedAt: "2026-11-16T09:00:00.000Z", initiation: "inbound", disposition: "completed", turns: [], format: "x", sourceKey: "k" },
      "secret-one-0123456789",
      "NL",
    );
    expect(contact).not.toHaveProperty("customerId");
    expect(contact.customerKey).toBe(customerKeyOf("+31612345678", "secret-one-0123456789"));
  });
});
