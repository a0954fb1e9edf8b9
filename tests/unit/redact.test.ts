import { describe, expect, it } from "vitest";
import { luhnValid, redact } from "../../lib/text/redact.ts";

describe("redact: e-mail addresses", () => {
  it("replaces addresses and keeps the sentence around them", () => {
    expect(redact("Mail me at Jan.de-Vries+billing@example.co.uk. Thanks")).toBe("Mail me at [EMAIL]. Thanks");
    expect(redact("contact: ANNA@Example.NL, or bob@mail.example.com")).toBe("contact: [EMAIL], or [EMAIL]");
  });
  it("leaves lookalikes alone", () => {
    expect(redact("we met @ the office")).toBe("we met @ the office");
    expect(redact("price is 5@10")).toBe("price is 5@10");
  });
});

describe("redact: card numbers", () => {
  it("replaces Luhn-valid numbers of 13–19 digits, with spaces or dashes", () => {
    expect(redact("card 4111 1111 1111 1111 please")).toBe("card [CARD] please");
    expect(redact("card 5500-0000-0000-0004.")).toBe("card [CARD].");
    expect(redact("4012888888881881")).toBe("[CARD]");
    expect(redact("amex 3782 822463 10005")).toBe("amex [CARD]");
  });
  it("does not call a Luhn-invalid number a card", () => {
    expect(luhnValid("4111111111111112")).toBe(false);
    const out = redact("card 4111 1111 1111 1112 please");
    expect(out).not.toContain("[CARD]");
    expect(redact("ref 1234567890123")).not.toContain("[CARD]"); // 13 digits, Luhn-invalid
  });
});

describe("redact: IBANs", () => {
  it("replaces IBANs, grouped or not", () => {
    expect(redact("IBAN NL91 ABNA 0417 1643 00 thanks")).toBe("IBAN [IBAN] thanks");
    expect(redact("to DE89370400440532013000.")).toBe("to [IBAN].");
    expect(redact("GB82 WEST 1234 5698 7654 32")).toBe("[IBAN]");
  });
  it("stops at the end of a checksum-valid IBAN followed by an upper-case word", () => {
    expect(redact("NL91ABNA0417164300 THANKS")).toBe("[IBAN] THANKS");
  });
  it("leaves short codes and plain words alone", () => {
    expect(redact("postcode NL12 and flight KL1234")).toBe("postcode NL12 and flight KL1234");
  });
});

describe("redact: phone numbers", () => {
  it("replaces international and local formats", () => {
    expect(redact("call +31 6 1234 5678.")).toBe("call [PHONE].");
    expect(redact("(020) 123-4567 or 06-12345678")).toBe("[PHONE] or [PHONE]");
    expect(redact("020.123.45.67")).toBe("[PHONE]");
    expect(redact("+1 (415) 555-2671")).toBe("[PHONE]");
    expect(redact("my number (0612345678)")).toBe("my number ([PHONE])");
  });
  it("replaces Arabic-Indic and Persian digits", () => {
    expect(redact("رقمي ٠٦١٢٣٤٥٦٧٨ شكرا")).toBe("رقمي [PHONE] شكرا");
    expect(redact("شماره من ۰۹۱۲ ۳۴۵ ۶۷۸۹ است")).toBe("شماره من [PHONE] است");
  });
  it("leaves short numbers, amounts and dates alone", () => {
    const text = "On 2026-11-16 I paid 45.50 for order 12345 at 09:30, 3 times.";
    expect(redact(text)).toBe(text);
    expect(redact("١٢٣٤٥")).toBe("١٢٣٤٥");
  });
});

describe("redact: names after an introduction", () => {
  it.each([
    ["My name is Anna Maria de Vries and I called before", "My name is [NAME] and I called before"],
    ["Hello, this is John Smith speaking", "Hello, this is [NAME] speaking"],
    ["MY NAME IS JOHN DOE", "MY NAME IS [NAME]"],
    ["Goedemiddag, mijn naam is Jan van der Berg.", "Goedemiddag, mijn naam is [NAME]."],
    ["Ik ben Sanne, klant sinds 2019", "Ik ben [NAME], klant sinds 2019"],
    ["مرحبا، اسمي أحمد", "مرحبا، اسمي [NAME]"],
    ["أنا اسمي محمد وأريد", "أنا اسمي [NAME] وأريد"],
    ["سلام، اسم من علی است", "سلام، اسم من [NAME] است"],
    ["안녕하세요, 제 이름은 김민수입니다", "안녕하세요, 제 이름은 [NAME]"],
    ["你好，我叫王伟，我想问一下", "你好，我叫[NAME]，我想问一下"],
    ["我的名字是李明。", "我的名字是[NAME]。"],
  ])("%s", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });
  it("keeps the phrase when no name follows", () => {
    for (const text of ["This is not working", "ik ben boos", "this island is Big", "my name is on the bill"]) {
      expect(redact(text)).toBe(text);
    }
  });
  it("takes at most three capitalised words", () => {
    expect(redact("this is Anna Maria Louise Jansen")).toBe("this is [NAME] Jansen");
  });
});

describe("redact: as a whole", () => {
  it("handles several kinds in one text and is idempotent", () => {
    const once = redact("This is Mark Jones, mark@x.com, +44 20 7946 0958, card 4111-1111-1111-1111, IBAN GB82WEST12345698765432");
    expect(once).toBe("This is [NAME], [EMAIL], [PHONE], card [CARD], IBAN [IBAN]");
    expect(redact(once)).toBe(once);
  });
  it("returns text without PII unchanged", () => {
    const text = "The invoice was €120,00 too high; I called twice about it.";
    expect(redact(text)).toBe(text);
    expect(redact("")).toBe("");
  });
  // A catastrophic backtracking regex would hang here until the suite's timeout fails it; the
  // speed itself is measured by benchmarks, not asserted by tests.
  it("finishes on hostile input and still redacts what it should", () => {
    const inputs = [
      "a".repeat(50_000) + "@" + "b.".repeat(20_000) + "!",
      "1 ".repeat(50_000) + "x",
      "NL91" + " A".repeat(50_000),
      "my name is ".repeat(20_000),
      "-".repeat(50_000) + "@x",
      "9-".repeat(50_000) + "x",
    ];
    for (const input of inputs) expect(redact(input).length).toBeGreaterThan(0);
    expect(redact(`${"1 ".repeat(10_000)}call me on +31 6 1234 5678`)).toContain("[PHONE]");
  });
});
