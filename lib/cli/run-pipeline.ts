import { mkdir, open, opendir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, relative, sep } from "node:path";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { startEmbeddedServices, type EmbeddedServices } from "../adapters/local/embedded-services.ts";
import { SIDECAR_SUFFIX, sidecarMetadata } from "../adapters/local/file-object-store.ts";
import { IngestWorkerPool, type ModelVersions } from "../adapters/local/ingest-worker-pool.ts";
import { LocalQueue } from "../adapters/local/local-queue.ts";
import { baseRuntimeFromEnv, runtimeFromEnv, type BaseRuntime, type RuntimeEnv } from "../adapters/runtime.ts";
import type { Config } from "../config.ts";
import type { ContactRecord, QuarantineRecord } from "../contact/contact-record.ts";
import type { Logger } from "../log.ts";
import type { Report } from "../report/report-schema.ts";
import { reportKey } from "../use-cases/build-weekly-report.ts";
import { openStoreSnapshot } from "./store-snapshot.ts";
import { expireWaitingTranscripts } from "../use-cases/expire-waiting.ts";
import { isoWeekOf } from "../time/iso-week.ts";
import type { IngestOutcome } from "../use-cases/ingest-object.ts";
import { createIngestHandler } from "../../functions/ingest/handler.ts";
import { createReportHandler } from "../../functions/report/handler.ts";

export { SIDECAR_SUFFIX };

/** The longest key segment s3rver can store as a file name (255 bytes less its own suffix). */
const LOCAL_SEGMENT_LIMIT = 200;
/** Objects uploaded ahead of ingestion, per ingest slot: enough to keep the handlers busy, few enough to bound memory. */
const UPLOADS_AHEAD_PER_SLOT = 4;
/** Below this many files per worker, a worker's start (loading the models) costs more than it saves. */
const FILES_PER_WORKER = 400;
/** Local runs hash customer ids with this unless RECONTACT_HASH_SECRET is set: keys are stable across runs. */
export const LOCAL_DEVELOPMENT_SECRET = "recontact-local-development-secret-not-for-production";

export interface RunOptions {
  inputDir: string;
  outDir: string;
  config: Config;
  log: Logger;
  hashSecret?: string;
  /** Ingest handler invocations at once (like concurrent Lambda invocations). Default 4. */
  concurrency?: number;
  /** Worker threads running the ingest handler; 0 runs it in this thread. Default: defaultWorkers(). */
  workers?: number;
  now?: () => Date;
  /**
   * Uploads and ingestion overlap (uploads run a bounded window ahead): "upload" counts files put
   * into the bucket, "ingest" files ingested, both out of every file of the folder; then "report" weeks.
   */
  onProgress?: (event: { phase: "upload" | "ingest" | "report"; done: number; total: number }) => void;
  /** A local model registry (a folder holding `models/<task>/live.json`); the shipped models when absent. */
  registryDir?: string;
}

export interface RunResult {
  files: number;
  contacts: number;
  quarantined: number;
  deadLettered: number;
  weeks: { week: string; report: Report }[];
  outDir: string;
  /** The model versions ingest used (at the end of the run). */
  models: { reason: string; rootCause: string };
}

/**
 * `recontact run`: the AWS pipeline on embedded S3 and DynamoDB. Every file is put into the
 * bucket; the bucket's notifications drive the same ingest handler Lambda runs, through a local
 * queue; then the report handler runs for every week the contacts cover, and the results are
 * written to the output folder as SPEC 6 lays out.
 */
export async function runPipeline(options: RunOptions): Promise<RunResult> {
  // The table on disk: dynalite in memory would grow with every contact of a large run.
  const services = await startEmbeddedServices({ tableStorage: "disk" });
  const stopOnSignal = () => void services.stop().finally(() => process.exit(130));
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    return await runOn(services, options);
  } finally {
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
    await services.stop();
  }
}

