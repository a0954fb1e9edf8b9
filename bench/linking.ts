/**
 * Repeat-linking benchmark (issue 5): contacts through the DynamoDB path (store + incremental
 * relink) on the embedded dynalite server, and the in-memory reference link().
 *   npm run bench:linking            (10,000 and 100,000 contacts; RECONTACT_BENCH_SIZES=2000,20000 to change)
 * DynamoDB requests and capacity units are counted by an SDK middleware (bench/support/dynamodb-meter.ts):
 * they must stay flat per contact as volume grows.
 */
import { cpus, totalmem } from "node:os";
import { seededRandom } from "../lib/classify/random.ts";
import { parseConfig } from "../lib/config.ts";
import type { ContactRecord } from "../lib/contact/contact-record.ts";
import { link } from "../lib/linking/link.ts";
import { isoWeekOf } from "../lib/time/iso-week.ts";
import { measureDynamoDbPath } from "./support/dynamodb-path.ts";

const config = parseConfig({ windowDays: 7, timeZone: "Europe/Amsterdam" });
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
process.stdout.write("| contacts | customers | weeks | DynamoDB path contacts/s | reads / contact | writes / contact | read units / contact | write units / contact | items read by relink / contact | reference link() contacts/s | links equal |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");

for (const n of sizes) {
  const records = synthetic(n, n);
  const t = performance.now();
  link(records, config);
  const referenceRate = n / ((performance.now() - t) / 1000);
  const progress = { done: 0 };
  const ticker = setInterval(() => process.stderr.write(`  ${n}: ${progress.done}/${n}\r`), 2000);
  const result = await measureDynamoDbPath(records, config, { table: `bench-${n}`, onProgress: (done) => (progress.done = done) });
  clearInterval(ticker);
  const { usage } = result;
  process.stdout.write(
    `| ${n.toLocaleString("en")} | ${result.customers.toLocaleString("en")} | ${WEEKS} | ${Math.round(n / result.seconds)} | ${(usage.reads / n).toFixed(2)} | ${(usage.writes / n).toFixed(2)} | ${(usage.readUnits / n).toFixed(2)} | ${(usage.writeUnits / n).toFixed(2)} | ${(result.itemsRead / n).toFixed(2)} | ${Math.round(referenceRate).toLocaleString("en")} | ${result.linksEqual ? "yes" : "NO"} |\n`,
  );
}
