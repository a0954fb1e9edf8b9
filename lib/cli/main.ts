import { Command, CommanderError } from "commander";
import { createInterface } from "node:readline";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hashingRuntimeFromEnv, loadClassifier } from "../adapters/runtime.ts";
import { readDataset } from "../classify/dataset.ts";
import { evaluateClassifier, formatEvaluation } from "../classify/evaluate.ts";
import { trainModel, withHeldOutMetrics } from "../classify/train.ts";
import { featureCount } from "../classify/model-artifact.ts";
import { writeModelFile } from "../classify/model-file.ts";
import { loadConfigFile, parseConfig } from "../config.ts";
import { describeError, RecontactError } from "../errors.ts";
import { jsonLogger } from "../log.ts";
import { customerKeysOfRaw, forgetCustomer, type ForgetResult } from "../use-cases/forget-customer.ts";
import { positiveInt, wholeNumber } from "./arguments.ts";
import { addBackfillCommand } from "./backfill-command.ts";
import { progressReporter } from "./progress.ts";
import { registerReviewCommands } from "./review-commands.ts";
import { runPipeline } from "./run-pipeline.ts";
import { summaryTable } from "./summary.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEMO_INPUT = join(REPO_ROOT, "samples", "demo");
export const DEMO_CONFIG = join(REPO_ROOT, "samples", "demo.config.json");

