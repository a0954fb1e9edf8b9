import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { startEmbeddedServices, type EmbeddedServices } from "../adapters/local/embedded-services.ts";
import { SIDECAR_SUFFIX, sidecarMetadata } from "../adapters/local/file-object-store.ts";
import { LocalQueue } from "../adapters/local/local-queue.ts";
import { runtimeFromEnv, type RuntimeEnv } from "../adapters/runtime.ts";
import type { Config } from "../config.ts";
import type { ContactRecord, QuarantineRecord } from "../contact/contact-record.ts";
import type { Logger } from "../log.ts";
import type { Report } from "../report/report-schema.ts";
import { reportKey } from "../use-cases/build-weekly-report.ts";
import { writeStoreSnapshot } from "./store-snapshot.ts";
import { expireWaitingTranscripts } from "../use-cases/expire-waiting.ts";
import { isoWeekOf } from "../time/iso-week.ts";
import type { IngestOutcome } from "../use-cases/ingest-object.ts";
import { createIngestHandler } from "../../functions/ingest/handler.ts";
import { createReportHandler } from "../../functions/report/handler.ts";

export { SIDECAR_SUFFIX };

/** The longest key segment s3rver can store as a file name (255 bytes less its own suffix). */
const LOCAL_SEGMENT_LIMIT = 200;
/** Local runs hash customer ids with this unless RECONTACT_HASH_SECRET is set: keys are stable across runs. */
export const LOCAL_DEVELOPMENT_SECRET = "recontact-local-development-secret-not-for-production";

export interface RunOptions {
  inputDir: string;
  outDir: string;
  config: Config;
  log: Logger;
  hashSecret?: string;
  concurrency?: number;
  now?: () => Date;
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
  const services = await startEmbeddedServices();
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
  const runtime = await runtimeFromEnv(env, { log: options.log, ...(options.now ? { clock: options.now } : {}) });
  // Quarantined inputs are collected as they happen: a file too broken to date has no week to be found under.
  const quarantinedByKey = new Map<string, QuarantineRecord>();
  const onOutcome = (key: string, outcome: IngestOutcome) => {
    if (outcome.status === "quarantined") quarantinedByKey.set(key, outcome.record);
  };
  const queue = new LocalQueue({ concurrency: options.concurrency ?? 4, maxReceiveCount: 3, handler: createIngestHandler(runtime, onOutcome) });
  services.onObjectCreated((body) => queue.send(body));

  const files = await transcriptFiles(options.inputDir);
  let uploaded = 0;
  let expected = 0;
  for (const file of files) {
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
      options.onProgress?.({ phase: "upload", done: ++uploaded, total: files.length });
      continue;
    }
    expected++;
    const [body, metadata] = await Promise.all([readFile(file), sidecarMetadata(file)]);
    await runtime.objects.put(key, body, { metadata });
    options.onProgress?.({ phase: "upload", done: ++uploaded, total: files.length });
  }
  await waitUntil(() => queue.processed >= expected, (done) => options.onProgress?.({ phase: "ingest", done, total: expected }), () => queue.processed);
  await queue.drained();
  // The run is over: a transcript still waiting for its contact trace record will not get one.
  const now = runtime.clock();
  const ended = await expireWaitingTranscripts(runtime, [isoWeekOf(now, options.config.timeZone), ...(await runtime.contacts.weeks())], new Date(now.getTime() + 1));
  for (const record of ended) quarantinedByKey.set(record.objectKey, record);
  if (ended.length) options.log.log("warn", "transcripts never joined to a contact trace record", { step: "run", count: ended.length });

  const reportHandler = createReportHandler(runtime);
  // The reports folder shows this run only: a week left over from an earlier run would read as current.
  await rm(join(options.outDir, "reports"), { recursive: true, force: true });
  const weeks = await runtime.contacts.weeks();
  const results: RunResult["weeks"] = [];
  const contacts: ContactRecord[] = [];
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
    contacts.push(...(await runtime.contacts.contactsOfWeek(week)));
    options.onProgress?.({ phase: "report", done: i + 1, total: weeks.length });
  }

  const quarantined = [...quarantinedByKey.values()].sort((a, b) => a.objectKey.localeCompare(b.objectKey));
  const deadLettered = queue.deadLetters.map((d) => deadLetterRecord(d.body, runtime.clock()));
  await writeOutputs(options.outDir, contacts, [...quarantined, ...deadLettered]);
  await writeStoreSnapshot(options.outDir, { inputDir: options.inputDir, config: options.config, contacts, now: runtime.clock() });
  const models = await runtime.liveModels.current();
  return {
    files: files.length,
    contacts: contacts.length,
    quarantined: quarantined.length,
    deadLettered: deadLettered.length,
    weeks: results,
    outDir: options.outDir,
    models: { reason: models.reasonClassifier.version, rootCause: models.rootCauseModel.version },
  };
}

/** Every file under the folder except sidecars and hidden files, in a stable order. */
export async function transcriptFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith(".") && !e.name.endsWith(SIDECAR_SUFFIX))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function waitUntil(done: () => boolean, progress: (n: number) => void, count: () => number): Promise<void> {
  while (!done()) {
    progress(count());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  progress(count());
}

function deadLetterRecord(body: string, now: Date): QuarantineRecord {
  return { objectKey: body.slice(0, 200), code: "DEAD_LETTERED", error: "ingest failed on every delivery (see the run log)", week: "", quarantinedAt: now.toISOString() };
}

/** SPEC 6: one contacts.jsonl line per input contact (quarantined inputs included) and quarantine.jsonl. */
export async function writeOutputs(outDir: string, contacts: ContactRecord[], quarantined: QuarantineRecord[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const ordered = [...contacts].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.contactId.localeCompare(b.contactId));
  const lines = [
    ...ordered.map((c) => ({
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
    })),
    ...quarantined.map((q) => ({
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
    })),
  ];
  await writeFile(join(outDir, "contacts.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + (lines.length ? "\n" : ""));
  await writeFile(join(outDir, "quarantine.jsonl"), quarantined.map((q) => JSON.stringify(q)).join("\n") + (quarantined.length ? "\n" : ""));
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