async function runOn(services: EmbeddedServices, options: RunOptions): Promise<RunResult> {
  const env: RuntimeEnv = {
    RECONTACT_BUCKET: services.bucket,
    RECONTACT_TABLE: services.table,
    RECONTACT_S3_ENDPOINT: services.s3Endpoint,
    RECONTACT_DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
    RECONTACT_CONFIG: JSON.stringify(options.config),
    RECONTACT_HASH_SECRET: options.hashSecret ?? process.env.RECONTACT_HASH_SECRET ?? LOCAL_DEVELOPMENT_SECRET,
    ...(options.registryDir ? { RECONTACT_LOCAL_REGISTRY: options.registryDir } : {}),
  };
  const overrides = { log: options.log, ...(options.now ? { clock: options.now } : {}) };
  const total = await countTranscriptFiles(options.inputDir);
  const workers = options.workers ?? defaultWorkers(total);
  // Quarantined inputs are collected as they happen: a file too broken to date has no week to be found under.
  const quarantinedByKey = new Map<string, QuarantineRecord>();
  const onOutcome = (key: string, outcome: IngestOutcome) => {
    if (outcome.status === "quarantined") quarantinedByKey.set(key, outcome.record);
  };
  // With workers, this thread serves S3 and DynamoDB and needs no models; without, it runs the handler too.
  let pool: IngestWorkerPool | undefined;
  let runtime: BaseRuntime;
  let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  // The versions of the live models ingest uses: the workers' (built from the same environment
  // by the same runtimeFromEnv, so the same registry), or this thread's.
  let models: () => Promise<ModelVersions>;
  if (workers > 0) {
    runtime = baseRuntimeFromEnv(env, overrides);
    const clockOffsetMs = runtime.clock().getTime() - Date.now();
    const started = await IngestWorkerPool.start(workers, { env, clockOffsetMs }, options.log, onOutcome);
    pool = started;
    handler = started.handler;
    models = () => started.models();
  } else {
    const full = await runtimeFromEnv(env, overrides);
    runtime = full;
    handler = createIngestHandler(full, onOutcome);
    models = async () => {
      const live = await full.liveModels.current();
      return { reason: live.reasonClassifier.version, rootCause: live.rootCauseModel.version };
    };
  }
  const concurrency = options.concurrency ?? 4;
  const queue = new LocalQueue({ concurrency, maxReceiveCount: 3, handler });
  services.onObjectCreated((body) => queue.send(body));
  try {
    const expected = await uploadAll(options, runtime, queue, total, concurrency, quarantinedByKey);
    await queue.processedAtLeast(expected);
    await queue.drained();
    // Asked before the workers close: with workers, only they know which models are live.
    const versions = await models();
    models = async () => versions;
  } finally {
    // The workers' models are not needed for the reports.
    await pool?.close();
  }
  return finish(options, runtime, queue, total, quarantinedByKey, models);
}

/**
 * Puts every transcript file into the bucket, streaming: files are read as they are uploaded and
 * uploads wait while more than a few objects per ingest slot are uploaded but not yet ingested,
 * so memory stays flat however many files the folder holds. Returns how many notifications to expect.
 */
