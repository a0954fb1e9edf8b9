import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedServices, type EmbeddedServices } from "../../lib/adapters/local/embedded-services.ts";
import { createAwsClients } from "../../lib/adapters/aws-clients.ts";
import { DynamoDbContactStore } from "../../lib/adapters/dynamodb-contact-store.ts";
import { parseConfig } from "../../lib/config.ts";
import type { ContactRecord } from "../../lib/contact/contact-record.ts";
import { link } from "../../lib/linking/link.ts";
import { storeContact } from "../../lib/use-cases/store-contact.ts";
import type { ChainAttributor } from "../../lib/use-cases/link-customer.ts";
import { readRootCauseModel } from "../../lib/root-cause/chain-model.ts";
import { modelAttributor } from "../../lib/root-cause/chain-attributor.ts";
import { REPO_MODELS_DIR } from "../../lib/adapters/runtime.ts";
import { join } from "node:path";
import { seededRandom } from "../../lib/classify/random.ts";
import type { ContactStore, LinkUpdate } from "../../lib/ports/contact-store.ts";

/**
 * The DynamoDB path (store + incremental, optimistic relinking) on dynalite must produce exactly
 * the reference link(contacts) for any set of contacts, fed in any order, with duplicate
 * deliveries and several concurrent workers. RECONTACT_PROPERTY_RUNS=2000 for the long run.
 */
const RUNS = Number(process.env.RECONTACT_PROPERTY_RUNS ?? 120);
const config = parseConfig({ windowDays: 7, timeZone: "Europe/Amsterdam" });
const BASE = Date.parse("2026-03-23T00:00:00Z"); // a week before the spring DST change
const HOUR = 3_600_000;

const contactSpec = fc.record({
  customer: fc.integer({ min: 0, max: 3 }).map((n) => (n === 3 ? 1 : 0)),
  reason: fc.constantFrom("billing", "refund"),
  // Around window edges: multiples of ~7 days ± a minute, and free hours, over three weeks.
  at: fc.oneof(
    fc.integer({ min: 0, max: 21 * 24 }).map((h) => h * HOUR),
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-60_000, 0, 60_000)).map(([w, d]) => w * 7 * 24 * HOUR + 10 * HOUR + d),
  ),
  initiation: fc.constantFrom("inbound", "inbound", "inbound", "inbound", "outbound", "callback", "queue_callback", "transfer"),
  abandoned: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  answered: fc.boolean(),
});

let services: EmbeddedServices;
let attributeChain: ChainAttributor;
let store: DynamoDbContactStore;
let caseNumber = 0;

beforeAll(async () => {
  services = await startEmbeddedServices();
  attributeChain = modelAttributor(await readRootCauseModel(join(REPO_MODELS_DIR, "root-cause", "model.json")));
  store = new DynamoDbContactStore(createAwsClients({ dynamodbEndpoint: services.dynamodbEndpoint }).dynamodb, services.table);
});
afterAll(async () => {
  await services?.stop();
});

type ContactSpec = typeof contactSpec extends fc.Arbitrary<infer T> ? T : never;

function record(id: string, spec: ContactSpec, prefix: string): ContactRecord {
  const startedAt = new Date(BASE + spec.at).toISOString();
  const transfer = spec.initiation === "transfer";
  return {
    contactId: id,
    customerKey: `${prefix}-${spec.customer}`.padEnd(64, "0"),
    channel: "voice",
    startedAt,
    week: "2026-W13",
    language: "en",
    ...(spec.answered ? { agentId: "a-1" } : {}),
    initiation: spec.initiation as ContactRecord["initiation"],
    ...(transfer ? { previousContactId: "some-leg" } : {}),
    disposition: spec.abandoned ? "abandoned" : "completed",
    hasAgentTurn: spec.answered,
    reason: spec.reason,
    reasonConfidence: 0.9,
    reasonTop: [],
    rootCauseSummary: { model: "test", failed: [0, 0, 0, 0], repeat: [0, 0, 0, 0], evidence: [] },
    format: "test",
    sourceKey: `k/${id}`,
    ingestedAt: startedAt,
    role: "none",
    repeatOf: null,
    chainId: null,
    repeatedBy: null,
  };
}

/**
 * The real store, with a random pause of 0–4 ms before each call: it widens the windows in which
 * concurrent workers interleave, so lost updates and stale writes get a real chance to happen.
 */
function jittered(target: DynamoDbContactStore, seed: number): ContactStore {
  const random = seededRandom(seed);
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 5)));
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (property === "writeLinks") {
        // The adapter writes contact by contact: let other workers in between them too.
        return async (customerKey: string, updates: readonly LinkUpdate[]) => {
          for (const update of updates) {
            await pause();
            await object.writeLinks(customerKey, [update]);
          }
        };
      }
      return async (...args: unknown[]) => {
        await pause();
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  }) as ContactStore;
}

