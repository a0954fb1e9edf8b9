import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngestHandler } from "../../functions/ingest/handler.ts";
import { customerKeyOfRaw, customerKeysOfRaw, forgetCustomer } from "../../lib/use-cases/forget-customer.ts";
import { dataOf } from "../support/faults.ts";
import { contactTraceRecord, envelope, startLocalStack, TEST_HASH_SECRET, type LocalStack } from "../support/local-stack.ts";

/**
 * Rotating the hashing secret on the local servers: after the rotation the ingest function holds
 * the new secret and, for the grace period, the previous one. A customer who comes back is
 * re-keyed as they arrive — their earlier contacts and contact trace records move to the new key
 * and the repeat links across the rotation; a customer who does not come back keeps the old key.
 */
const CONFIG = { windowDays: 7, timeZone: "Europe/Amsterdam", defaultCountry: "NL" };
const NEW_SECRET = "rotated-hash-secret-abcdefghijklmnop";
const REFUND = "I returned the jacket three weeks ago and I still have not received my refund, where is my money back?";
const RETURNING = "+31 6 3000 0001";
const GONE = "gone@example.com";
const keyOf = (raw: string, secret: string) => customerKeyOfRaw(raw, secret, CONFIG);

describe("rotating the hashing secret", () => {
  let stack: LocalStack;
  let ingest: (event: SQSEvent) => Promise<SQSBatchResponse>;
  let uploads = 0;
  const upload = async (key: string, body: string) => {
    uploads++;
    await stack.upload(key, body);
    await stack.settle(uploads);
  };

  beforeAll(async () => {
    stack = await startLocalStack(CONFIG, {
      // The queue's function can be swapped, as a deployment swaps its containers.
      wrapHandler: (handler) => {
        ingest = handler;
        return (event) => ingest(event);
      },
    });
    await upload("transcripts/r-1.json", envelope({ contactId: "r-1", customerId: RETURNING, startedAt: "2026-11-02T09:00:00.000Z", text: REFUND }));
    await upload("transcripts/g-1.json", envelope({ contactId: "g-1", customerId: GONE, startedAt: "2026-11-02T10:00:00.000Z", text: REFUND }));
    await upload(
      "ctr/2026/11/03/firehose-r",
      contactTraceRecord({ contactId: "r-ctr", customer: "+31630000001", initiatedAt: "2026-11-03T08:00:00Z", updatedAt: "2026-11-03T08:10:00Z" }),
    );
    // The rotation: new containers hold the new secret and, for the grace period, the previous one.
    ingest = createIngestHandler({ ...stack.runtime, hashSecret: NEW_SECRET, previousHashSecret: TEST_HASH_SECRET });
    await upload("transcripts/r-2.json", envelope({ contactId: "r-2", customerId: "06 3000 0001", startedAt: "2026-11-04T09:00:00.000Z", text: REFUND }));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("moves a returning customer's contacts and contact trace records to the new key, and links across the rotation", async () => {
    const [before, after] = [keyOf(RETURNING, TEST_HASH_SECRET), keyOf(RETURNING, NEW_SECRET)];
    const first = await stack.runtime.contacts.getContact("r-1");
    expect(first).toMatchObject({ customerKey: after, role: "first", repeatedBy: "r-2" });
    expect(await stack.runtime.contacts.getContact("r-2")).toMatchObject({ customerKey: after, role: "repeat", repeatOf: "r-1" });
    expect((await stack.runtime.contacts.getCtr("r-ctr"))?.customerKey).toBe(after);
    expect((await stack.runtime.contacts.readTimeline(before)).records).toEqual([]);
    // Nothing but the emptied timeline's version item still names the former key.
    const named = (await dataOf(stack)).items.filter((item) => JSON.stringify(item).includes(before));
    expect(named.map((item) => item.sk)).toEqual(["~TIMELINE"]);
  });

  it("leaves a customer who did not come back under the former key", async () => {
    expect(await stack.runtime.contacts.getContact("g-1")).toMatchObject({ customerKey: keyOf(GONE, TEST_HASH_SECRET) });
  });

  it("forgets a customer under both keys during the grace period", async () => {
    const rotated = { ...stack.runtime, hashSecret: NEW_SECRET, previousHashSecret: TEST_HASH_SECRET };
    const keys = customerKeysOfRaw(GONE, rotated);
    expect(keys).toEqual([keyOf(GONE, NEW_SECRET), keyOf(GONE, TEST_HASH_SECRET)]);
    const result = await forgetCustomer(keys, rotated);
    expect(result.removed.contacts).toBe(1);
    expect(await stack.runtime.contacts.getContact("g-1")).toBeUndefined();
  });
});
