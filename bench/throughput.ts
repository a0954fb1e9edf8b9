/**
 * Throughput benchmark (issue 11): `recontact run` over generated folders of realistic
 * multilingual transcripts — transcripts/s, peak memory, and the ingest handler's time by step —
 * at two sizes, to show memory does not grow with the number of files; then whether worker
 * threads pay, and the cost table from a Lambda-like measurement (bench/cost.ts).
 *   npm run bench:throughput
 * RECONTACT_BENCH_THROUGHPUT_SIZES (default 2000,20000), RECONTACT_BENCH_COST_SIZE (default 1000)
 * and RECONTACT_BENCH_STITCHED (source transcripts per generated one, default 12) scale it down.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultWorkers } from "../lib/cli/run-pipeline.ts";
import { monthlyCost } from "./support/cost-model.ts";
import { machineLine } from "./support/machine.ts";
import { measureRun, type RunMeasurement } from "./support/measure-run.ts";
import { writeSyntheticTranscripts, type WrittenSet } from "./support/synthetic-transcripts.ts";
import { costMarkdown, measureCostInputs, readPrices, VOLUMES } from "./cost.ts";

const sizes = (process.env.RECONTACT_BENCH_THROUGHPUT_SIZES ?? "2000,20000").split(",").map(Number);
const stitched = Number(process.env.RECONTACT_BENCH_STITCHED ?? 12);
const costSize = Number(process.env.RECONTACT_BENCH_COST_SIZE ?? 1000);
/** Other worker counts run on the smallest folder, to show whether worker threads pay ("" for none). */
const comparedWorkers = (process.env.RECONTACT_BENCH_WORKERS_COMPARED ?? "0,1").split(",").filter(Boolean).map(Number);
const STEPS = ["fetch", "parse", "classify", "store", "link"] as const;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

process.stdout.write(`# recontact throughput benchmark\n\n${machineLine("npm run bench:throughput", [`transcripts stitched from ${stitched} of data/reasons-multilingual each`])}\n\n`);

const work = await mkdtemp(join(tmpdir(), "recontact-throughput-"));
const rows: { set: WrittenSet; run: RunMeasurement }[] = [];
try {
  for (const [i, n] of sizes.entries()) {
    const input = join(work, `in-${n}`);
    const set = await writeSyntheticTranscripts(input, n, { seed: 7, stitched });
    process.stderr.write(`${n} transcripts, default workers:\n`);
    rows.push({ set, run: await measureRun(input, join(work, `out-${n}`)) });
    // Does running the handler in worker threads pay? The same folder with other worker counts.
    for (const workers of i === 0 ? comparedWorkers : []) {
      process.stderr.write(`${n} transcripts, ${workers} workers:\n`);
      rows.push({ set, run: await measureRun(input, join(work, `out-${n}-${workers}`), { workers }) });
    }
    await rm(input, { recursive: true, force: true });
  }

  process.stdout.write(
    `| transcripts | avg characters / turns | workers | transcripts/s | wall s | peak RSS MB | ${STEPS.map((s) => `${s} ms`).join(" | ")} | handler ms (p99) | slowest step |\n|---:|---|---|---:|---:|---:|${STEPS.map(() => "---:").join("|")}|---:|---|\n`,
  );
  for (const { set, run } of rows) {
    const total = STEPS.reduce((sum, s) => sum + (run.stepMs[s] ?? 0), 0);
    const slowest = [...STEPS].sort((a, b) => (run.stepMs[b] ?? 0) - (run.stepMs[a] ?? 0))[0]!;
    const steps = STEPS.map((s) => `${(run.stepMs[s] ?? 0).toFixed(1)} (${((100 * (run.stepMs[s] ?? 0)) / total).toFixed(0)}%)`);
    process.stdout.write(
      `| ${run.contacts.toLocaleString("en")} | ${Math.round(set.averageCharacters)} / ${set.averageTurns.toFixed(0)} | ${run.workers} | ${(run.contacts / run.seconds).toFixed(1)} | ${run.seconds.toFixed(0)} | ${mb(run.peakRssBytes)} | ${steps.join(" | ")} | ${(run.stepMs.duration ?? 0).toFixed(0)} (${run.p99DurationMs.toFixed(0)}) | ${slowest} |\n`,
    );
  }
  const byDefault = rows.filter((r) => r.run.workers === "default");
  if (byDefault.length >= 2) {
    const [small, large] = [byDefault[0]!.run, byDefault.at(-1)!.run];
    const growth = large.peakRssBytes / small.peakRssBytes - 1;
    process.stdout.write(
      `\nPeak RSS, ${large.contacts.toLocaleString("en")} against ${small.contacts.toLocaleString("en")} transcripts: ${mb(large.peakRssBytes)} MB against ${mb(small.peakRssBytes)} MB, ${growth >= 0 ? "+" : ""}${(100 * growth).toFixed(1)}% (${Math.abs(growth) <= 0.2 ? "within" : "NOT within"} 20%).\n`,
    );
  }
  const smallest = rows.filter((r) => r.run.contacts === rows[0]?.run.contacts);
  if (smallest.length > 1) {
    const rate = (r: RunMeasurement) => `${(r.contacts / r.seconds).toFixed(1)}/s with ${r.workers === "default" ? `the default (${defaultWorkers(r.files)})` : r.workers} workers`;
    process.stdout.write(`Worker threads on ${smallest[0]!.run.contacts.toLocaleString("en")} transcripts: ${smallest.map((r) => rate(r.run)).join(", ")}.\n`);
  }
  process.stdout.write(
    `\nSteps are the ingest handler's mean wall time per transcript, read from its "ingested" log lines: fetch = S3 HEAD + GET, parse, classify = reason + language + redacted evidence + root-cause summary, store = contact lookup + item, pointer and week writes, link = relink of the customer's window (DynamoDB query, root cause, writes). Several invocations share a thread (4 at once by default), so the times include waiting for each other; the cost section measures one at a time.\n`,
  );

  if (costSize > 0) {
    process.stdout.write(`\n## Cost per month\n\n${machineLine("npm run bench:throughput (cost section)", [`${costSize.toLocaleString("en")} generated transcripts, 1 worker, 1 invocation at a time`])}\n\n`);
    const prices = await readPrices();
    const cost = await measureCostInputs(costSize, { seed: 8, stitched });
    process.stdout.write(costMarkdown(monthlyCost(cost.inputs, prices, VOLUMES), prices, cost.inputs));
    process.stdout.write(`\nLambda-like ingest: mean ${(cost.run.stepMs.duration ?? 0).toFixed(0)} ms, p99 ${cost.run.p99DurationMs.toFixed(0)} ms per transcript (infra/sizing.ts MEASURED_INGEST_MS).\n`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