describe("incremental linking on DynamoDB equals the reference link()", () => {
  it(`holds for ${RUNS} random contact sets, orders, duplicates and concurrent workers`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(contactSpec, { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer(),
        async (specs, workers, seed) => {
          const prefix = `case${++caseNumber}`;
          const records = specs.map((s, i) => record(`${prefix}-c${i}`, s, prefix));
          // Deliveries: every contact once, a third of them again, in a random order.
          const deliveries = fc.sample(fc.shuffledSubarray([...records, ...records.filter((_, i) => i % 3 === 0)], { minLength: records.length + Math.ceil(records.length / 3) }), { seed, numRuns: 1 })[0]!;
          let next = 0;
          const contacts = jittered(store, seed);
          await Promise.all(
            Array.from({ length: workers }, async () => {
              while (next < deliveries.length) await storeContact(deliveries[next++]!, { contacts, config, attributeChain });
            }),
          );
          const expected = link(records, config);
          const customers = [...new Set(records.map((r) => r.customerKey))];
          const stored = new Map((await Promise.all(customers.map((c) => store.readTimeline(c)))).flatMap((t) => t.records).map((r) => [r.contactId, r]));
          expect(stored.size).toBe(records.length);
          for (const [id, fields] of expected) {
            const s = stored.get(id)!;
            expect({ id, role: s.role, repeatOf: s.repeatOf, chainId: s.chainId, repeatedBy: s.repeatedBy }).toEqual({ id, ...fields });
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, Math.max(120_000, RUNS * 1_000));
});

describe("concurrent relinking of one customer", () => {
  it("a writer that read before another's contact landed cannot leave its stale links behind", async () => {
    const prefix = `race${++caseNumber}`;
    const spec = { customer: 0, reason: "billing", initiation: "inbound", abandoned: false, answered: true } as const;
    const first = record(`${prefix}-a`, { ...spec, at: 10 * HOUR }, prefix);
    const second = record(`${prefix}-b`, { ...spec, at: 34 * HOUR }, prefix);

    // Worker 1 stores the first contact and reads the timeline; its write-back is held until
    // worker 2 has stored the second contact and relinked — the classic lost-update interleaving.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const slowStore = new Proxy(store, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (property === "writeLinks" && typeof value === "function") {
          return async (...args: unknown[]) => {
            if (!held) {
              held = true;
              await gate;
            }
            return (value as (...a: unknown[]) => unknown).apply(object, args);
          };
        }
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(object) : value;
      },
    }) as ContactStore;

    const worker1 = storeContact(first, { contacts: slowStore, config, attributeChain });
    while (!held) await new Promise((resolve) => setTimeout(resolve, 1));
    await storeContact(second, { contacts: store, config, attributeChain });
    release();
    await worker1;

    const timeline = await store.readTimeline(first.customerKey);
    const byId = new Map(timeline.records.map((r) => [r.contactId, r]));
    expect(byId.get(first.contactId)).toMatchObject({ role: "first", chainId: first.contactId, repeatedBy: second.contactId });
    expect(byId.get(second.contactId)).toMatchObject({ role: "repeat", repeatOf: first.contactId, chainId: first.contactId });
  });
});

describe("a crash between storing a contact and linking it", () => {
  it("is repaired by the customer's next contact, which relinks from the unlinked one", async () => {
    const prefix = `crash${++caseNumber}`;
    const spec = { customer: 0, reason: "refund", initiation: "inbound", abandoned: false, answered: true } as const;
    const first = record(`${prefix}-a`, { ...spec, at: 10 * HOUR }, prefix);
    const second = record(`${prefix}-b`, { ...spec, at: 58 * HOUR }, prefix);
    await store.putContact(first); // the function died here: stored, never linked
    await storeContact(second, { contacts: store, config, attributeChain });
    const byId = new Map((await store.readTimeline(first.customerKey)).records.map((r) => [r.contactId, r]));
    expect(byId.get(first.contactId)).toMatchObject({ role: "first", chainId: first.contactId, repeatedBy: second.contactId });
    expect(byId.get(second.contactId)).toMatchObject({ role: "repeat", repeatOf: first.contactId });
  });
});

describe("a contact whose reason changes later (a relabel)", () => {
  it("relinks: the chain it joined lets go of it, the chain of its new reason takes it", async () => {
    const prefix = `relabel${++caseNumber}`;
    const spec = { customer: 0, initiation: "inbound", abandoned: false, answered: true } as const;
    const billing1 = record(`${prefix}-1`, { ...spec, reason: "billing", at: 10 * HOUR }, prefix);
    const refund = record(`${prefix}-2`, { ...spec, reason: "refund", at: 20 * HOUR }, prefix);
    const middle = record(`${prefix}-3`, { ...spec, reason: "billing", at: 40 * HOUR }, prefix);
    for (const r of [billing1, refund, middle]) await storeContact(r, { contacts: store, config, attributeChain });
    await storeContact({ ...middle, reason: "refund" }, { contacts: store, config, attributeChain });
    const byId = new Map((await store.readTimeline(billing1.customerKey)).records.map((r) => [r.contactId, r]));
    expect(byId.get(billing1.contactId)).toMatchObject({ role: "first", repeatedBy: null });
    expect(byId.get(refund.contactId)).toMatchObject({ role: "first", repeatedBy: middle.contactId });
    expect(byId.get(middle.contactId)).toMatchObject({ role: "repeat", repeatOf: refund.contactId, chainId: refund.contactId });
  });

  it("stores an expiry for DynamoDB's TTL when a retention is configured", async () => {
    const withTtl = new DynamoDbContactStore(createAwsClients({ dynamodbEndpoint: services.dynamodbEndpoint }).dynamodb, services.table, 30);
    const r = record(`ttl${++caseNumber}-1`, { customer: 0, reason: "billing", initiation: "inbound", abandoned: false, answered: true, at: 0 }, `ttl${caseNumber}`);
    await withTtl.putContact(r);
    const { GetCommand } = await import("@aws-sdk/lib-dynamodb");
    const item = await createAwsClients({ dynamodbEndpoint: services.dynamodbEndpoint }).dynamodb.send(
      new GetCommand({ TableName: services.table, Key: { pk: `CUST#${r.customerKey}`, sk: `CONTACT#${r.startedAt}#${r.contactId}` } }),
    );
    expect(item.Item?.expiresAt).toBe(Math.floor(Date.parse(r.startedAt) / 1000) + 30 * 86_400);
    expect(await withTtl.getContact(r.contactId)).not.toHaveProperty("expiresAt");
  });
});