/** Runs the `recontact` command line; returns the exit status (SPEC 6). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("recontact")
    .description("Why customers contact you again: contact reasons, repeat links and weekly root-cause reports.")
    .exitOverride()
    .showHelpAfterError();

  program
    .command("demo")
    .description("the demo: sample transcripts through embedded S3 and DynamoDB into weekly reports")
    .option("--out <dir>", "output folder", "out/demo")
    .action(async (opts: { out: string }) => {
      await runCommand(DEMO_INPUT, resolve(opts.out), DEMO_CONFIG);
    });

  program
    .command("run")
    .description("run the pipeline over every transcript file under <dir> on embedded S3 and DynamoDB")
    .argument("<dir>", "folder of transcript files (with optional <file>.meta.json sidecars)")
    .requiredOption("--out <dir>", "output folder for contacts.jsonl, quarantine.jsonl and reports/")
    .option("--config <file>", "JSON configuration (SPEC 4 and 6 keys)")
    .option("--concurrency <n>", "ingest functions running at once", positiveInt, 4)
    .option("--workers <n>", "worker threads running the ingest function (0: none; default: one per spare core for large folders)", wholeNumber)
    .action(async (dir: string, opts: { out: string; config?: string; concurrency: number; workers?: number }) => {
      await runCommand(resolve(dir), resolve(opts.out), opts.config, opts.concurrency, opts.workers);
    });

  addBackfillCommand(program);

  program
    .command("train")
    .description("train a model from JSON lines {text, label, lang?}; prints its held-out metrics")
    .requiredOption("--task <task>", "reason | root-cause")
    .requiredOption("--data <jsonl...>", "training data files")
    .requiredOption("--out <model.json>", "where to write the model (its arrays go beside it: model.json → model.bin)")
    .option("--eval-data <jsonl...>", "held-out data to report on (never trained on)")
    .option("--seed <n>", "random seed", Number, 13)
    .option("--epochs <n>", "training epochs", positiveInt)
    .option("--model-version <v>", "version recorded in the manifest")
    .action(async (opts: { task: string; data: string[]; out: string; evalData?: string[]; seed: number; epochs?: number; modelVersion?: string }) => {
      const dataset = await readDataset(opts.data);
      let artifact = trainModel(dataset, {
        task: opts.task,
        version: opts.modelVersion ?? `${opts.task}-${dataset.sha256.slice(0, 12)}`,
        settings: { seed: opts.seed, ...(opts.epochs ? { epochs: opts.epochs } : {}) },
      });
      process.stdout.write(`trained on ${dataset.examples.length} examples, ${artifact.labels.length} labels, ${featureCount(artifact)} features in ${artifact.manifest.trainingSeconds}s\n`);
      if (opts.evalData) {
        const held = await readDataset(opts.evalData);
        const scored = withHeldOutMetrics(artifact, opts.evalData.join(","), held.examples);
        artifact = scored.artifact;
        process.stdout.write(`held-out (${opts.evalData.join(", ")}):\n${formatEvaluation({ ...scored.metrics, labels: [], confusion: {} })}\n`);
      }
      await mkdir(dirname(resolve(opts.out)), { recursive: true });
      await writeModelFile(opts.out, artifact);
      process.stdout.write(`model written to ${opts.out}\n`);
    });

  program
    .command("evaluate")
    .description("accuracy, macro-F1, per-label precision/recall/F1 and confusion of a model on JSON lines")
    .requiredOption("--model <model.json>")
    .requiredOption("--data <jsonl...>")
    .option("--json", "print one JSON object")
    .action(async (opts: { model: string; data: string[]; json?: boolean }) => {
      const [classifier, dataset] = await Promise.all([loadClassifier(opts.model), readDataset(opts.data)]);
      const evaluation = evaluateClassifier(classifier, dataset.examples);
      if (opts.json) process.stdout.write(`${JSON.stringify(evaluation)}\n`);
      else process.stdout.write(`${formatEvaluation(evaluation)}\n`);
    });

  program
    .command("classify")
    .description('read JSON lines {"text", "lang"?} on stdin, write {"label", "confidence", "top"} lines')
    .requiredOption("--model <model.json>")
    .action(async (opts: { model: string }) => {
      const classifier = await loadClassifier(opts.model);
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      let n = 0;
      for await (const line of lines) {
        n++;
        if (!line.trim()) continue;
        let input: { text?: unknown; lang?: unknown };
        try {
          input = JSON.parse(line) as typeof input;
        } catch {
          process.stdout.write(`${JSON.stringify({ error: `line ${n}: not JSON` })}\n`);
          continue;
        }
        if (typeof input.text !== "string") {
          process.stdout.write(`${JSON.stringify({ error: `line ${n}: "text" must be a string` })}\n`);
          continue;
        }
        const { label, confidence, top } = classifier.predict(input.text, typeof input.lang === "string" ? input.lang : undefined);
        process.stdout.write(`${JSON.stringify({ label, confidence, top })}\n`);
      }
    });

  program
    .command("forget")
    .description(
      "SPEC 7: remove a customer's contacts, links and derived data from the store the environment names " +
        "(RECONTACT_BUCKET, RECONTACT_TABLE, RECONTACT_HASH_SECRET_ARN or RECONTACT_HASH_SECRET, RECONTACT_CONFIG, AWS_REGION), " +
        "and rewrite the reports that showed them",
    )
    .option("--customer <id>", "phone number, e-mail address or CRM id, normalised and hashed as at ingest")
    .option("--customer-key <key>", "the customer key itself (64 hex digits, as in contacts.jsonl)")
    .option("--json", "print the result as one JSON object")
    .action(async (opts: { customer?: string; customerKey?: string; json?: boolean }) => {
      if ((opts.customer === undefined) === (opts.customerKey === undefined)) {
        throw new Error("give exactly one of --customer <id> and --customer-key <key>");
      }
      if (opts.customerKey !== undefined && !/^[0-9a-f]{64}$/.test(opts.customerKey)) {
        throw new Error("--customer-key: expected 64 hex digits");
      }
      // Warnings and errors only, on stderr: stdout carries the result.
      const runtime = await hashingRuntimeFromEnv(process.env, { log: jsonLogger((line) => process.stderr.write(`${line}\n`), "warn") });
      const keys = opts.customerKey ? [opts.customerKey] : customerKeysOfRaw(opts.customer!, runtime);
      const result = await forgetCustomer(keys, runtime);
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${describeForget(result)}\n`);
    });

  registerReviewCommands(program);

  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`recontact: ${error instanceof RecontactError ? `[${error.code}] ` : ""}${describeError(error)}\n`);
    return 1;
  }
}

async function runCommand(inputDir: string, outDir: string, configFile: string | undefined, concurrency = 4, workers?: number): Promise<void> {
  const config = configFile ? await loadConfigFile(configFile) : parseConfig({});
  await mkdir(outDir, { recursive: true });
  const logLines: string[] = [];
  const progress = progressReporter();
  const started = performance.now();
  const result = await runPipeline({
    inputDir,
    outDir,
    config,
    concurrency,
    ...(workers !== undefined ? { workers } : {}),
    log: jsonLogger((line) => logLines.push(line), "info"),
    onProgress: ({ phase, done, total }) => progress.update(phase, done, total),
    // The output folder is also the local model registry: a model promoted there is used next run.
    registryDir: outDir,
  });
  progress.stop();
  await writeFile(join(outDir, "run.log"), logLines.join("\n") + "\n");
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`\n${summaryTable(result.weeks)}\n`);
  process.stdout.write(
    `${result.files} files → ${result.contacts} contacts, ${result.quarantined} quarantined${result.deadLettered ? `, ${result.deadLettered} FAILED (dead-lettered)` : ""} in ${seconds}s\n`,
  );
  process.stdout.write(`contacts:  ${join(outDir, "contacts.jsonl")}\nquarantine: ${join(outDir, "quarantine.jsonl")}\n`);
  process.stdout.write(`models:    reason ${result.models.reason}, root cause ${result.models.rootCause}  (review: npx recontact review --out ${outDir})\n`);
  const latest = result.weeks.at(-1);
  if (latest) process.stdout.write(`report:    ${join(outDir, "reports", latest.week, "report.html")}  (all weeks under ${join(outDir, "reports")}/)\n`);
  if (result.deadLettered) throw new Error(`${result.deadLettered} input(s) failed on every delivery; see ${join(outDir, "run.log")}`);
}

function describeForget({ customerKeys, items, removed, reports, sourceObjects }: ForgetResult): string {
  const kinds = [
    [removed.contacts, "contacts"],
    [removed.contactPointers, "contact-id pointers"],
    [removed.contactTraceRecords, "contact trace records"],
    [removed.pendingTranscripts, "held transcripts"],
    [removed.quarantineRecords, "quarantine records"],
    [removed.timelineVersions, "timeline versions"],
  ] as const;
  const detail = kinds.map(([n, what]) => `${n} ${what}`).join(", ");
  const rewritten = reports.length ? `reports rewritten: ${reports.join(", ")}` : "no report showed them";
  const sources = sourceObjects.length ? `\ntheir contacts were read from these objects, still in the bucket:\n${sourceObjects.map((key) => `  ${key}`).join("\n")}` : "";
  return `customer ${customerKeys.map((key) => `${key.slice(0, 12)}…`).join(" / ")}: ${items} items removed (${detail}); ${rewritten}${sources}`;
}

