import { inputError } from "../support/input-error.ts";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InputError } from "../../lib/errors.ts";
import { contactLensIdentity, parseContactLens } from "../../lib/formats/contact-lens.ts";
import { ctrFacts, initiationOf, isAbandoned, isCtrObject, latestCtr, parseCtrObject, type CtrRecord } from "../../lib/formats/ctr.ts";
import { detectFormat, parseTranscript, type TranscriptSource } from "../../lib/formats/parse-transcript.ts";
import { isPlainText } from "../../lib/formats/plain-text.ts";

const DOCS = fileURLToPath(new URL("../fixtures/formats/docs/", import.meta.url));
const REAL = fileURLToPath(new URL("../fixtures/formats/real/", import.meta.url));

/** A fixture as the ingest path sees it: key, bytes and the S3 metadata of its sidecar. */
function fixture(path: string, metadata?: Record<string, string>, root = DOCS): TranscriptSource {
  const sidecar = `${root}${path}.meta.json`;
  const fromSidecar = existsSync(sidecar) ? (JSON.parse(readFileSync(sidecar, "utf8")) as Record<string, string>) : {};
  return { key: path, body: readFileSync(root + path), metadata: metadata ?? fromSidecar };
}
const text = (path: string) => readFileSync(DOCS + path, "utf8");
const json = (path: string, root = DOCS): unknown => JSON.parse(readFileSync(root + path, "utf8"));
const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const inline = (key: string, value: unknown, metadata: Record<string, string> = {}): TranscriptSource => ({ key, body: encode(value), metadata });

function expectInputError(fn: () => unknown, code: string, key: string, field: string | undefined): InputError {
  const error = inputError(fn);
  expect(error.code).toBe(code);
  expect(error.field).toBe(field);
  expect(error.objectKey).toBe(key);
  expect(error.message).toContain(key);
  expect(error.retryable).toBe(false);
  return error;
}

const CL_100 = "contact-lens/Analysis/Voice/Redacted/2019/03/22/11111111-1111-1111-1111-11111111111_analysis_redacted_2019-03-22T23:40:00Z.json";
const CL_110 = "contact-lens/Analysis/Voice/2020/02/04/1d0c1100-0000-4000-8000-000000000121_analysis_2020-02-04T21:14:16Z.json";
const CL_VOICE_2022 = "contact-lens/Analysis/Voice/2022/11/07/1d0c1100-0000-4000-8000-000000000122_analysis_2022-11-07T22:10:04Z.json";
const CL_CHAT = "contact-lens/Analysis/Chat/2022/10/27/1d0c1100-0000-4000-8000-000000000123_analysis_2022-10-27T03:34:43Z.json";
const TR_ALT = "transcribe/alternatives/my-first-transcription-job.json";
const TR_SPEAKERS = "transcripts/transcribe/docs-speaker-partitioning/my-first-transcription-job.json";
const TR_CHANNELS = "transcripts/transcribe/docs-channel-identification/my-first-transcription-job.json";
const CA_2022 = "transcripts/call-analytics/2022/example-call.wav.json";
const CTR_CONCAT = "ctr/2024/05/13/10/recontact-ctr-1-2024-05-13-10-15-42-6f1c3c1e-5f43-4a8b-9a3e-0d7a1e2b3c4d";
const CTR_LINES = "ctr/2024/05/13/11/recontact-ctr-1-2024-05-13-11-20-03-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const CTR_ARRAY = "ctr/exports/ctr-array.json";