async function uploadAll(
  options: RunOptions,
  runtime: BaseRuntime,
  queue: LocalQueue,
  total: number,
  concurrency: number,
  quarantinedByKey: Map<string, QuarantineRecord>,
): Promise<number> {
  const backlog = UPLOADS_AHEAD_PER_SLOT * concurrency;
  const uploading = new Set<Promise<void>>();
  let failure: unknown;
  let expected = 0;
  let skipped = 0;
  let uploaded = 0;
  const report = () => {
    options.onProgress?.({ phase: "upload", done: uploaded + skipped, total });
    options.onProgress?.({ phase: "ingest", done: queue.processed + skipped, total });
  };
  const ticker = setInterval(report, 200);
  try {
    for await (const file of walkTranscriptFiles(options.inputDir)) {
      const key = `transcripts/${relative(options.inputDir, file).split(sep).join("/")}`;
      if (key.split("/").some((segment) => Buffer.byteLength(segment) > LOCAL_SEGMENT_LIMIT)) {
        // s3rver keeps each object as a file named after the key (plus a suffix): a longer name
        // crashes it. Real S3 takes such keys; locally the file is quarantined with the reason.
        quarantinedByKey.set(key, {
          objectKey: key,
          code: "KEY_TOO_LONG_LOCALLY",
          error: `${key}: a path segment longer than ${LOCAL_SEGMENT_LIMIT} bytes cannot be stored by the local S3 server (it is fine in AWS)`,
          week: isoWeekOf(runtime.clock(), options.config.timeZone),
          quarantinedAt: runtime.clock().toISOString(),
        });
        skipped++;
        continue;
      }
      expected++;
      await queue.processedAtLeast(expected - backlog);
      while (uploading.size >= concurrency) await Promise.race(uploading);
      if (failure) throw failure;
      const upload = (async () => {
        const [body, metadata] = await Promise.all([readFile(file), sidecarMetadata(file)]);
        await runtime.objects.put(key, body, { metadata });
      })().then(
        () => {
          uploaded++;
          uploading.delete(upload);
        },
        (error: unknown) => {
          uploading.delete(upload);
          failure ??= error;
        },
      );
      uploading.add(upload);
    }
    await Promise.all(uploading);
    if (failure) throw failure;
    await queue.processedAtLeast(expected);
  } finally {
    clearInterval(ticker);
  }
  report();
  return expected;
}

/**
 * Every report, then contacts.jsonl and the store snapshot `recontact review` starts from, week by
 * week (one week in memory at a time), and quarantine.jsonl (dead-lettered inputs included).
 */
async function finish(
  options: RunOptions,
  runtime: BaseRuntime,
  queue: LocalQueue,
  files: number,
  quarantinedByKey: Map<string, QuarantineRecord>,
  models: () => Promise<ModelVersions>,
): Promise<RunResult> {
  // The run is over: a transcript still waiting for its contact trace record will not get one.
  const now = runtime.clock();
  const ended = await expireWaitingTranscripts(runtime, [isoWeekOf(now, options.config.timeZone), ...(await runtime.contacts.weeks())], new Date(now.getTime() + 1));
  for (const record of ended) quarantinedByKey.set(record.objectKey, record);
  if (ended.length) options.log.log("warn", "transcripts never joined to a contact trace record", { step: "run", count: ended.length });

  const reportHandler = createReportHandler(runtime);
  // The reports folder shows this run only: a week left over from an earlier run would read as current.
  await rm(join(options.outDir, "reports"), { recursive: true, force: true });
  await mkdir(options.outDir, { recursive: true });
  const weeks = await runtime.contacts.weeks();
  const results: RunResult["weeks"] = [];
  const contactsFile = await open(join(options.outDir, "contacts.jsonl"), "w");
  const snapshot = await openStoreSnapshot(options.outDir);
  let contacts = 0;
  let complete = false;
  try {
    for (const [i, week] of weeks.entries()) {
      await reportHandler({ week });
      const reportDir = join(options.outDir, "reports", week);
      await mkdir(reportDir, { recursive: true });
      for (const file of ["report.json", "report.html", "report.csv"] as const) {
        const object = await runtime.objects.get(reportKey(week, file));
        if (object) await writeFile(join(reportDir, file), object.body);
      }
      const json = await runtime.objects.get(reportKey(week, "report.json"));
      results.push({ week, report: JSON.parse(new TextDecoder().decode(json!.body)) as Report });
      // Weeks partition time, so week after week, each sorted, is the whole file in time order.
      const ofWeek = (await runtime.contacts.contactsOfWeek(week)).sort(byStartThenId);
      contacts += ofWeek.length;
      if (ofWeek.length) await contactsFile.write(ofWeek.map((c) => `${JSON.stringify(contactLine(c))}\n`).join(""));
      await snapshot.add(ofWeek);
      options.onProgress?.({ phase: "report", done: i + 1, total: weeks.length });
    }
    const quarantined = [...quarantinedByKey.values()].sort((a, b) => a.objectKey.localeCompare(b.objectKey));
    const deadLettered = queue.deadLetters.map((d) => deadLetterRecord(d.body, runtime.clock()));
    const unread = [...quarantined, ...deadLettered];
    if (unread.length) await contactsFile.write(unread.map((q) => `${JSON.stringify(quarantineLine(q))}\n`).join(""));
    await writeFile(join(options.outDir, "quarantine.jsonl"), unread.map((q) => `${JSON.stringify(q)}\n`).join(""));
    await snapshot.close({ inputDir: options.inputDir, config: options.config, now: runtime.clock() });
    complete = true;
    const live = await models();
    return { files, contacts, quarantined: quarantined.length, deadLettered: deadLettered.length, weeks: results, outDir: options.outDir, models: live };
  } finally {
    await contactsFile.close();
    if (!complete) await snapshot.abort();
  }
}

