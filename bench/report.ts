/**
 * Weekly-report benchmark (issue 8): one synthetic ISO week through buildWeeklyReport — the use
 * case the report Lambda runs: streamed aggregation, recommendations, JSON/HTML/CSV rendering.
 *   npm run bench:report
 *   RECONTACT_BENCH_SIZES=100000,1000000  contacts of the in-memory runs (default)
 *   RECONTACT_BENCH_DYNALITE=5000         contacts of the run over DynamoDB (dynalite) ("0" skips it)
 * In memory: a ContactStore port that generates the week's contacts as they are read (nothing is
 * held), so the peak memory measured is the aggregation's own. Over dynalite: the contacts are
 * stored first through DynamoDbContactStore.putContact, then read back through the byWeek index
 * exactly as in AWS; that run shows the per-item read and parse cost.
 * Every measurement runs in a child process of its own, so peak RSS is that run's.
 */
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { createAwsClients } from "../lib/adapters/aws-clients.ts";
import { DynamoDbContactStore } from "../lib/adapters/dynamodb-contact-store.ts";
import { startEmbeddedServices } from "../lib/adapters/local/embedded-services.ts";
import { seededRandom } from "../lib/classify/random.ts";
import { CHANNELS, parseConfig } from "../lib/config.ts";
import { ROOT_CAUSES, type ContactRecord } from "../lib/contact/contact-record.ts";
import type { ObjectStore, StoredObject } from "../lib/ports/object-store.ts";
import { hash32 } from "../lib/report/distinct-counter.ts";
import { weekBounds } from "../lib/time/iso-week.ts";
import { buildWeeklyReport, type ReportDeps } from "../lib/use-cases/build-weekly-report.ts";

const WEEK = "2026-W47";
const config = parseConfig({ timeZone: "Europe/Amsterdam" });
const REASONS = ["billing", "payment", "refund", "order_delivery", "account_access", "account_change", "cancellation", "technical_issue", "product_info", "complaint", "fraud_security", "other"];
const AGENTS = 400;
const TEAMS = 20;
const EVIDENCE = ["I'm not allowed to do that, it needs supervisor approval.", "I think it should work, but I'm not sure.", "The app doesn't show the status of my order.", "There was an outage in my area yesterday."];

/**
 * Contact number i of a synthetic week: a fixed mix of roles (about 70 % first contacts, 15 %
 * repeats, the rest volume only), 0.7 contacts per customer, 400 agents in 20 teams. The same i
 * always gives the same contact, so every run aggregates the same week.
 */
export function syntheticContact(i: number, n: number, weekStartMs: number): ContactRecord {
  const random = seededRandom(i + 1);
  const startedAt = new Date(weekStartMs + Math.floor(random() * 7 * 86_400_000)).toISOString();
  const roll = random();
  const role = roll < 0.7 ? "first" : roll < 0.85 ? "repeat" : "none";
  const agent = Math.floor(random() * AGENTS);
  const cause = ROOT_CAUSES[Math.floor(random() * ROOT_CAUSES.length)]!;
  const chain = `ch-${Math.floor(i / 2)}`;
  const record: ContactRecord = {
    contactId: `c-${i}`,
    customerKey: customerKey(Math.floor(random() * Math.max(1, Math.round(n * 0.7)))),
    channel: CHANNELS[Math.floor(random() * 4)]!,
    startedAt,
    week: WEEK,
    language: "en",
    agentId: `a-${agent}`,
    team: `team-${agent % TEAMS}`,
    initiation: "inbound",
    disposition: role === "none" && random() < 0.5 ? "abandoned" : "completed",
    hasAgentTurn: true,
    reason: REASONS[Math.floor(random() * REASONS.length)]!,
    reasonConfidence: 0.9,
    reasonTop: [{ label: "billing", confidence: 0.9 }, { label: "payment", confidence: 0.05 }],
    rootCauseSummary: { model: "bench", failed: [0.1, 0.2, 0.3, 0.4], repeat: [0.4, 0.3, 0.2, 0.1], evidence: [] },
    format: "recontact.transcript/v1",
    sourceKey: `transcripts/c-${i}.json`,
    ingestedAt: startedAt,
    role,
    repeatOf: role === "repeat" ? `c-${i - 1}` : null,
    chainId: role === "none" ? null : chain,
    repeatedBy: role === "first" && random() < 0.2 ? `c-${i + 1}` : null,
  };
  if (role === "repeat") {
    Object.assign(record, {
      rootCause: cause,
      rootCauseConfidence: Math.round(random() * 100) / 100,
      rootCauseEvidence: [{ speaker: "customer", text: EVIDENCE[ROOT_CAUSES.indexOf(cause)]! }],
      failedAgents: [`a-${Math.floor(random() * AGENTS)}`],
    });
  }
  return record;
}

