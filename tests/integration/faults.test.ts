import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { SQSBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeFromEnv, type Runtime } from "../../lib/adapters/runtime.ts";
import { silentLogger } from "../../lib/log.ts";
import { seededRandom } from "../../lib/classify/random.ts";
import { dataOf, injectFaults, type FaultLog, type FaultPlan } from "../support/faults.ts";
import { contactTraceRecord, envelope, startLocalStack, TEST_HASH_SECRET, type LocalStack, type LocalStackOptions } from "../support/local-stack.ts";

/**
 * Fault injection on the local S3 and DynamoDB servers: the same inputs are ingested without
 * faults once, and then under throttling and server errors, with every message delivered three
 * times to many workers at once, and with the function "crashing" after each single write of a
 * delivery in turn. Every run must leave exactly the data of the fault-free run.
 *
 * RECONTACT_FAULT_SWEEP=all crashes after every write of every sequential step (slower); by
 * default the sweep covers the step that moves a contact, the one with the most writes to order.
 */
const CONFIG = { windowDays: 7, timeZone: "Europe/Amsterdam", defaultCountry: "NL" };
const NOW = new Date("2026-12-01T00:00:00.000Z");
const clock = () => NOW;
const SWEEP_ALL = process.env.RECONTACT_FAULT_SWEEP === "all";

const REFUND = "I returned the jacket three weeks ago and I still have not received my refund, where is my money back?";
const PASSWORD = "I forgot my password and now my account is locked, I cannot log in at all.";
const t0 = Date.parse("2026-11-02T09:00:00.000Z");
const at = (hours: number) => new Date(t0 + hours * 3_600_000).toISOString();

const ROOT = new URL("../../", import.meta.url);
const LENS_ID = "7c77422d-f9ba-4111-ad48-b2f5dadf854a";
const LENS_FILE = new URL(`tests/fixtures/formats/real/Analysis/Voice/2022/06/22/${LENS_ID}_analysis_2022-06-22T17:00:12Z.json`, ROOT);
const LENS_KEY = `analysis/Voice/2022/06/22/${LENS_ID}_analysis_2022-06-22T17:00:12Z.json`;
const CTR = contactTraceRecord({
  contactId: LENS_ID,
  customer: "+12065550142",
  initiatedAt: "2022-06-22T16:54:41Z",
  disconnectedAt: "2022-06-22T17:00:02Z",
  updatedAt: "2022-06-22T17:01:30Z",
  agent: "jane.doe",
  queue: "BasicQueue",
});

interface Upload {
  key: string;
  body: string | Uint8Array;
}

/** Concurrent arrivals: three customers' contacts, a broken file and a contact trace record. */
const FIRST_WAVE: Upload[] = [
  ...[
    { id: "a-1", customer: "+31 6 1000 0001", hours: 0, text: REFUND },
    { id: "a-2", customer: "0031 6 1000 0001", hours: 48, text: REFUND },
    { id: "a-3", customer: "+31 6 1000 0001", hours: 96, text: REFUND },
    { id: "a-4", customer: "+31 6 1000 0001", hours: 24, text: PASSWORD },
    { id: "b-1", customer: "b@example.com", hours: 1, text: REFUND },
    { id: "b-2", customer: "B@example.com", hours: 72, text: PASSWORD },
    { id: "b-3", customer: "b@example.com", hours: 288, text: PASSWORD },
    { id: "c-1", customer: "+31 6 1000 0003", hours: 2, text: PASSWORD },
    { id: "c-2", customer: "+31 6 1000 0003", hours: 146, text: PASSWORD },
  ].map(({ id, customer, hours, text }) => ({ key: `transcripts/${id}.json`, body: envelope({ contactId: id, customerId: customer, startedAt: at(hours), text }) })),
  { key: "transcripts/broken.json", body: '{"schema": "recontact.transcript/v1", "contactId": "x-1"' },
  { key: "ctr/2022/06/22/17/firehose-1", body: CTR },
];

/** Then one at a time: the transcript the CTR was waiting for, a contact moved later, one moved to another customer. */
const steps = async (): Promise<Upload[]> => [
  { key: LENS_KEY, body: await readFile(LENS_FILE) },
  { key: "transcripts/a-2.json", body: envelope({ contactId: "a-2", customerId: "+31 6 1000 0001", startedAt: at(120), text: REFUND }) },
  { key: "transcripts/c-2.json", body: envelope({ contactId: "c-2", customerId: "b@example.com", startedAt: at(146), text: PASSWORD }) },
];

type Data = Awaited<ReturnType<typeof dataOf>>;

/** Runs the inputs through a stack: the first wave at once, then each step settled before the next. */
async function run(
  options: LocalStackOptions,
  hooks: { beforeStep?: (index: number) => void } = {},
): Promise<{ data: Data; stack: LocalStack }> {
  const stack = await startLocalStack(CONFIG, { clock, reuse: models, ...options });
  stacks.push(stack);
  let uploads = 0;
  for (const { key, body } of FIRST_WAVE) {
    await stack.upload(key, body);
    uploads++;
  }
  await stack.settle(uploads);
  for (const [index, { key, body }] of (await steps()).entries()) {
    hooks.beforeStep?.(index);
    await stack.upload(key, body);
    await stack.settle(++uploads);
  }
  expect(stack.queue.deadLetters).toEqual([]);
  return { data: await dataOf(stack), stack };
}

const fastRetries = { retryStrategy: new ConfiguredRetryStrategy(3, 1) };
const stacks: LocalStack[] = [];
let models: Runtime;
let registryDir: string | undefined;
let reference: Data;
let writesPerStep: number[];

