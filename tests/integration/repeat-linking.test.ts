import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, envelope, type LocalStack } from "../support/local-stack.ts";
import { createAwsClients } from "../../lib/adapters/aws-clients.ts";

// Texts the shipped reason model must read unambiguously; the first test checks that premise.
const REFUND = "I returned the jacket three weeks ago and I still have not received my refund, where is my money back?";
const PASSWORD = "I forgot my password and now my account is locked, I cannot log in at all.";

const WINDOW_MS = 7 * 86_400_000;
const at = (base: string, offsetMs: number) => new Date(Date.parse(base) + offsetMs).toISOString();

describe("repeat linking on the local S3 and DynamoDB servers", () => {
  let stack: LocalStack;
  let uploads = 0;
  const upload = async (key: string, body: string) => {
    uploads++;
    await stack.upload(key, body);
  };

  beforeAll(async () => {
    stack = await startLocalStack({ windowDays: 7, defaultCountry: "NL", timeZone: "Europe/Amsterdam" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("reads the test texts as the reasons the tests rely on", () => {
    expect(stack.runtime.reasonClassifier.predict(REFUND, "en").label).toBe("refund");
    expect(stack.runtime.reasonClassifier.predict(PASSWORD, "en").label).toBe("account_access");
  });

  it("links a repeat within the window to its first contact", async () => {
    const t0 = "2026-11-02T09:00:00.000Z";
    await upload("transcripts/window/first.json", envelope({ contactId: "w-1", customerId: "+31 6 1111 2222", startedAt: t0, text: REFUND }));
    await upload("transcripts/window/repeat.json", envelope({ contactId: "w-2", customerId: "+31 6 1111 2222", startedAt: at(t0, WINDOW_MS), text: REFUND }));
    await stack.settle(uploads);
    const first = await stack.runtime.contacts.getContact("w-1");
    const repeat = await stack.runtime.contacts.getContact("w-2");
    expect(first).toMatchObject({ role: "first", chainId: "w-1", repeatedBy: "w-2" });
    expect(repeat).toMatchObject({ role: "repeat", repeatOf: "w-1", chainId: "w-1" });
    expect(repeat?.rootCause).toBeDefined();
  });

  it("does not link a contact one minute past the window", async () => {
    const t0 = "2026-11-03T09:00:00.000Z";
    await upload("transcripts/late/first.json", envelope({ contactId: "l-1", customerId: "+31 6 3333 4444", startedAt: t0, text: REFUND }));
    await upload("transcripts/late/second.json", envelope({ contactId: "l-2", customerId: "+31 6 3333 4444", startedAt: at(t0, WINDOW_MS + 60_000), text: REFUND }));
    await stack.settle(uploads);
    expect(await stack.runtime.contacts.getContact("l-1")).toMatchObject({ role: "first", repeatedBy: null });
    expect(await stack.runtime.contacts.getContact("l-2")).toMatchObject({ role: "first", repeatOf: null, chainId: "l-2" });
  });

  it("does not link a contact about a different reason", async () => {
    const t0 = "2026-11-04T09:00:00.000Z";
    await upload("transcripts/reason/first.json", envelope({ contactId: "r-1", customerId: "+31 6 5555 6666", startedAt: t0, text: REFUND }));
    await upload("transcripts/reason/second.json", envelope({ contactId: "r-2", customerId: "+31 6 5555 6666", startedAt: at(t0, 3_600_000), text: PASSWORD }));
    await stack.settle(uploads);
    expect(await stack.runtime.contacts.getContact("r-2")).toMatchObject({ role: "first", repeatOf: null });
  });

  it("treats two formats of the same phone number as one customer", async () => {
    const t0 = "2026-11-05T09:00:00.000Z";
    await upload("transcripts/phone/a.json", envelope({ contactId: "p-1", customerId: "0031 6 7777 8888", startedAt: t0, text: REFUND }));
    await upload("transcripts/phone/b.json", envelope({ contactId: "p-2", customerId: "06-77778888", startedAt: at(t0, 86_400_000), text: REFUND }));
    await stack.settle(uploads);
    const [a, b] = [await stack.runtime.contacts.getContact("p-1"), await stack.runtime.contacts.getContact("p-2")];
    expect(a?.customerKey).toBe(b?.customerKey);
    expect(b).toMatchObject({ role: "repeat", repeatOf: "p-1" });
  });

  it("stores no raw customer identifier", async () => {
    const record = await stack.runtime.contacts.getContact("p-1");
    const stored = JSON.stringify(record);
    expect(stored).not.toContain("7777");
    expect(record?.customerKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives one contact when the same file is uploaded twice", async () => {
    const body = envelope({ contactId: "d-1", customerId: "dup@example.com", startedAt: "2026-11-06T09:00:00.000Z", text: REFUND });
    await upload("transcripts/dup/one.json", body);
    await stack.settle(uploads);
    await upload("transcripts/dup/one.json", body);
    await upload("transcripts/dup/copy-of-one.json", body);
    await stack.settle(uploads);
    const week = (await stack.runtime.contacts.getContact("d-1"))!.week;
    const contacts = await stack.runtime.contacts.contactsOfWeek(week);
    expect(contacts.filter((c) => c.contactId === "d-1")).toHaveLength(1);
    expect(contacts.find((c) => c.contactId === "d-1")).toMatchObject({ role: "first", repeatOf: null, repeatedBy: null });
  });

  it("quarantines a broken file with its key and keeps going", async () => {
    await upload("transcripts/bad/broken.json", '{"schema": "recontact.transcript/v1", "contactId": "b-1"');
    await upload("transcripts/bad/no-customer.json", JSON.stringify({ schema: "recontact.transcript/v1", contactId: "b-2", customer: {}, channel: "chat", startedAt: "2026-11-06T10:00:00Z", turns: [] }));
    await upload("transcripts/bad/fine.json", envelope({ contactId: "b-3", customerId: "fine@example.com", startedAt: "2026-11-06T11:00:00.000Z", text: PASSWORD }));
    await stack.settle(uploads);
    expect(stack.outcomes.get("transcripts/bad/broken.json")?.[0]).toMatchObject({ status: "quarantined", code: "MALFORMED_JSON" });
    const missing = stack.outcomes.get("transcripts/bad/no-customer.json")?.[0];
    expect(missing).toMatchObject({ status: "quarantined", code: "MISSING_CUSTOMER_ID" });
    expect(missing && "error" in missing ? missing.error : "").toContain("transcripts/bad/no-customer.json (customer.id)");
    const record = await stack.runtime.objects.get("quarantine/transcripts/bad/broken.json.json");
    expect(JSON.parse(new TextDecoder().decode(record!.body))).toMatchObject({ objectKey: "transcripts/bad/broken.json", code: "MALFORMED_JSON" });
    // The original stays where it was, tagged as quarantined.
    expect(await stack.runtime.objects.get("transcripts/bad/broken.json")).toBeDefined();
    const { GetObjectTaggingCommand } = await import("@aws-sdk/client-s3");
    const { s3 } = createAwsClients({ s3Endpoint: stack.services.s3Endpoint });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: stack.services.bucket, Key: "transcripts/bad/broken.json" }));
    expect(tags.TagSet).toContainEqual({ Key: "recontact-status", Value: "quarantined" });
    s3.destroy();
    expect(await stack.runtime.contacts.getContact("b-3")).toMatchObject({ role: "first" });
  });

  it("decodes URL-encoded keys with spaces and Unicode as real S3 sends them", async () => {
    const key = "transcripts/klant gesprekken/überweisung 1.json";
    await upload(key, envelope({ contactId: "k-1", customerId: "k1@example.com", startedAt: "2026-11-07T09:00:00.000Z", text: PASSWORD }));
    await stack.settle(uploads);
    expect(stack.outcomes.get(key)?.[0]).toMatchObject({ status: "ok", contactId: "k-1" });
  });
});
