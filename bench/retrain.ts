/**
 * Retraining cost on the shipped data (issue 9): wall time and peak memory of training each task's
 * candidate with the shipped recipe, each in a fresh process, to size the retrain function.
 *   npm run bench:retrain
 */
import { execFile } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { promisify } from "node:util";
import { shippedRecipes, trainerFor } from "../lib/review/trainers.ts";
import { TaskSchema, TASKS } from "../lib/review/task.ts";

const measured = process.argv.indexOf("--measure");
if (measured >= 0) {
  // The child: one task, timed from reading the data to the serialised artifact.
  const task = TaskSchema.parse(process.argv[measured + 1]);
  const trainer = trainerFor(task, shippedRecipes());
  const started = performance.now();
  const data = await trainer.shippedData();
  const read = performance.now();
  const artifact = JSON.stringify(trainer.train(data.train as never[], { version: "bench", now: new Date(), data }));
  const trained = performance.now();
  process.stdout.write(
    JSON.stringify({
      task,
      examples: data.train.length,
      readSeconds: (read - started) / 1000,
      trainSeconds: (trained - read) / 1000,
      artifactMB: Buffer.byteLength(artifact) / 1e6,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
} else {
  const run = promisify(execFile);
  process.stdout.write(`# retrain cost\n\ncommand: npm run bench:retrain · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n\n`);
  process.stdout.write("| task | training examples | read data (s) | train (s) | artifact (MB) | peak RSS (MB) |\n|---|---:|---:|---:|---:|---:|\n");
  for (const task of TASKS) {
    const { stdout } = await run(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname, "--measure", task], { maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout) as { examples: number; readSeconds: number; trainSeconds: number; artifactMB: number; peakRssMB: number };
    process.stdout.write(`| ${task} | ${r.examples} | ${r.readSeconds.toFixed(1)} | ${r.trainSeconds.toFixed(1)} | ${r.artifactMB.toFixed(1)} | ${r.peakRssMB.toFixed(0)} |\n`);
  }
}