beforeAll(async () => {
  // The fault-free run, counting the writes of each sequential step for the crash sweep.
  let counter: FaultLog | undefined;
  const marks: number[] = [];
  // The models, loaded once for every stack of this file (no server is contacted here: the
  // registry is an empty folder, so the shipped models are live).
  registryDir = await mkdtemp(join(tmpdir(), "recontact-faults-registry-"));
  models = await runtimeFromEnv({ RECONTACT_BUCKET: "unused", RECONTACT_TABLE: "unused", RECONTACT_HASH_SECRET: TEST_HASH_SECRET, RECONTACT_LOCAL_REGISTRY: registryDir }, { log: silentLogger });
  const { data } = await run(
    { instrument: (clients) => void (counter = injectFaults(clients, () => undefined)), concurrency: 4 },
    { beforeStep: () => marks.push(counter!.writes) },
  );
  marks.push(counter!.writes);
  writesPerStep = marks.slice(1).map((n, i) => n - marks[i]!);
  reference = data;
});

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
  if (registryDir) await rm(registryDir, { recursive: true, force: true });
});

const contact = (data: Data, id: string) => data.items.find((item) => item.contactId === id && String(item.pk).startsWith("CUST#"));

describe("ingest under faults on the local servers", () => {
  it("the fault-free run links what the inputs say", () => {
    // a-2 moved to 5 days after a-1: a-3 (day 4) now continues a-1's chain and a-2 continues a-3.
    expect(contact(reference, "a-1")).toMatchObject({ role: "first", chainId: "a-1", repeatedBy: "a-3" });
    expect(contact(reference, "a-3")).toMatchObject({ role: "repeat", repeatOf: "a-1", repeatedBy: "a-2" });
    expect(contact(reference, "a-2")).toMatchObject({ role: "repeat", repeatOf: "a-3", startedAt: at(120) });
    // c-2 moved to customer b: it is b-2's repeat (3 days later), and c-1 is alone again.
    expect(contact(reference, "c-2")).toMatchObject({ role: "repeat", repeatOf: "b-2" });
    expect(contact(reference, "c-1")).toMatchObject({ role: "first", repeatedBy: null });
    expect(contact(reference, LENS_ID)).toMatchObject({ agentId: "jane.doe", format: "contact-lens/1.1.0" });
    // One item per contact however often it moved, and the broken file quarantined.
    expect(reference.items.filter((i) => String(i.pk).startsWith("CUST#") && String(i.sk).startsWith("CONTACT#"))).toHaveLength(10);
    expect(reference.quarantine).toEqual(["quarantine/transcripts/broken.json.json"]);
    expect(writesPerStep.every((n) => n > 0)).toBe(true);
  });

  it("ends with the same data under throttling and server errors from S3 and DynamoDB", async () => {
    const random = seededRandom(7);
    let log: FaultLog | undefined;
    let failedDeliveries = 0;
    const plan: FaultPlan = () => {
      const x = random();
      return x < 0.15 ? "throttle" : x < 0.3 ? "server-error" : undefined;
    };
    const { data } = await run({
      ...{ clients: fastRetries, concurrency: 4, maxReceiveCount: 50 },
      instrument: (clients) => void (log = injectFaults(clients, plan)),
      wrapHandler: (handler) => async (event) => countFailures(await handler(event), () => failedDeliveries++),
    });
    expect(data).toEqual(reference);
    // The faults were there, and some outlasted the SDK's own retries: the queue redelivered.
    expect(log!.injected.throttle).toBeGreaterThan(20);
    expect(log!.injected["server-error"]).toBeGreaterThan(20);
    expect(failedDeliveries).toBeGreaterThan(0);
  });

  it("ends with the same data when every message is delivered three times to eight workers at once", async () => {
    const random = seededRandom(11);
    const { data, stack } = await run({
      copies: 3,
      concurrency: 8,
      // Jitter every call a little, so the three copies and the customers' contacts interleave.
      instrument: (clients) => void injectFaults(clients, () => undefined, () => random() * 8),
    });
    expect(data).toEqual(reference);
    // Every copy was handled (ingested again, or recognised as a duplicate), none failed for good.
    for (const [key, outcomes] of stack.outcomes) if (!key.startsWith("analysis/")) expect(outcomes.length, key).toBeGreaterThanOrEqual(3);
  });

  it("ends with the same data when the function dies after any single write and the message comes again", async () => {
    const sweptSteps = SWEEP_ALL ? writesPerStep.map((_, i) => i) : [1];
    const crashes: { step: number; write: number }[] = sweptSteps.flatMap((step) => Array.from({ length: writesPerStep[step]! }, (_, i) => ({ step, write: i + 1 })));
    for (const crash of crashes) {
      let step = -1;
      let writes = 0;
      let dead = false;
      let crashed = false;
      const plan: FaultPlan = (call) => {
        if (dead) return "crash-before";
        if (step !== crash.step || crashed || !call.write) return undefined;
        if (++writes < crash.write) return undefined;
        crashed = dead = true;
        return "crash-after";
      };
      const { data } = await run(
        {
          concurrency: 1,
          instrument: (clients) => void injectFaults(clients, plan),
          // The next delivery runs in a fresh process: nothing of the dead one carries over.
          wrapHandler: (handler) => async (event) => {
            try {
              return await handler(event);
            } finally {
              dead = false;
            }
          },
        },
        { beforeStep: (index) => (step = index) },
      );
      expect(crashed, `a crash after write ${crash.write} of step ${crash.step}`).toBe(true);
      expect(data, `crash after write ${crash.write} of step ${crash.step}`).toEqual(reference);
      await stacks.pop()!.stop();
    }
  });
});

function countFailures(response: SQSBatchResponse, onFailure: () => void): SQSBatchResponse {
  if (response.batchItemFailures.length > 0) onFailure();
  return response;
}