describe("Contact Lens analysis files (SPEC 2.2)", () => {
  it("1.0.0: roles from Participants when entries carry only a ParticipantId; start from the recording name", () => {
    const contact = parseTranscript(fixture(CL_100));
    expect(contact).toMatchObject({
      contactId: "11111111-1111-1111-1111-11111111111",
      customerId: "+1 206 555 0120",
      channel: "voice",
      startedAt: "2019-03-22T23:23:00.000Z", // …_20190322T23:23_UTC.wav in CustomerMetadata.InputS3Uri
      language: "en",
      initiation: "inbound",
      disposition: "completed",
      format: "contact-lens/1.0.0",
    });
    expect(contact.turns.map((t) => [t.speaker, t.offsetMs])).toEqual([
      ["agent", 0],
      ["customer", 500],
      ["customer", 1500],
    ]);
    expect(contact).not.toHaveProperty("endedAt");
    expect(contactLensIdentity(json(CL_100), CL_100)).toEqual({
      contactId: "11111111-1111-1111-1111-11111111111",
      redacted: true,
      version: "1.0.0",
      channel: "voice",
    });
  });

  it("1.1.0: ids listed in Participants and role-named ids that are not; contact id and start from the key", () => {
    const contact = parseTranscript(fixture(CL_110));
    expect(contact.contactId).toBe("1d0c1100-0000-4000-8000-000000000121");
    expect(contact.startedAt).toBe("2020-02-04T21:14:16.000Z");
    expect(contact.format).toBe("contact-lens/1.1.0");
    expect(contact.turns.map((t) => t.speaker)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? "agent" : "customer")));
    expect(contact.turns[3]).toEqual({ speaker: "customer", text: "I need to cancel. I want to cancel my plan subscription.", offsetMs: 7370 });
    expect(contactLensIdentity(json(CL_110), CL_110).redacted).toBe(false);
  });

  it("VOICE-2022-11-30 with started-at metadata", () => {
    const contact = parseTranscript(fixture(CL_VOICE_2022));
    expect(contact).toMatchObject({ format: "contact-lens/VOICE-2022-11-30", startedAt: "2022-11-07T22:09:30.000Z", channel: "voice" });
    expect(contact.turns).toHaveLength(10);
  });

  it("chat: roles from the join events and SYSTEM_MESSAGE, events are not turns, AbsoluteTime gives start, end and offsets", () => {
    const contact = parseTranscript(fixture(CL_CHAT));
    expect(contact.channel).toBe("chat");
    expect(contact.startedAt).toBe("2022-10-27T03:31:50.735Z");
    expect(contact.endedAt).toBe("2022-10-27T03:34:43.192Z");
    expect(contact.turns.map((t) => t.speaker)).toEqual([
      "system",
      "system",
      "system",
      "agent",
      "customer",
      "customer",
      "customer",
      "agent",
      "customer",
    ]);
    expect(contact.turns[0]!.offsetMs).toBe(2655);
    expect(contact.turns.some((t) => t.text.includes("participant"))).toBe(false);
  });

  it("a key-only contact id survives URL encoding of the key", () => {
    const key = "Analysis/Voice/2020/02/04/1d0c1100-0000-4000-8000-000000000121_analysis_2020-02-04T21%3A14%3A16Z.json";
    const contact = parseContactLens(json(CL_110), { key, metadata: { "customer-id": "x-1" } });
    expect(contact.contactId).toBe("1d0c1100-0000-4000-8000-000000000121");
    expect(contact.startedAt).toBe("2020-02-04T21:14:16.000Z");
  });

  it("a missing customer id asks for the contact trace record, naming key and field", () => {
    const error = expectInputError(() => parseTranscript(fixture(CL_110, {})), "MISSING_CUSTOMER_ID", CL_110, "customer-id");
    expect(error.message).toContain("contact trace record");
    expect(error.message).toContain("1d0c1100-0000-4000-8000-000000000121");
  });

  it("a wrong type in Transcript[0].Content is a schema violation naming that field", () => {
    const file = json(CL_VOICE_2022) as { Transcript: Record<string, unknown>[] };
    file.Transcript[0]!.Content = 42;
    expectInputError(() => parseTranscript(inline(CL_VOICE_2022, file, { "customer-id": "c" })), "SCHEMA_VIOLATION", CL_VOICE_2022, "Transcript[0].Content");
  });

  it("a speaker that cannot be told is an error, not a guess", () => {
    const file = json(CL_VOICE_2022) as { Transcript: Record<string, unknown>[] };
    file.Transcript[2]!.ParticipantId = "someone-else";
    expectInputError(() => parseTranscript(inline(CL_VOICE_2022, file, { "customer-id": "c" })), "SCHEMA_VIOLATION", CL_VOICE_2022, "Transcript[2].ParticipantRole");
  });

  it("an unknown Version, or no contact id anywhere, is a schema violation", () => {
    const file = json(CL_VOICE_2022) as Record<string, unknown>;
    expectInputError(() => parseTranscript(inline("a.json", { ...file, Version: "two" }, { "customer-id": "c" })), "SCHEMA_VIOLATION", "a.json", "Version");
    expectInputError(() => parseTranscript(inline("a.json", file, { "customer-id": "c" })), "SCHEMA_VIOLATION", "a.json", "CustomerMetadata.ContactId");
  });

  it("a chat with only events has no text", () => {
    const file = json(CL_CHAT) as { Transcript: { Type?: string }[] };
    file.Transcript = file.Transcript.filter((e) => e.Type === "EVENT");
    expectInputError(() => parseTranscript(inline(CL_CHAT, file, { "customer-id": "c" })), "EMPTY_TEXT", CL_CHAT, "turns");
  });

  it("truncated JSON is malformed, naming the key", () => {
    const body = readFileSync(DOCS + CL_110).subarray(0, 500);
    expectInputError(() => parseTranscript({ key: CL_110, body, metadata: { "customer-id": "c" } }), "MALFORMED_JSON", CL_110, undefined);
  });
});

