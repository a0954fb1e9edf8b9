/**
 * Repeat-linking benchmark (issue 5): contacts through the DynamoDB path (store + incremental
 * relink) on the embedded dynalite server, and the in-memory reference link().
 *   npm run bench:linking            (10,000 and 100,000 contacts; RECONTACT_BENCH_SIZES=2000,20000 to change)
 * DynamoDB requests are counted by an SDK middleware: they must stay flat per contact as volume grows.
 */
import { cpus, totalmem } from "node:os";
import { createAwsClients } from "../lib/adapters/aws-clients.ts";
import { DynamoDbContactStore } from "../lib/adapters/dynamodb-contact-store.ts";
import { startEmbeddedServices } from "../lib/adapters/local/embedded-services.ts";
import { seededRandom } from "../lib/classify/random.ts";
import { parseConfig } from "../lib/config.ts";
import type { ContactRecord } from "../lib/contact/contact-record.ts";
import { link } from "../lib/linking/link.ts";
import { isoWeekOf } from "../lib/time/iso-week.ts";
import { storeContact } from "../lib/use-cases/store-contact.ts";
import { readRootCauseModel } from "../lib/root-cause/chain-model.ts";
import { modelAttributor } from "../lib/root-cause/chain-attributor.ts";
import { REPO_MODELS_DIR } from "../lib/adapters/runtime.ts";
import { join } from "node:path";

const config = parseConfig({ windowDays: 7, timeZone: "Europe/Amsterdam" });
const attributeChain = modelAttributor(await readRootCauseModel(join(REPO_MODELS_DIR, "root-cause", "model.json")));
const sizes = (process.env.RECONTACT_BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const REASONS = ["billing", "payment", "refund", "order_delivery", "account_access", "technical_issue"];
const WEEKS = 8;
const START = Date.parse("2026-09-28T00:00:00Z");

/** n contacts for n/10 customers over 8 weeks, arriving mostly in time order with 5% late. */
export function synthetic(n: number, seed: number): ContactRecord[] {
  const random = seededRandom(seed);
  const customers = Math.max(1, Math.round(n / 10));
  const records: ContactRecord[] = [];
  for (let i = 0; i < n; i++) {
    const startedAt = new Date(START + Math.floor(random() * WEEKS * 7 * 86_400_000)).toISOString();
    const customer = Math.floor(random() * customers);
    records.push({
      contactId: `b-${i}`,
      customerKey: customer.toString(16).padStart(64, "0"),
      channel: random() < 0.8 ? "voice" : "chat",
      startedAt,
      week: isoWeekOf(startedAt, config.timeZone),
      language: "en",
      agentId: `a-${Math.floor(random() * 200)}`,
      initiation: random() < 0.92 ? "inbound" : "callback",
      disposition: random() < 0.05 ? "abandoned" : "completed",
      hasAgentTurn: true,
      reason: REASONS[Math.floor(random() * (random() < 0.5 ? 2 : REASONS.length))]!,
      reasonConfidence: 0.9,
      reasonTop: [],
      rootCauseSummary: { model: "test", failed: [0, 0, 0, 0], repeat: [0, 0, 0, 0], evidence: [] },
      format: "bench",
      sourceKey: `transcripts/b-${i}.json`,
      ingestedAt: startedAt,
      role: "none",
      repeatOf: null,
      chainId: null,
      repeatedBy: null,
    });
  }
  // Arrival order: by start time, with 5% of contacts arriving late (a day to a week after their start).
  const arrival = (r: ContactRecord, i: number) => Date.parse(r.startedAt) + (i % 20 === 0 ? 86_400_000 * (1 + (i % 7)) : 0);
  return records.map((r, i) => ({ r, at: arrival(r, i) })).sort((a, b) => a.at - b.at).map((x) => x.r);
}

process.stdout.write(`# recontact linking benchmark\n\ncommand: npm run bench:linking · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · dynalite in process · concurrency 8\n\n`);
process.stdout.write("| contacts | customers | weeks | DynamoDB path contacts/s | reads / contact | writes / contact | items read by relink / contact | reference link() contacts/s | links equal |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");

for (const n of sizes) {
  const records = synthetic(n, n);
  let t = performance.now();
  const reference = link(records, config);
  const referenceRate = n / ((performance.now() - t) / 1000);

  const services = await startEmbeddedServices({ table: `bench-${n}` });
  const clients = createAwsClients({ dynamodbEndpoint: services.dynamodbEndpoint });
  const counts = { read: 0, write: 0 };
  const READS = new Set(["GetCommand", "QueryCommand", "GetItemCommand", "QueryCommand"]);
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      if (READS.has(context.commandName ?? "")) counts.read++;
      else counts.write++;
      return next(args);
    },
    { step: "initialize", name: "countRequests" },
  );
  const store = new DynamoDbContactStore(clients.dynamodb, services.table);
  let itemsRead = 0;
  const counting = new Proxy(store, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (property === "readTimeline") {
        return async (...args: [string, string?]) => {
          const timeline = await store.readTimeline(...args);
          itemsRead += timeline.records.length;
          return timeline;
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(object) : value;
    },
  }) as DynamoDbContactStore;

  t = performance.now();
  let next = 0;
  let done = 0;
  const progress = setInterval(() => process.stderr.write(`  ${n}: ${done}/${n}\r`), 2000);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < records.length) {
        await storeContact(records[next++]!, { contacts: counting, config, attributeChain });
        done++;
      }
    }),
  );
  clearInterval(progress);
  const seconds = (performance.now() - t) / 1000;

  // Check every stored link against the reference (outside the counted requests).
  const before = { ...counts };
  const customers = [...new Set(records.map((r) => r.customerKey))];
  let equal = true;
  for (const customer of customers) {
    for (const s of (await store.readTimeline(customer)).records) {
      const e = reference.get(s.contactId)!;
      if (s.role !== e.role || s.repeatOf !== e.repeatOf || s.chainId !== e.chainId || s.repeatedBy !== e.repeatedBy) {
        if (equal && process.env.RECONTACT_BENCH_DEBUG) process.stderr.write(`mismatch ${JSON.stringify({ s: { id: s.contactId, at: s.startedAt, r: s.reason, role: s.role, of: s.repeatOf, chain: s.chainId, by: s.repeatedBy }, e })}\n`);
        equal = false;
      }
    }
  }
  Object.assign(counts, before);
  await services.stop();
  process.stdout.write(
    `| ${n.toLocaleString("en")} | ${customers.length.toLocaleString("en")} | ${WEEKS} | ${Math.round(n / seconds)} | ${(counts.read / n).toFixed(2)} | ${(counts.write / n).toFixed(2)} | ${(itemsRead / n).toFixed(2)} | ${Math.round(referenceRate).toLocaleString("en")} | ${equal ? "yes" : "NO"} |\n`,
  );
}
