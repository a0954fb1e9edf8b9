/**
 * Cost model (issue 11): the monthly AWS bill at 100k, 1M and 10M contacts a month, from figures
 * measured in this run, and the same volumes through Contact Lens and Comprehend.
 *   npm run cost        (measures on RECONTACT_BENCH_COST_SIZE generated transcripts, default 1,000)
 * `npm run bench` prints the same table from the throughput benchmark's own run.
 * Prices, region and their date: bench/prices.json (the only constants besides the deployment's settings).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runtimeFromEnv } from "../lib/adapters/runtime.ts";
import { parseConfig } from "../lib/config.ts";
import type { ContactRecord } from "../lib/contact/contact-record.ts";
import { pseudonymise } from "../lib/contact/identity.ts";
import { parseTranscript } from "../lib/formats/parse-transcript.ts";
import { silentLogger } from "../lib/log.ts";
import type { ObjectStore } from "../lib/ports/object-store.ts";
import { shiftWeek } from "../lib/time/iso-week.ts";
import { buildWeeklyReport, scheduledWeeks, TREND_WEEKS } from "../lib/use-cases/build-weekly-report.ts";
import { describeContact } from "../lib/use-cases/ingest-object.ts";
import { INGEST_BATCH_SIZE, INGEST_BATCHING_WINDOW, INGEST_MEMORY_MB, REPORT_MEMORY_MB } from "../infra/sizing.ts";
import { measureDynamoDbPath } from "./support/dynamodb-path.ts";
import { machineLine } from "./support/machine.ts";
import { measureRun, type RunMeasurement } from "./support/measure-run.ts";
import { monthlyCost, PricesSchema, type CostInputs, type CostTable, type Prices } from "./support/cost-model.ts";
import { loadCorpus, syntheticTranscripts, writeSyntheticTranscripts, type SyntheticOptions } from "./support/synthetic-transcripts.ts";

export const VOLUMES = [100_000, 1_000_000, 10_000_000];
const config = parseConfig({ timeZone: "Europe/Amsterdam" });
const SECRET = "bench-secret-0123456789abcdef";

export async function readPrices(): Promise<Prices> {
  return PricesSchema.parse(JSON.parse(await readFile(fileURLToPath(new URL("./prices.json", import.meta.url)), "utf8")));
}

/** A store for reports that keeps nothing: only the reads of building them are measured. */
const discardingObjects: ObjectStore = { get: async () => undefined, size: async () => undefined, put: async () => {}, tag: async () => {}, list: async function* () {} };

/**
 * DynamoDB figures of the generated transcripts: each described as ingest describes it, then
 * stored and linked through the metered DynamoDB path (bench/support/dynamodb-path.ts, the
 * linking benchmark's), then every week's report built on that store, metered on its own.
 */
async function dynamoFigures(n: number, generation: SyntheticOptions) {
  const runtime = await runtimeFromEnv({ RECONTACT_BUCKET: "bench", RECONTACT_TABLE: "bench", RECONTACT_HASH_SECRET: SECRET }, { log: silentLogger });
  const records: ContactRecord[] = [];
  for (const t of syntheticTranscripts(await loadCorpus(), n, generation)) {
    const parsed = parseTranscript({ key: `transcripts/${t.path}`, body: new TextEncoder().encode(t.body), metadata: {} });
    records.push(describeContact(pseudonymise(parsed, SECRET), { ...runtime, config }));
  }
  const perWeek = new Map<string, number>();
  for (const r of records) perWeek.set(r.week, (perWeek.get(r.week) ?? 0) + 1);
  let contactReads = 0;
  const reports: { reads: number; seconds: number }[] = [];
  const path = await measureDynamoDbPath(records, config, {
    table: "cost",
    afterwards: async (store) => {
      for (const week of await store.weeks()) {
        const started = performance.now();
        await buildWeeklyReport(week, { config, contacts: store, objects: discardingObjects, clock: () => new Date("2027-01-01T00:00:00Z") });
        let reads = 0;
        for (let back = 0; back < TREND_WEEKS; back++) reads += perWeek.get(shiftWeek(week, -back)) ?? 0;
        reports.push({ reads, seconds: (performance.now() - started) / 1000 });
        contactReads += reads;
      }
    },
  });
  // Stored bytes: the contact item twice (table and the byWeek index, projection ALL), its id
  // pointer, and DynamoDB's 100 bytes of overhead per item.
  const itemBytes = records.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)) + 200, 0) / n;
  return { path, contactReads, report: fitLine(reports), bytesPerContact: 2 * (itemBytes + 100) + 250 };
}

