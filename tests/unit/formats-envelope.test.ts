import { inputError } from "../support/input-error.ts";
import { describe, expect, it } from "vitest";
import { InputError } from "../../lib/errors.ts";
import { parseTranscript } from "../../lib/formats/parse-transcript.ts";

const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const source = (body: Uint8Array, key = "transcripts/x.json") => ({ key, body, metadata: {} });

const valid = {
  schema: "recontact.transcript/v1",
  contactId: "c-000123",
  customer: { id: "+31 6 1234 5678" },
  channel: "voice",
  startedAt: "2026-11-16T10:12:00+01:00",
  language: "nl",
  agent: { id: "a-17", team: "billing-1" },
  queue: "billing",
  previousContactId: null,
  turns: [
    { speaker: "agent", text: "Goedemorgen, waarmee kan ik u helpen?", offsetMs: 0 },
    { speaker: "customer", text: "Mijn factuur is veel te hoog deze maand.", offsetMs: 4100 },
  ],
  crmTicket: "T-99",
};


describe("native envelope (SPEC 2.1)", () => {
  it("parses the SPEC example with defaults and a UTC start", () => {
    const contact = parseTranscript(source(encode(valid)));
    expect(contact).toMatchObject({
      contactId: "c-000123",
      customerId: "+31 6 1234 5678",
      channel: "voice",
      startedAt: "2026-11-16T09:12:00.000Z",
      agentId: "a-17",
      team: "billing-1",
      initiation: "inbound",
      disposition: "completed",
      format: "recontact.transcript/v1",
    });
    expect(contact.turns).toHaveLength(2);
    expect(contact).not.toHaveProperty("previousContactId");
  });

  it("reads UTF-16 with a byte-order mark instead of rejecting it", () => {
    const text = JSON.stringify(valid);
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) new DataView(bytes.buffer).setUint16(2 + i * 2, text.charCodeAt(i), true);
    expect(parseTranscript(source(bytes)).contactId).toBe("c-000123");
  });

  it.each([
    ["MALFORMED_JSON", encode('{"schema": "recontact.transcript/v1", "contactId": '), undefined],
    ["EMPTY_OBJECT", new Uint8Array(), undefined],
    ["NOT_UTF8", new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), undefined],
    ["UNKNOWN_FORMAT", encode({ hello: "world" }), "schema"],
    ["UNKNOWN_FORMAT", encode("minutes of the team meeting, nothing said by anyone"), undefined],
    ["MISSING_CUSTOMER_ID", encode({ ...valid, customer: {} }), "customer.id"],
    ["SCHEMA_VIOLATION", encode({ ...valid, channel: "fax" }), "channel"],
    ["SCHEMA_VIOLATION", encode({ ...valid, startedAt: "yesterday" }), "startedAt"],
    ["SCHEMA_VIOLATION", encode({ ...valid, turns: [{ speaker: "bot", text: "hi" }] }), "turns[0].speaker"],
    ["EMPTY_TEXT", encode({ ...valid, turns: [{ speaker: "customer", text: "  " }] }), "turns"],
  ])("rejects %s input naming the key and field", (code, body, field) => {
    const error = inputError(() => parseTranscript(source(body, "transcripts/bad one.json")));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.message).toContain("transcripts/bad one.json");
    expect(error.retryable).toBe(false);
  });

  it("accepts an abandoned contact without turns", () => {
    const contact = parseTranscript(source(encode({ ...valid, disposition: "abandoned", agent: null, turns: [] })));
    expect(contact.disposition).toBe("abandoned");
    expect(contact).not.toHaveProperty("agentId");
  });
});