describe("Amazon Transcribe output (SPEC 2.3)", () => {
  it("standard, no labels: punctuation glued to the word, first alternative, one customer turn, job name as contact id", () => {
    const contact = parseTranscript(fixture(TR_ALT));
    expect(contact).toMatchObject({
      contactId: "my-first-transcription-job",
      customerId: "+1 206 555 0124",
      channel: "voice",
      startedAt: "2023-05-19T11:00:00.000Z",
      language: "en",
      format: "transcribe/standard",
    });
    expect(contact.turns).toEqual([{ speaker: "customer", text: "The amazon is the largest rainforest on the planet.", offsetMs: 1150 }]);
  });

  it("channels: ch_0 is the agent by default; customer-channel / agent-channel metadata decide when given", () => {
    const byDefault = parseTranscript(fixture(TR_CHANNELS, undefined, REAL));
    expect(byDefault.turns.map((t) => [t.speaker, t.text])).toEqual([
      ["agent", "I've been on hold for an hour."],
      ["customer", "Sorry about that."],
    ]);
    const meta = JSON.parse(readFileSync(`${REAL}${TR_CHANNELS}.meta.json`, "utf8")) as Record<string, string>;
    for (const override of [{ "customer-channel": "ch_0" }, { "agent-channel": "ch_1" }] as Record<string, string>[]) {
      const contact = parseTranscript(fixture(TR_CHANNELS, { ...meta, ...override }, REAL));
      expect(contact.turns.map((t) => t.speaker)).toEqual(["customer", "agent"]);
    }
  });

  it("speakers: the first speaker is the agent by default; agent-speaker metadata decides when given", () => {
    const meta = JSON.parse(readFileSync(`${REAL}${TR_SPEAKERS}.meta.json`, "utf8")) as Record<string, string>;
    expect(parseTranscript(fixture(TR_SPEAKERS, meta, REAL)).turns.map((t) => t.speaker)).toEqual(["agent", "customer"]);
    expect(parseTranscript(fixture(TR_SPEAKERS, { ...meta, "agent-speaker": "spk_1" }, REAL)).turns.map((t) => t.speaker)).toEqual(["customer", "agent"]);
  });

  it("speaker segments are turns, also when items carry no speaker_label; consecutive segments of one speaker stay apart", () => {
    const word = (content: string, start: string, end: string) => ({ start_time: start, end_time: end, alternatives: [{ confidence: "1.0", content }], type: "pronunciation" });
    const out = {
      jobName: "j-1",
      results: {
        transcripts: [{ transcript: "Hello, billing. Hi. My bill, it's wrong!" }],
        speaker_labels: {
          speakers: 2,
          segments: [
            { speaker_label: "spk_0", start_time: "0.1", end_time: "1.0", items: [{ speaker_label: "spk_0", start_time: "0.1", end_time: "0.5" }, { speaker_label: "spk_0", start_time: "0.5", end_time: "1.0" }] },
            { speaker_label: "spk_1", start_time: "1.2", end_time: "1.5", items: [{ speaker_label: "spk_1", start_time: "1.2", end_time: "1.5" }] },
            { speaker_label: "spk_1", start_time: "3.0", end_time: "4.0", items: [{ speaker_label: "spk_1", start_time: "3.0", end_time: "3.2" }, { speaker_label: "spk_1", start_time: "3.2", end_time: "3.6" }, { speaker_label: "spk_1", start_time: "3.6", end_time: "3.8" }, { speaker_label: "spk_1", start_time: "3.8", end_time: "4.0" }] },
          ],
        },
        items: [
          word("Hello", "0.1", "0.5"),
          { alternatives: [{ confidence: "0.0", content: "," }], type: "punctuation" },
          word("billing", "0.5", "1.0"),
          { alternatives: [{ confidence: "0.0", content: "." }], type: "punctuation" },
          word("Hi", "1.2", "1.5"),
          { alternatives: [{ confidence: "0.0", content: "." }], type: "punctuation" },
          word("My", "3.0", "3.2"),
          word("bill", "3.2", "3.6"),
          { alternatives: [{ confidence: "0.0", content: "," }], type: "punctuation" },
          word("it's", "3.6", "3.8"),
          word("wrong", "3.8", "4.0"),
          { alternatives: [{ confidence: "0.0", content: "!" }], type: "punctuation" },
        ],
      },
      status: "COMPLETED",
    };
    const contact = parseTranscript(inline("out/j-1.json", out, { "customer-id": "c", "started-at": "2024-01-01T10:00:00Z" }));
    expect(contact.contactId).toBe("j-1");
    expect(contact.turns).toEqual([
      { speaker: "agent", text: "Hello, billing.", offsetMs: 100 },
      { speaker: "customer", text: "Hi.", offsetMs: 1200 },
      { speaker: "customer", text: "My bill, it's wrong!", offsetMs: 3000 },
    ]);
  });

  it("Call Analytics: one turn per entry with its role; text from word Items when Content is absent", () => {
    const contact = parseTranscript(fixture(CA_2022, undefined, REAL));
    expect(contact.format).toBe("transcribe/call-analytics");
    expect(contact.turns[0]).toMatchObject({ speaker: "agent", offsetMs: 40 });
    const out = {
      JobName: "ca-job",
      Channel: "VOICE",
      Transcript: [
        {
          ParticipantRole: "CUSTOMER",
          BeginOffsetMillis: 10,
          Items: [
            { Type: "pronunciation", Content: "My", Confidence: 1 },
            { Type: "pronunciation", Content: "card", Confidence: 1 },
            { Type: "punctuation", Content: "," },
            { Type: "pronunciation", Content: "stolen", Confidence: 1 },
            { Type: "punctuation", Content: "." },
          ],
        },
      ],
    };
    const built = parseTranscript(inline("ca/ca-job.json", out, { "customer-id": "c", "started-at": "2024-01-01T10:00:00Z", channel: "VOICE" }));
    expect(built.contactId).toBe("ca-job");
    expect(built.turns).toEqual([{ speaker: "customer", text: "My card, stolen.", offsetMs: 10 }]);
  });

  it("contact id from contact-id metadata, else the job name, else the file name", () => {
    const out = json(TR_ALT) as Record<string, unknown>;
    const meta = { "customer-id": "c", "started-at": "2024-01-01T10:00:00Z" };
    expect(parseTranscript(inline("x/y.json", out, { ...meta, "contact-id": "c-9" })).contactId).toBe("c-9");
    const { jobName: _dropped, ...withoutJob } = out;
    expect(parseTranscript(inline("x/call-0042.json", withoutJob, meta)).contactId).toBe("call-0042");
  });

  it.each([
    [{ "started-at": "2024-01-01T10:00:00Z" }, "MISSING_CUSTOMER_ID", "customer-id"],
    [{ "customer-id": "  " , "started-at": "2024-01-01T10:00:00Z" }, "MISSING_CUSTOMER_ID", "customer-id"],
    [{ "customer-id": "c" }, "SCHEMA_VIOLATION", "started-at"],
    [{ "customer-id": "c", "started-at": "yesterday" }, "SCHEMA_VIOLATION", "started-at"],
    [{ "customer-id": "c", "started-at": "2024-01-01T10:00:00Z", channel: "fax" }, "SCHEMA_VIOLATION", "channel"],
  ])("metadata %j → %s naming %s", (metadata, code, field) => {
    expectInputError(() => parseTranscript(fixture(TR_ALT, metadata)), code, TR_ALT, field);
  });

  it("a wrong type inside the output names the field", () => {
    const out = json(TR_ALT) as { results: { items: Record<string, unknown>[] } };
    out.results.items[1]!.alternatives = [{ content: 7 }];
    expectInputError(
      () => parseTranscript(inline(TR_ALT, out, { "customer-id": "c", "started-at": "2024-01-01T10:00:00Z" })),
      "SCHEMA_VIOLATION",
      TR_ALT,
      "results.items[1].alternatives[0].content",
    );
  });
});