/**
 * Seconds of one report as a + b × contacts it reads, least squares over the weeks built (weeks
 * early in the data read fewer trend weeks, so the sizes vary): the fixed part does not grow with
 * volume and must not be scaled with it.
 */
function fitLine(points: readonly { reads: number; seconds: number }[]): { fixedSeconds: number; secondsPerRead: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.reads, 0) / n;
  const my = points.reduce((s, p) => s + p.seconds, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.reads - mx) ** 2, 0);
  const slope = sxx > 0 ? points.reduce((s, p) => s + (p.reads - mx) * (p.seconds - my), 0) / sxx : my / Math.max(1, mx);
  const secondsPerRead = Math.max(0, slope);
  return { fixedSeconds: Math.max(0, my - secondsPerRead * mx), secondsPerRead };
}

export interface CostMeasurement {
  inputs: CostInputs;
  run: RunMeasurement;
  dynamo: Awaited<ReturnType<typeof dynamoFigures>>;
}

/**
 * Measures what the cost model needs on `n` generated transcripts: the ingest function's time
 * per contact with one invocation at a time per worker (as a Lambda container runs a batch),
 * S3 requests, log bytes and report time from that run, and DynamoDB units from dynamoFigures.
 */
export async function measureCostInputs(n: number, generation: SyntheticOptions = {}): Promise<CostMeasurement> {
  const dir = await mkdtemp(join(tmpdir(), "recontact-cost-"));
  try {
    const written = await writeSyntheticTranscripts(join(dir, "in"), n, generation);
    const run = await measureRun(join(dir, "in"), join(dir, "out"), { workers: 1, concurrency: 1 });
    const dynamo = await dynamoFigures(n, generation);
    const requests = run.requestsPerContact;
    const weeklyRuns = 52.18 / 12;
    const inputs: CostInputs = {
      measured: {
        lambdaSecondsPerContact: (run.stepMs.duration ?? 0) / 1000,
        reportSecondsPerContactRead: dynamo.report.secondsPerRead,
        reportFixedSeconds: dynamo.report.fixedSeconds,
        s3PutsPerContact: requests["s3:PUT"] ?? 0,
        s3ReadsPerContact: (requests["s3:HEAD"] ?? 0) + (requests["s3:GET"] ?? 0),
        objectBytes: written.bytes / written.files,
        dynamoWriteUnitsPerContact: dynamo.path.usage.writeUnits / n,
        dynamoReadUnitsPerContact: dynamo.path.usage.readUnits / n,
        reportReadUnitsPerContactRead: (dynamo.path.afterwards?.readUnits ?? 0) / Math.max(1, dynamo.contactReads),
        dynamoBytesPerContact: dynamo.bytesPerContact,
        logBytesPerContact: run.logBytesPerContact,
        averageCharacters: written.averageCharacters,
      },
      deployment: {
        ingestMemoryMb: INGEST_MEMORY_MB,
        reportMemoryMb: REPORT_MEMORY_MB,
        batchSize: INGEST_BATCH_SIZE,
        batchingWindowSeconds: INGEST_BATCHING_WINDOW.toSeconds(),
        s3RetentionDays: 365, // recontact:retentionDays default (infra/recontact-app.ts)
        tableRetentionDays: config.retentionDays,
        logRetentionDays: 90, // the functions' log groups (infra/pipeline-stack.ts)
        // Every Monday: the week that ended and the reopened ones, each reading TREND_WEEKS weeks;
        // a week holds 1/weeklyRuns of a month's contacts, and there are weeklyRuns Mondays.
        reportReadsPerContact: scheduledWeeks(new Date(), config).length * TREND_WEEKS,
        reportInvocationsPerMonth: weeklyRuns,
        reportsPerRun: scheduledWeeks(new Date(), config).length,
        kmsKeys: 4, // bucket, table, secret, alarm topic (infra/)
        secrets: 1,
        alarms: 6,
      },
      assumptions: {
        averageCallMinutes: 6,
        arrivalSecondsPerMonth: 22 * 10 * 3600, // 22 working days of 10 hours
        idleSqsRequestsPerMonth: 5 * 3 * 60 * 24 * 30,
        platformLogBytesPerInvocation: 350,
        accessLogBytesPerRequest: 350,
      },
    };
    return { inputs, run, dynamo };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const money = (x: number) => (x >= 100 ? `${Math.round(x).toLocaleString("en")}` : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const volumeLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** What would make the largest cost driver smaller, by component. */
const REMEDIES: Record<string, string> = {
  "Lambda ingest, compute": "less time per contact: skip the HEAD before GET (read the size from the event), reuse the parsed model across batches, and 512 MB if the time is mostly waiting on DynamoDB",
  "DynamoDB writes": "fewer or smaller writes: mark a week once per container instead of once per contact, project only the report's fields into byWeek (INCLUDE instead of ALL halves index write units for large items), and write the contact item once with its links",
  "DynamoDB reads + Lambda, weekly reports": "keep weekly aggregates instead of re-reading 8 weeks of contacts for every report",
  "S3 PUT of transcripts": "nothing on recontact's side: the transcripts are written once by the contact centre; batch small chats into one object per conversation",
  "DynamoDB storage": "store less per contact: project only the fields the weekly report reads into byWeek (INCLUDE; today the index holds a second full copy of every contact), drop reasonTop and the root-cause summary once a contact's window has closed, or a shorter retentionDays",
  "S3 storage": "a shorter retentionDays, or an S3 Intelligent-Tiering / Glacier Instant Retrieval transition after 30 days",
  "CloudWatch Logs": "log the 'ingested' line at debug in production, or use the Infrequent Access log class",
  "SQS requests": "larger batches (a longer batching window)",
};

export function costMarkdown(table: CostTable, prices: Prices, inputs: CostInputs): string {
  const head = `| component (${prices.currency}/month, ${prices.region}, prices of ${prices.date}) | basis | ${table.volumes.map(volumeLabel).join(" | ")} |\n|---|---|${table.volumes.map(() => "---:").join("|")}|\n`;
  const row = (l: { component: string; basis: string; monthly: number[] }) => `| ${l.component} | ${l.basis} | ${l.monthly.map(money).join(" | ")} |\n`;
  const perThousand = table.total.map((t, i) => (1000 * t) / table.volumes[i]!);
  return [
    head,
    ...table.lines.map(row),
    `| **recontact total** | | ${table.total.map((t) => `**${money(t)}**`).join(" | ")} |\n`,
    `| recontact per 1,000 contacts | | ${perThousand.map((x) => x.toFixed(3)).join(" | ")} |\n`,
    ...table.alternatives.map(row),
    `\nLargest cost driver at ${volumeLabel(table.volumes.at(-1)!)} a month: **${table.largest.component}** (${(100 * table.largest.share).toFixed(0)}% of recontact's bill). `,
    `What would reduce it: ${REMEDIES[table.largest.component] ?? "see the basis column"}.\n`,
    `\nMeasured in this run: ingest ${(1000 * inputs.measured.lambdaSecondsPerContact).toFixed(0)} ms per contact on the embedded servers (slower than DynamoDB and S3 answer, so conservative), ` +
      `${inputs.measured.dynamoWriteUnitsPerContact.toFixed(2)} write and ${inputs.measured.dynamoReadUnitsPerContact.toFixed(2)} read units per contact, ` +
      `${inputs.measured.s3PutsPerContact.toFixed(2)} PUT and ${inputs.measured.s3ReadsPerContact.toFixed(2)} HEAD/GET per contact, ${(inputs.measured.objectBytes / 1024).toFixed(1)} KB per transcript, ` +
      `${inputs.measured.logBytesPerContact.toFixed(0)} B of log per contact, ${Math.round(inputs.measured.averageCharacters)} characters per transcript. ` +
      `Assumed: every contact a ${inputs.assumptions.averageCallMinutes}-minute voice call for Contact Lens; contacts arrive in ${inputs.assumptions.arrivalSecondsPerMonth / 3600} business hours a month (SQS batch fill). ` +
      `Contact Lens also transcribes and scores sentiment; Comprehend only classifies (no repeat linking, no root cause, no report): the comparison is of running each on the same volume.\n`,
  ].join("");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.env.RECONTACT_BENCH_COST_SIZE ?? 1000);
  process.stdout.write(`# recontact cost model\n\n${machineLine("npm run cost", [`${n.toLocaleString("en")} generated transcripts`])}\n\n`);
  const prices = await readPrices();
  const measured = await measureCostInputs(n);
  process.stdout.write(costMarkdown(monthlyCost(measured.inputs, prices, VOLUMES), prices, measured.inputs));
  process.stdout.write(`\nLambda-like ingest: mean ${(measured.run.stepMs.duration ?? 0).toFixed(0)} ms, p99 ${measured.run.p99DurationMs.toFixed(0)} ms per transcript (infra/sizing.ts MEASURED_INGEST_MS).\n`);
}
