/**
 * Cold-start benchmark (issue 10): every function bundled exactly as CDK deploys it
 * (infra/bundle-settings.ts), then, in a fresh `node` process per run, the time to initialise
 * the handler module (import, top-level await included: clients, secret, models) and the time of
 * its first event, against a baseline module that only creates the S3 and DynamoDB clients.
 *   npm run bench:cold-start                 (10 runs per function; RECONTACT_BENCH_RUNS=20 to change)
 * The events go to s3rver and dynalite on 127.0.0.1 (started here); the hashing secret comes from
 * the environment, so the Secrets Manager call a deployed function makes at init is not in the
 * figures. NODE_OPTIONS=--enable-source-maps as in the deployed functions.
 */
import { execFile } from "node:child_process";
import { mkdir, stat } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { esbuildOptions } from "../infra/bundle-settings.ts";
import { startEmbeddedServices } from "../lib/adapters/local/embedded-services.ts";
import { createAwsClients } from "../lib/adapters/aws-clients.ts";
import { REPO_MODELS_DIR } from "../lib/adapters/runtime.ts";
import { encodeS3Key } from "../lib/adapters/s3-events.ts";
import { S3ObjectStore } from "../lib/adapters/s3-object-store.ts";

const RUNS = Number(process.env.RECONTACT_BENCH_RUNS ?? 10);
const TARGET_MS = 250;
const REPO = fileURLToPath(new URL("../", import.meta.url));
// Under the repository, so the bundles' external `@aws-sdk/*` imports resolve to node_modules,
// as they resolve to the runtime's copy in Lambda.
const OUT = join(REPO, "node_modules", ".cache", "recontact-cold-start");
const WEEK_START = Date.parse("2026-11-02T09:00:00.000Z");
const SECRET = "cold-start-bench-secret-0123456789";
const customerOf = (i: number) => `+31 6 5555 ${String(1000 + i)}`;
const keyOf = (i: number) => `transcripts/cold-start/run-${i}.json`;

interface Subject {
  name: string;
  entry: string;
  event: (run: number, bucket: string) => unknown;
}

const SUBJECTS: Subject[] = [
  { name: "baseline: S3 + DynamoDB clients", entry: "bench/cold-start-baseline.ts", event: () => ({}) },
  {
    name: "ingest",
    entry: "functions/ingest/handler.ts",
    event: (run, bucket) => ({
      Records: [
        {
          messageId: `m-${run}`,
          body: JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: bucket }, object: { key: encodeS3Key(keyOf(run)) } } }] }),
        },
      ],
    }),
  },
  { name: "report", entry: "functions/report/handler.ts", event: () => ({ week: "2026-W45" }) },
  { name: "forget", entry: "functions/forget/handler.ts", event: (run) => ({ customerId: customerOf(run) }) },
];

/** Runs in the fresh process: import (= Lambda's init), then one event; prints both times. */
const CHILD = `
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(process.env.BENCH_MODULE);
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
const result = process.env.BENCH_EVENT ? await mod.handler(JSON.parse(process.env.BENCH_EVENT)) : undefined;
const t2 = performance.now();
const failed = result && Array.isArray(result.batchItemFailures) && result.batchItemFailures.length > 0;
process.stdout.write("\\nBENCH " + JSON.stringify({ init: t1 - t0, initCpu: (c1.user + c1.system) / 1000, first: t2 - t1, failed }) + "\\n");
`;

const run = promisify(execFile);