describe("contact trace records from Kinesis Firehose", () => {
  const concat = parseCtrObject(text(CTR_CONCAT), CTR_CONCAT);
  const lines = parseCtrObject(text(CTR_LINES), CTR_LINES);
  const array = parseCtrObject(text(CTR_ARRAY), CTR_ARRAY);
  const A = "c0ffee00-0000-4000-8000-00000000000a";
  const B = "c0ffee00-0000-4000-8000-00000000000b";

  it("splits records concatenated without separators, with newlines, or in an array", () => {
    expect(text(CTR_CONCAT)).toContain("}{");
    expect(concat.map((r) => r.ContactId)).toEqual([A, A, B, A]);
    expect(concat[0]!.InitiationTimestamp).toBe("2024-05-13T10:01:10.000Z");
    expect((concat[0] as Record<string, unknown>).Attributes).toEqual({ note: 'customer said "}{" twice', intent: "billing" });
    expect(lines.map((r) => r.Channel)).toEqual(["CHAT", "VOICE", "VOICE"]);
    expect(array.map((r) => r.InitiationMethod)).toEqual(["CALLBACK"]);
  });

  it("the record with the latest LastUpdateTimestamp wins per contact, whatever the order", () => {
    const latest = latestCtr(concat);
    expect([...latest.keys()]).toEqual([A, B]);
    expect(latest.get(A)!.LastUpdateTimestamp).toBe("2024-05-13T10:12:44.000Z");
    expect(latestCtr([...concat].reverse()).get(A)).toEqual(latest.get(A));
  });

  it("on a tie the later record in input order wins", () => {
    const first = { ...concat[0]!, Queue: { Name: "first" } } as CtrRecord;
    const second = { ...concat[0]!, Queue: { Name: "second" } } as CtrRecord;
    expect(latestCtr([first, second]).get(A)!.Queue!.Name).toBe("second");
    expect(latestCtr([second, first]).get(A)!.Queue!.Name).toBe("first");
  });

  it("abandoned: enqueued and no agent connected", () => {
    const latest = latestCtr(concat);
    expect(isAbandoned(latest.get(B)!)).toBe(true); // "Agent": null
    expect(isAbandoned(latest.get(A)!)).toBe(false);
    const noConnect = { ...latest.get(A)!, Agent: { Username: "jdoe" } } as CtrRecord;
    expect(isAbandoned(noConnect)).toBe(true);
    expect(isAbandoned({ ...latest.get(B)!, Queue: null })).toBe(false); // never queued: IVR only
  });

  it("facts for the join: customer endpoint, initiation, agent, queue, times, disposition", () => {
    const latest = latestCtr([...concat, ...lines, ...array]);
    expect(ctrFacts(latest.get(A)!)).toEqual({
      contactId: A,
      customerId: "+12065550130",
      channel: "voice",
      startedAt: "2024-05-13T10:01:10.000Z",
      endedAt: "2024-05-13T10:05:30.000Z",
      initiation: "inbound",
      agentId: "jdoe",
      queue: "Billing",
      disposition: "completed",
    });
    expect(ctrFacts(latest.get(B)!)).toMatchObject({ disposition: "abandoned", queue: "Billing" });
    expect(ctrFacts(latest.get(B)!)).not.toHaveProperty("agentId");
    const chat = ctrFacts(lines[0]!);
    expect(chat).toMatchObject({ channel: "chat", initiation: "inbound" }); // API on a chat = the customer opened the chat
    expect(chat).not.toHaveProperty("customerId");
    expect(ctrFacts(lines[1]!)).toMatchObject({ initiation: "transfer", previousContactId: A });
    expect(ctrFacts(lines[2]!)).toMatchObject({ initiation: "outbound" }); // API on voice = StartOutboundVoiceContact
    expect(ctrFacts(array[0]!)).toMatchObject({ initiation: "callback", previousContactId: B });
  });

  it.each([
    ["INBOUND", "VOICE", "inbound"],
    ["OUTBOUND", "VOICE", "outbound"],
    ["TRANSFER", "VOICE", "transfer"],
    ["QUEUE_TRANSFER", "VOICE", "transfer"],
    ["CALLBACK", "VOICE", "callback"],
    ["API", "VOICE", "outbound"],
    ["API", "TASK", "outbound"],
    ["API", "CHAT", "inbound"],
    ["EXTERNAL_OUTBOUND", "VOICE", "outbound"],
    ["DISCONNECT", "VOICE", "transfer"],
    ["MONITOR", "VOICE", "transfer"],
    ["WEBRTC_API", "VOICE", "inbound"],
    ["SOMETHING_NEW", "VOICE", "inbound"],
  ] as const)("InitiationMethod %s on %s → %s", (method, channel, initiation) => {
    expect(initiationOf(method, channel)).toBe(initiation);
  });

  it("detects CTRs by content and keeps them out of parseTranscript", () => {
    for (const path of [CTR_CONCAT, CTR_LINES, CTR_ARRAY]) {
      expect(isCtrObject(text(path))).toBe(true);
      expect(detectFormat(fixture(path, {}))).toBe("ctr");
      expectInputError(() => parseTranscript(fixture(path, { "customer-id": "c" })), "UNKNOWN_FORMAT", path, undefined);
    }
    expect(isCtrObject(text(CL_110))).toBe(false);
    expect(isCtrObject("Agent: hi")).toBe(false);
  });

  it("truncated, interleaved with garbage, or off the data model: errors naming key and record field", () => {
    const all = text(CTR_CONCAT);
    expectInputError(() => parseCtrObject(all.slice(0, all.length - 20), "k1"), "MALFORMED_JSON", "k1", undefined);
    expectInputError(() => parseCtrObject(`${all}garbage`, "k2"), "MALFORMED_JSON", "k2", undefined);
    expectInputError(() => parseCtrObject("", "k3"), "EMPTY_OBJECT", "k3", undefined);
    const bad = text(CTR_LINES).replace('"InitiationTimestamp":"2024-05-13T10:05:30Z"', '"InitiationTimestamp":"soon"');
    expectInputError(() => parseCtrObject(bad, "k4"), "SCHEMA_VIOLATION", "k4", "[1].InitiationTimestamp");
  });
});

