import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { contactLensIdentity } from "../../lib/formats/contact-lens.ts";
import { detectFormat, parseTranscript, type TranscriptSource } from "../../lib/formats/parse-transcript.ts";

/** Real AWS output files (tests/fixtures/formats/real/SOURCES.md) against what they must become (expected.json). */
const ROOT = fileURLToPath(new URL("../fixtures/formats/real/", import.meta.url));

interface ExpectedFile {
  path: string;
  format: "contact-lens" | "call-analytics" | "transcribe";
  version: string;
  channel: string;
  redacted: boolean;
  turns: number;
  roles: string[];
  speakers?: string[];
  contactId: string;
}
interface ExpectedContact {
  contactId: string;
  files: string[];
  preferredFile: string;
  turns: number;
  startedAt: string;
}
const expected = JSON.parse(readFileSync(`${ROOT}expected.json`, "utf8")) as {
  files: ExpectedFile[];
  contacts: ExpectedContact[];
  rawCustomerIds: string[];
};

function source(path: string): TranscriptSource {
  return {
    key: path,
    body: readFileSync(ROOT + path),
    metadata: JSON.parse(readFileSync(`${ROOT}${path}.meta.json`, "utf8")) as Record<string, string>,
  };
}

const FORMAT_NAME = {
  "contact-lens": (v: string) => `contact-lens/${v}`,
  "call-analytics": () => "transcribe/call-analytics",
  transcribe: () => "transcribe/standard",
} as const;
const DETECTED = { "contact-lens": "contact-lens", "call-analytics": "transcribe-call-analytics", transcribe: "transcribe-standard" } as const;

describe("real AWS output files", () => {
  it.each(expected.files.map((f) => [f.path, f] as const))("%s reads as expected", (_path, file) => {
    const src = source(file.path);
    expect(detectFormat(src)).toBe(DETECTED[file.format]);
    const contact = parseTranscript(src);
    expect(contact.format).toBe(FORMAT_NAME[file.format](file.version));
    expect(contact.channel).toBe(file.channel);
    expect(contact.contactId).toBe(file.contactId);
    expect(contact.turns).toHaveLength(file.turns);
    expect(contact.customerId).toBe(src.metadata["customer-id"]);
    expect(contact.sourceKey).toBe(file.path);
    expect(contact.turns.every((t) => t.text.trim().length > 0)).toBe(true);

    const speakers = new Set(contact.turns.map((t) => t.speaker));
    if (file.roles.length > 0) {
      expect([...speakers].sort()).toEqual(file.roles.map((r) => r.toLowerCase()).sort());
    } else if ((file.speakers ?? []).length > 1) {
      expect([...speakers].sort()).toEqual(["agent", "customer"]); // first speaker / ch_0 = agent, the others customer
    } else {
      expect([...speakers]).toEqual(["customer"]); // one unlabelled voice
    }
    if (file.format === "contact-lens") {
      const identity = contactLensIdentity(JSON.parse(src.body.toString()), file.path);
      expect(identity).toEqual({ contactId: file.contactId, redacted: file.redacted, version: file.version, channel: file.channel });
    }
  });

  it.each(expected.contacts.map((c) => [c.contactId, c] as const))("contact %s: start time, turns and the preferred file", (_id, c) => {
    for (const path of c.files) {
      const contact = parseTranscript(source(path));
      expect(contact.contactId).toBe(c.contactId);
      expect(contact.startedAt).toBe(c.startedAt);
      expect(contact.turns).toHaveLength(c.turns);
    }
    if (c.files.length > 1) {
      const redacted = c.files.filter((p) => contactLensIdentity(JSON.parse(readFileSync(ROOT + p, "utf8")), p).redacted);
      expect(redacted).toEqual([c.preferredFile]);
    }
  });

  it("the redacted and the original chat give one contact: same id, start and number of turns, redacted text", () => {
    // The documentation's twin files differ in a few AbsoluteTimes and one role, so only these are compared.
    const [original, redacted] = expected.contacts.find((c) => c.files.length === 2)!.files.map((p) => parseTranscript(source(p)));
    expect(redacted!.contactId).toBe(original!.contactId);
    expect(redacted!.startedAt).toBe(original!.startedAt);
    expect(redacted!.turns).toHaveLength(original!.turns.length);
    expect(redacted!.turns[3]!.text).toContain("[PII]");
    expect(original!.turns[3]!.text).toContain("Jane");
  });

  it("keeps chat events out of the turns and offsets relative to the first AbsoluteTime", () => {
    const chat = parseTranscript(source(expected.contacts.find((c) => c.files.length === 2)!.preferredFile));
    expect(chat.turns[0]).toMatchObject({ speaker: "system", offsetMs: 2_655 });
    expect(chat.endedAt).toBe("2022-10-27T03:34:43.192Z");
  });

  it("uses only the fictional customer ids of the sidecars", () => {
    const ids = new Set(expected.files.map((f) => parseTranscript(source(f.path)).customerId));
    for (const id of ids) expect(expected.rawCustomerIds).toContain(id);
  });
});
