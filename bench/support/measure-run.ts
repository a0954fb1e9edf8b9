import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { z } from "zod";

const CHILD = fileURLToPath(new URL("./run-child.ts", import.meta.url));

export const RunMeasurementSchema = z.object({
  files: z.number(),
  contacts: z.number(),
  quarantined: z.number(),
  weeks: z.number(),
  seconds: z.number(),
  peakRssBytes: z.number(),
  ingested: z.number(),
  p99DurationMs: z.number(),
  reportSeconds: z.number(),
  /** Mean wall time per contact of each step of the ingest handler (fetch, parse, classify, store, link, duration). */
  stepMs: z.record(z.string(), z.number()),
  logBytesPerContact: z.number(),
  /** Requests the embedded servers received per contact: `s3:<METHOD>`, `dynamodb:<Operation>`. */
  requestsPerContact: z.record(z.string(), z.number()),
});
export type RunMeasurement = z.infer<typeof RunMeasurementSchema> & { workers: number | "default"; concurrency: number | "default" };

/** `recontact run` over a folder in a child process (see run-child.ts), measured. */
export async function measureRun(inputDir: string, outDir: string, options: { workers?: number; concurrency?: number } = {}): Promise<RunMeasurement> {
  const child = promisify(execFile)(process.execPath, ["--import", "tsx", CHILD, JSON.stringify({ inputDir, outDir, ...options })], { maxBuffer: 16 * 2 ** 20 });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  const measured = RunMeasurementSchema.parse(JSON.parse(stdout.trim().split("\n").at(-1)!));
  return { ...measured, workers: options.workers ?? "default", concurrency: options.concurrency ?? "default" };
}
