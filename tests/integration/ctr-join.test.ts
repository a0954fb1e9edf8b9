import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContactRecord } from "../../lib/contact/contact-record.ts";
import { customerKeyOf } from "../../lib/contact/identity.ts";
import { buildWeeklyReport } from "../../lib/use-cases/build-weekly-report.ts";
import { expireWaitingTranscripts } from "../../lib/use-cases/expire-waiting.ts";
import { startLocalStack, type LocalStack } from "../support/local-stack.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CONTACT_ID = "7c77422d-f9ba-4111-ad48-b2f5dadf854a";
const LENS_KEY = `analysis/Voice/2022/06/22/${CONTACT_ID}_analysis_2022-06-22T17:00:12Z.json`;
const SECRET = "integration-test-secret-0123456789";

/** A contact trace record as Kinesis Firehose writes it, for the real Contact Lens call above. */
function ctr(version: number, agent: string | null) {
  return JSON.stringify({
    AWSAccountId: "123456789012",
    ContactId: CONTACT_ID,
    Channel: "VOICE",
    InitiationMethod: "INBOUND",
    InitiationTimestamp: "2022-06-22T16:54:41Z",
    DisconnectTimestamp: "2022-06-22T17:00:02Z",
    LastUpdateTimestamp: `2022-06-22T17:0${version}:30Z`,
    CustomerEndpoint: { Address: "+12065550142", Type: "TELEPHONE_NUMBER" },
    Agent: agent ? { Username: agent, ConnectedToAgentTimestamp: "2022-06-22T16:55:10Z" } : null,
    Queue: { Name: "BasicQueue", EnqueueTimestamp: "2022-06-22T16:54:50Z" },
    PreviousContactId: null,
  });
}

async function stackWith(order: ("lens" | "ctr" | "ctr-update")[]): Promise<{ stack: LocalStack; contact: ContactRecord | undefined }> {
  const stack = await startLocalStack({ timeZone: "UTC" });
  const lens = await readFile(join(ROOT, "tests/fixtures/formats/real/Analysis/Voice/2022/06/22", `${CONTACT_ID}_analysis_2022-06-22T17:00:12Z.json`));
  let n = 0;
  for (const step of order) {
    n++;
    if (step === "lens") await stack.upload(LENS_KEY, lens); // no customer-id metadata: only the CTR knows
    if (step === "ctr") await stack.upload(`ctr/2022/06/22/17/firehose-${n}`, ctr(1, "jane.doe"));
    if (step === "ctr-update") await stack.upload(`ctr/2022/06/22/17/firehose-${n}`, ctr(5, "john.roe"));
    await stack.settle(n);
  }
  return { stack, contact: await stack.runtime.contacts.getContact(CONTACT_ID) };
}

describe("Contact Lens joined with its contact trace record, on the local servers", () => {
  const stacks: LocalStack[] = [];
  let ctrFirst: ContactRecord | undefined;
  let transcriptFirst: ContactRecord | undefined;

  beforeAll(async () => {
    const a = await stackWith(["ctr", "lens"]);
    const b = await stackWith(["lens", "ctr"]);
    stacks.push(a.stack, b.stack);
    ctrFirst = a.contact;
    transcriptFirst = b.contact;
  });
  afterAll(async () => {
    await Promise.all(stacks.map((s) => s.stop()));
  });

  it("gives the same contact in either order, with the customer and facts from the CTR", () => {
    expect(ctrFirst).toBeDefined();
    const comparable = (c: ContactRecord | undefined) => c && { ...c, ingestedAt: "" };
    expect(comparable(transcriptFirst)).toEqual(comparable(ctrFirst));
    expect(ctrFirst).toMatchObject({
      customerKey: customerKeyOf("+12065550142", SECRET),
      startedAt: "2022-06-22T16:54:41.000Z",
      initiation: "inbound",
      disposition: "completed",
      queue: "BasicQueue",
      format: "contact-lens/1.1.0",
    });
  });

  it("holds a transcript without its CTR, counts it as waiting, and quarantines it when the wait is over", async () => {
    const { stack, contact } = await stackWith(["lens"]);
    stacks.push(stack);
    expect(contact).toBeUndefined();
    expect(stack.outcomes.get(LENS_KEY)?.[0]).toEqual({ status: "waiting", contactId: CONTACT_ID });
    const week = (await stack.runtime.contacts.pendingFor(CONTACT_ID))[0]!.week;
    const report = await buildWeeklyReport(week, stack.runtime);
    expect(report.totals.awaitingContactRecord).toBe(1);
    // Not yet expired at the configured wait …
    expect(await expireWaitingTranscripts(stack.runtime, [week])).toHaveLength(0);
    // … but at the end of the wait it is quarantined, naming the file and the field.
    const ended = await expireWaitingTranscripts(stack.runtime, [week], new Date(Date.now() + 1000));
    expect(ended).toEqual([expect.objectContaining({ objectKey: LENS_KEY, code: "MISSING_CUSTOMER_ID", field: "customer-id", contactId: CONTACT_ID })]);
    expect(await stack.runtime.contacts.pendingFor(CONTACT_ID)).toHaveLength(0);
    expect((await buildWeeklyReport(week, stack.runtime)).totals).toMatchObject({ awaitingContactRecord: 0, quarantined: 1 });
  });

  it("keeps the latest CTR: an update replaces the facts, a late older version does not", async () => {
    const { stack, contact } = await stackWith(["ctr", "lens", "ctr-update", "ctr"]);
    stacks.push(stack);
    expect(contact?.agentId).toBe("john.roe");
    expect((await stack.runtime.contacts.getCtr(CONTACT_ID))?.lastUpdated).toBe("2022-06-22T17:05:30.000Z");
  });
});