describe("plain text (SPEC 2.4)", () => {
  const cases = [
    ["en-billing", ["agent", "customer", "agent", "customer"]],
    ["en-short", ["system", "agent", "customer", "agent"]],
    ["nl-factuur", ["agent", "customer", "agent", "customer"]],
    ["ar-refund", ["agent", "customer", "agent", "customer"]],
    ["fa-password", ["agent", "customer", "agent"]],
    ["ko-cancel", ["agent", "customer", "agent", "customer"]],
    ["zh-delivery", ["agent", "customer", "agent", "customer"]],
  ] as const;

  it.each(cases)("%s", (name, speakers) => {
    const path = `plain-text/${name}.txt`;
    expect(detectFormat(fixture(path))).toBe("plain-text");
    const contact = parseTranscript(fixture(path));
    expect(contact.format).toBe("plain-text");
    expect(contact.turns.map((t) => t.speaker)).toEqual(speakers);
    expect(contact.turns.every((t) => t.text.length > 0 && !/^[\s:：]/.test(t.text))).toBe(true);
    expect(contact.contactId).toBe(name === "en-short" ? "pt-en-short-001" : name);
  });

  it("continuation lines join the turn before them; a header before the first speaker is no turn", () => {
    const contact = parseTranscript(fixture("plain-text/en-billing.txt"));
    expect(contact.turns[1]!.text).toBe("Hi, my invoice this month is much higher than usual.\nI think I was charged twice for the same service.");
    expect(contact.turns.some((t) => t.text.includes("exported"))).toBe(false);
    expect(parseTranscript(fixture("plain-text/fa-password.txt")).turns[1]!.text).toContain("لینک بازیابی");
  });

  it("channel and contact id from metadata", () => {
    expect(parseTranscript(fixture("plain-text/en-short.txt"))).toMatchObject({ channel: "chat", contactId: "pt-en-short-001" });
    expect(parseTranscript(fixture("plain-text/nl-factuur.txt"))).toMatchObject({ channel: "voice", startedAt: "2024-05-17T09:56:00.000Z" });
  });

  it("detection needs a known speaker prefix", () => {
    expect(isPlainText("hello world\nno speakers here")).toBe(false);
    expect(isPlainText("c: drive is full")).toBe(false);
    expect(isPlainText("Agentur: nein")).toBe(false);
    expect(isPlainText("notes\nCustomer : hi")).toBe(true);
    expectInputError(() => parseTranscript(inline("t/x.txt", "hello world", { "customer-id": "c" })), "UNKNOWN_FORMAT", "t/x.txt", undefined);
  });

  it("missing customer id or start time name the metadata field", () => {
    const path = "plain-text/zh-delivery.txt";
    expectInputError(() => parseTranscript(fixture(path, { "started-at": "2024-01-01T10:00:00Z" })), "MISSING_CUSTOMER_ID", path, "customer-id");
    expectInputError(() => parseTranscript(fixture(path, { "customer-id": "c" })), "SCHEMA_VIOLATION", path, "started-at");
    expectInputError(
      () => parseTranscript(inline("t/e.txt", "Agent:\nCustomer:   ", { "customer-id": "c", "started-at": "2024-01-01T10:00:00Z" })),
      "EMPTY_TEXT",
      "t/e.txt",
      "turns",
    );
  });
});