async function bundle(subject: Subject): Promise<{ file: string; bytes: number }> {
  const file = join(OUT, subject.entry.replace(/\//g, "_").replace(/\.ts$/, ""), "index.mjs");
  await mkdir(join(file, ".."), { recursive: true });
  await build(esbuildOptions(join(REPO, subject.entry), file));
  return { file, bytes: (await stat(file)).size };
}

/** One fresh process; with no event, only the import (and, outside Lambda, no init work at all). */
async function measure(file: string, event: unknown, env: Record<string, string>): Promise<{ init: number; initCpu: number; first: number }> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", CHILD], {
    cwd: REPO,
    env: { ...env, PATH: process.env.PATH ?? "", BENCH_MODULE: pathToFileURL(file).href, ...(event === undefined ? {} : { BENCH_EVENT: JSON.stringify(event) }) },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH "));
  if (!line) throw new Error(`no measurement from ${file}:\n${stdout.slice(-2000)}`);
  const result = JSON.parse(line.slice(6)) as { init: number; initCpu: number; first: number; failed: boolean };
  if (result.failed) throw new Error(`${file}: the first event failed:\n${stdout.slice(-2000)}`);
  return result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => `${Math.round(x)}`;
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.round(Math.abs(x))}`;

const loadBefore = loadavg()[0]!;
const services = await startEmbeddedServices({ table: "cold-start" });
try {
  // One transcript per ingest run, each of another customer: the forget runs then forget them.
  const clients = createAwsClients({ s3Endpoint: services.s3Endpoint });
  const objects = new S3ObjectStore(clients.s3, services.bucket);
  for (let i = 0; i < RUNS; i++) {
    await objects.put(
      keyOf(i),
      JSON.stringify({
        schema: "recontact.transcript/v1",
        contactId: `cold-${i}`,
        customer: { id: customerOf(i) },
        channel: "voice",
        startedAt: new Date(WEEK_START + i * 3_600_000).toISOString(),
        language: "en",
        turns: [
          { speaker: "agent", text: "Good morning, how can I help you?" },
          { speaker: "customer", text: "I returned the jacket three weeks ago and I still have not received my refund." },
        ],
      }),
    );
  }
  clients.s3.destroy();

  const env = {
    AWS_REGION: "us-east-1",
    AWS_LAMBDA_FUNCTION_NAME: "recontact-cold-start-bench",
    NODE_OPTIONS: "--enable-source-maps",
    RECONTACT_BUCKET: services.bucket,
    RECONTACT_TABLE: services.table,
    RECONTACT_S3_ENDPOINT: services.s3Endpoint,
    RECONTACT_DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
    RECONTACT_HASH_SECRET: SECRET,
    RECONTACT_MODELS_DIR: REPO_MODELS_DIR,
    RECONTACT_CONFIG: JSON.stringify({ timeZone: "Europe/Amsterdam", defaultCountry: "NL" }),
    RECONTACT_LOG_LEVEL: "warn",
  };

  // Without AWS_LAMBDA_FUNCTION_NAME the handlers build nothing at import: loading the code alone.
  const { AWS_LAMBDA_FUNCTION_NAME: _, ...outsideLambda } = env;
  const bundles = await Promise.all(SUBJECTS.map(bundle));
  const samples = SUBJECTS.map(() => ({ code: [] as number[], init: [] as number[], initCpu: [] as number[], first: [] as number[], total: [] as number[] }));
  // Round robin, so that the load of a shared machine falls on every module alike; within a
  // round, ingest stores transcript i, report reports its week and forget forgets its customer.
  for (let i = 0; i < RUNS; i++) {
    for (const [s, subject] of SUBJECTS.entries()) {
      const { init, initCpu, first } = await measure(bundles[s]!.file, subject.event(i, services.bucket), env);
      const code = (await measure(bundles[s]!.file, undefined, outsideLambda)).init;
      Object.entries({ code, init, initCpu, first, total: init + first }).forEach(([k, v]) => samples[s]![k as "code"].push(v));
    }
    process.stderr.write(`  round ${i + 1}/${RUNS}\r`);
  }
  const rows = SUBJECTS.map((subject, s) => ({
    subject,
    bytes: bundles[s]!.bytes,
    code: median(samples[s]!.code),
    init: median(samples[s]!.init),
    initCpu: median(samples[s]!.initCpu),
    first: median(samples[s]!.first),
    total: median(samples[s]!.total),
  }));

  const baseline = rows[0]!;
  process.stdout.write(
    `# recontact cold-start benchmark\n\ncommand: npm run bench:cold-start · ${RUNS} fresh \`node\` processes per function, medians · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · NODE_OPTIONS=--enable-source-maps · S3/DynamoDB: s3rver/dynalite on 127.0.0.1 · load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}\n\n`,
  );
  process.stdout.write(
    "| module | bundle (bytes) | code load only (ms) | init (ms) | init over baseline (ms) | init CPU (ms) | CPU over baseline (ms) | first event (ms) | init + first event (ms) | over baseline (ms) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
  );
  for (const row of rows) {
    const isBaseline = row === baseline;
    process.stdout.write(
      `| ${row.subject.name} | ${row.bytes.toLocaleString("en")} | ${ms(row.code)} | ${ms(row.init)} | ${isBaseline ? "" : signed(row.init - baseline.init)} | ${ms(row.initCpu)} | ${isBaseline ? "" : signed(row.initCpu - baseline.initCpu)} | ${ms(row.first)} | ${ms(row.total)} | ${isBaseline ? "" : signed(row.total - baseline.total)} |\n`,
    );
  }
  const over = rows.slice(1).map((row) => `${row.subject.name} ${row.init - baseline.init <= TARGET_MS ? "meets it" : "MISSES it"} (${signed(row.init - baseline.init)} ms)`);
  process.stdout.write(`\nTarget: module initialisation ≤ ${TARGET_MS} ms over the baseline — ${over.join(", ")}.\n`);
  process.stdout.write(
    "init = importing the bundle in Lambda mode (top-level await: clients, configuration, secret, models), wall clock and CPU time (user + system, all threads: less sensitive to a busy machine); code load only = the same import outside Lambda mode, which builds nothing; first event = one SQS message with one new transcript (ingest), one week's report (report), one customer forgotten and their report rewritten (forget), one GetItem + one HeadObject (baseline).\n",
  );
} finally {
  await services.stop();
}