/** A 64-hex-character key like the stored HMAC, for customer number c. */
function customerKey(c: number): string {
  return `${hash32(`customer-${c}`).toString(16).padStart(8, "0")}${c.toString(16)}`.padEnd(64, "0");
}

/**
 * Peak live heap, sampled every 100,000 contacts and at the end (timers do not fire inside a tight
 * async loop). The child runs with --expose-gc: a full collection before each sample measures what
 * the aggregation holds, not garbage that happens to be uncollected (ten collections per million).
 */
const peak = { heap: 0 };
const collect = (globalThis as { gc?: () => void }).gc;
function sample(): void {
  collect?.();
  const { heapUsed } = process.memoryUsage();
  if (heapUsed > peak.heap) peak.heap = heapUsed;
}

async function* sampled(contacts: AsyncIterable<ContactRecord>): AsyncIterable<ContactRecord> {
  let n = 0;
  for await (const contact of contacts) {
    if (++n % 100_000 === 0) sample();
    yield contact;
  }
  sample();
}

/** The in-memory port: the bench week's contacts are generated as they are read; other weeks are empty. */
function syntheticStore(n: number): ReportDeps["contacts"] {
  const weekStart = weekBounds(WEEK, config.timeZone).start.getTime();
  return {
    async *streamContactsOfWeek(week) {
      if (week !== WEEK) return;
      for (let i = 0; i < n; i++) yield syntheticContact(i, n, weekStart);
    },
    quarantineOfWeek: async () => [],
    pendingOfWeek: async () => [],
    getContact: async () => undefined,
  };
}

function memoryObjects(): ObjectStore & { bytes: number } {
  const objects = new Map<string, StoredObject>();
  return {
    bytes: 0,
    async get(key) {
      return objects.get(key);
    },
    async size(key) {
      return objects.get(key)?.body.length;
    },
    async put(key, body) {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
      this.bytes += bytes.length;
      objects.set(key, { key, body: bytes, metadata: {} });
    },
    async tag() {},
    async *list() {},
  };
}

interface Measurement {
  path: string;
  contacts: number;
  seconds: number;
  readSeconds?: number;
  bytesPerItem?: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  estimated: string[];
  reportBytes: number;
}

async function measureInMemory(n: number): Promise<Measurement> {
  const store = syntheticStore(n);
  const objects = memoryObjects();
  const contacts: ReportDeps["contacts"] = { ...store, streamContactsOfWeek: (week) => sampled(store.streamContactsOfWeek(week)) };
  const started = performance.now();
  const report = await buildWeeklyReport(WEEK, { config, objects, contacts, clock: () => new Date("2026-12-07T05:00:00Z") });
  sample();
  return result("in-memory port", report.totals.contacts, started, report.estimatedCounts, objects.bytes);
}