describe("detection by content", () => {
  it.each([
    [CL_100, "contact-lens", DOCS],
    [CL_CHAT, "contact-lens", DOCS],
    [TR_ALT, "transcribe-standard", DOCS],
    [TR_SPEAKERS, "transcribe-standard", REAL],
    [CA_2022, "transcribe-call-analytics", REAL],
    ["transcripts/call-analytics/2021/example-call.json", "transcribe-call-analytics", REAL],
    ["plain-text/ko-cancel.txt", "plain-text", DOCS],
    [CTR_CONCAT, "ctr", DOCS],
  ] as const)("%s → %s", (path, format, root) => {
    expect(detectFormat(fixture(path, {}, root))).toBe(format);
  });

  it("the envelope, and unknown for anything else without throwing", () => {
    const envelope = { schema: "recontact.transcript/v1", contactId: "c", customer: { id: "x" }, channel: "chat", startedAt: "2024-01-01T10:00:00Z", turns: [] };
    expect(detectFormat(inline("e.json", envelope))).toBe("envelope");
    expect(detectFormat(inline("u.json", { hello: "world" }))).toBe("unknown");
    expect(detectFormat(inline("m.json", '{"Version": "1.1.0", "Transcript": ['))).toBe("unknown");
    expect(detectFormat({ key: "z", body: new Uint8Array(), metadata: {} })).toBe("unknown");
    expectInputError(() => parseTranscript(inline("u.json", { hello: "world" })), "UNKNOWN_FORMAT", "u.json", "schema");
  });
});