/**
 * Ingest workers for a run of `files` files: one per core — this thread serves S3 and DynamoDB,
 * which wait on I/O much of the time, so it does not need a core of its own
 * (bench/RESULTS-throughput.md) — and none for a small folder, where starting a worker (loading
 * the models again) costs more than it saves.
 */
export function defaultWorkers(files: number, cores = availableParallelism()): number {
  return Math.min(cores, Math.floor(files / FILES_PER_WORKER));
}

const isTranscriptFile = (name: string) => !name.startsWith(".") && !name.endsWith(SIDECAR_SUFFIX);

/** Every file under the folder except sidecars and hidden files, in a stable order. */
export async function transcriptFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isTranscriptFile(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The same files as transcriptFiles, one at a time, as the folder is read: only the folders still
 * to visit are held. (Node 20's `opendir(dir, { recursive: true })` skips entries, so the walk is ours.)
 */
export async function* walkTranscriptFiles(dir: string): AsyncGenerator<string> {
  const folders = [dir];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for await (const entry of await opendir(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) folders.push(path);
      else if (entry.isFile() && isTranscriptFile(entry.name)) yield path;
    }
  }
}

async function countTranscriptFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const _ of walkTranscriptFiles(dir)) n++;
  return n;
}

function deadLetterRecord(body: string, now: Date): QuarantineRecord {
  return { objectKey: body.slice(0, 200), code: "DEAD_LETTERED", error: "ingest failed on every delivery (see the run log)", week: "", quarantinedAt: now.toISOString() };
}

/**
 * SPEC 6: one contacts.jsonl line per input contact (quarantined inputs included) and quarantine.jsonl,
 * all at once (the review workspace rewrites them so); a run writes the same lines week by week.
 */
export async function writeOutputs(outDir: string, contacts: ContactRecord[], quarantined: QuarantineRecord[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const lines = [...[...contacts].sort(byStartThenId).map(contactLine), ...quarantined.map(quarantineLine)];
  await writeFile(join(outDir, "contacts.jsonl"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  await writeFile(join(outDir, "quarantine.jsonl"), quarantined.map((q) => `${JSON.stringify(q)}\n`).join(""));
}

const byStartThenId = (a: ContactRecord, b: ContactRecord) => a.startedAt.localeCompare(b.startedAt) || a.contactId.localeCompare(b.contactId);

/** SPEC 6: the contacts.jsonl line of a contact. */
function contactLine(c: ContactRecord) {
  return {
    contactId: c.contactId,
    customerKey: c.customerKey,
    startedAt: c.startedAt,
    channel: c.channel,
    language: c.language,
    reason: c.reason,
    reasonConfidence: round(c.reasonConfidence),
    rootCause: c.role === "repeat" ? (c.rootCause ?? "other") : null,
    isRepeat: c.role === "repeat",
    repeatOf: c.repeatOf,
    chainId: c.chainId,
    status: "ok",
    error: null,
  };
}

/** SPEC 6: the contacts.jsonl line of an input that could not be read. */
function quarantineLine(q: QuarantineRecord) {
  return {
    contactId: q.contactId ?? null,
    customerKey: null,
    startedAt: null,
    channel: null,
    language: null,
    reason: null,
    reasonConfidence: null,
    rootCause: null,
    isRepeat: false,
    repeatOf: null,
    chainId: null,
    status: "quarantined",
    error: q.error,
    objectKey: q.objectKey,
  };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