async function measureDynalite(n: number): Promise<Measurement> {
  const services = await startEmbeddedServices({ table: "bench-report" });
  try {
    const clients = createAwsClients({ dynamodbEndpoint: services.dynamodbEndpoint });
    const store = new DynamoDbContactStore(clients.dynamodb, services.table);
    const weekStart = weekBounds(WEEK, config.timeZone).start.getTime();
    let next = 0;
    let itemBytes = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < n) {
          const record = syntheticContact(next++, n, weekStart);
          itemBytes += Buffer.byteLength(JSON.stringify(record));
          await store.putContact(record, null);
        }
      }),
    );
    // The read alone: every item of the week through the byWeek index, parsed as the report reads it.
    let read = 0;
    const readStart = performance.now();
    for await (const _ of store.streamContactsOfWeek(WEEK)) read++;
    const readSeconds = (performance.now() - readStart) / 1000;
    if (read !== n) throw new Error(`read ${read} of ${n} contacts`);

    const objects = memoryObjects();
    const contacts: ReportDeps["contacts"] = {
      streamContactsOfWeek: (week) => sampled(store.streamContactsOfWeek(week)),
      quarantineOfWeek: (week) => store.quarantineOfWeek(week),
      pendingOfWeek: (week) => store.pendingOfWeek(week),
      getContact: (id) => store.getContact(id),
    };
    const started = performance.now();
    const report = await buildWeeklyReport(WEEK, { config, objects, contacts, clock: () => new Date("2026-12-07T05:00:00Z") });
    sample();
    return { ...result("DynamoDB adapter on dynalite", report.totals.contacts, started, report.estimatedCounts, objects.bytes), readSeconds, bytesPerItem: Math.round(itemBytes / n) };
  } finally {
    await services.stop();
  }
}

function result(path: string, contacts: number, started: number, estimated: string[], reportBytes: number): Measurement {
  return {
    path,
    contacts,
    seconds: (performance.now() - started) / 1000,
    // ru_maxrss is in KiB on Linux: the process's peak resident set, whatever sampling missed.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: peak.heap / 2 ** 20,
    estimated,
    reportBytes,
  };
}

// --- driver ------------------------------------------------------------------------------------

const [mode, size] = process.argv.slice(2);
if (mode === "--child-memory" || mode === "--child-dynalite") {
  const measurement = mode === "--child-memory" ? await measureInMemory(Number(size)) : await measureDynalite(Number(size));
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
} else {
  const sizes = (process.env.RECONTACT_BENCH_SIZES ?? "100000,1000000").split(",").map(Number);
  const dynalite = Number(process.env.RECONTACT_BENCH_DYNALITE ?? "5000");
  const runs: [string, number][] = [...(dynalite > 0 ? [["--child-dynalite", dynalite] as [string, number]] : []), ...sizes.map((n) => ["--child-memory", n] as [string, number])];
  process.stdout.write(
    `# recontact weekly report benchmark\n\ncommand: npm run bench:report · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · one child process per row\n\n` +
      "| path | contacts in the week | buildWeeklyReport (s) | contacts/s | read alone (items/s) | item size (bytes, JSON) | peak RSS (MiB) | peak live heap (MiB) | report files (KiB) | estimated counts |\n" +
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
  );
  for (const [flag, n] of runs) {
    const child = spawnSync(process.execPath, ["--expose-gc", ...process.execArgv, fileURLToPath(import.meta.url), flag, String(n)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`bench child ${flag} ${n} failed:\n${child.stderr}`);
    const m = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Measurement;
    const int = (x: number) => Math.round(x).toLocaleString("en");
    process.stdout.write(
      `| ${m.path} | ${int(m.contacts)} | ${m.seconds.toFixed(1)} | ${int(m.contacts / m.seconds)} | ${m.readSeconds ? int(m.contacts / m.readSeconds) : "—"} | ${m.bytesPerItem ?? "—"} | ${int(m.peakRssMiB)} | ${int(m.peakHeapMiB)} | ${int(m.reportBytes / 1024)} | ${m.estimated.join(", ") || "none"} |\n`,
    );
  }
}
