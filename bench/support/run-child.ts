/**
 * One `recontact run` in a process of its own, so its peak memory is its own: the parent
 * (measure-run.ts) starts this with a JSON argument and reads one JSON line back. Requests to
 * the embedded S3 and DynamoDB servers are counted where they arrive (all threads' requests).
 */
import dc from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { runPipeline } from "../../lib/cli/run-pipeline.ts";
import { parseConfig } from "../../lib/config.ts";
import type { Logger } from "../../lib/log.ts";

const ArgsSchema = z.object({ inputDir: z.string(), outDir: z.string(), workers: z.number().int().nonnegative().optional(), concurrency: z.number().int().positive().optional() });
const args = ArgsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));

const requests: Record<string, number> = {};
/** The requests of the ingest phase alone (before the reports are written). */
const ingestRequests: Record<string, number> = {};
dc.subscribe("http.server.request.start", (message) => {
  const request = (message as { request: IncomingMessage }).request;
  const target = request.headers["x-amz-target"];
  const name = typeof target === "string" ? `dynamodb:${target.split(".").at(-1)}` : `s3:${request.method}`;
  requests[name] = (requests[name] ?? 0) + 1;
});

const stepTotals: Record<string, number> = {};
const durations: number[] = [];
let ingested = 0;
let logBytes = 0;
const log: Logger = {
  log(level, message, fields = {}) {
    logBytes += Buffer.byteLength(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })) + 1;
    if (message !== "ingested") return;
    ingested++;
    if (typeof fields.durationMs === "number") durations.push(fields.durationMs);
    for (const [key, value] of Object.entries(fields)) if (key.endsWith("Ms") && typeof value === "number") stepTotals[key] = (stepTotals[key] ?? 0) + value;
  },
};

let lastTick = 0;
let reportStarted: number | undefined;
const started = performance.now();
const result = await runPipeline({
  inputDir: args.inputDir,
  outDir: args.outDir,
  config: parseConfig({ timeZone: "Europe/Amsterdam" }),
  log,
  ...(args.workers !== undefined ? { workers: args.workers } : {}),
  ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
  onProgress: ({ phase, done, total }) => {
    if (phase === "ingest" && done === total && reportStarted === undefined) {
      reportStarted = performance.now();
      Object.assign(ingestRequests, requests);
    }
    if (performance.now() - lastTick < 5000 && done < total) return;
    lastTick = performance.now();
    process.stderr.write(`  ${phase} ${done}/${total}\n`);
  },
});
const seconds = (performance.now() - started) / 1000;
durations.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    files: result.files,
    contacts: result.contacts,
    quarantined: result.quarantined + result.deadLettered,
    weeks: result.weeks.length,
    seconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ingested,
    p99DurationMs: durations[Math.floor(0.99 * (durations.length - 1))] ?? 0,
    /** The report phase: every week's report (reading its 8-week trend), and contacts.jsonl. */
    reportSeconds: reportStarted === undefined ? 0 : (performance.now() - reportStarted) / 1000,
    stepMs: Object.fromEntries(Object.entries(stepTotals).map(([k, v]) => [k.replace(/Ms$/, ""), v / Math.max(1, ingested)])),
    logBytesPerContact: logBytes / Math.max(1, ingested),
    requestsPerContact: Object.fromEntries(Object.entries(ingestRequests).map(([k, v]) => [k, v / Math.max(1, result.contacts)])),
  })}\n`,
);
