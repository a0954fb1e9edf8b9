import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { createAwsClients } from "../adapters/aws-clients.ts";
import { FileCheckpoint } from "../adapters/file-checkpoint.ts";
import { baseRuntimeFromEnv } from "../adapters/runtime.ts";
import { S3ObjectStore } from "../adapters/s3-object-store.ts";
import { createSqsClient, SqsIngestQueue } from "../adapters/sqs-ingest-queue.ts";
import { bucketOfArn, inventoryItems, parseInventoryManifest, type InventoryManifest } from "../backfill/inventory.ts";
import { parseRate } from "../backfill/rate.ts";
import { listingItems, type SourceItem } from "../backfill/sources.ts";
import type { BackfillSource, Cursor } from "../backfill/state.ts";
import { BackfillError, ConfigurationError } from "../errors.ts";
import { jsonLogger } from "../log.ts";
import { backfill, reportEveryWeek, waitForIngestion } from "../use-cases/backfill.ts";
import { isoDate, positiveInt } from "./arguments.ts";
import { progressReporter } from "./progress.ts";

export interface BackfillCommandOptions {
  bucket: string;
  prefix?: string;
  since?: Date;
  rate: string;
  state?: string;
  inventory?: string;
  queueUrl?: string;
  inFlight: number;
  reports?: boolean;
  table?: string;
  config?: string;
  region?: string;
}

/** `recontact backfill`: existing objects of the deployed bucket through the deployed ingest queue. */
export function addBackfillCommand(program: Command): void {
  program
    .command("backfill")
    .description("enqueue objects already in the bucket for ingestion (history), paced and resumable; in AWS")
    .requiredOption("--bucket <bucket>", "the recontact bucket (the ingest function reads objects from it)")
    .option("--prefix <prefix>", "only keys under this prefix (default: every ingested prefix)")
    .option("--since <date>", "only objects last modified at or after this date (ISO 8601)", isoDate)
    .option("--rate <n/s>", "objects per second (or per min, per h) sent to the ingest queue", "50/s")
    .option("--state <file>", "checkpoint file: the same command with the same file resumes (default: named after bucket and prefix)")
    .option("--inventory <manifest.json>", "read the objects from an S3 Inventory (CSV) manifest, a local file or s3://bucket/key, instead of listing")
    .option("--queue-url <url>", "the ingest queue (default: $RECONTACT_INGEST_QUEUE_URL)")
    .option("--in-flight <n>", "batches being sent at once", positiveInt, 4)
    .option("--reports", "afterwards, wait until the queue is empty and write the report of every week (needs --table)")
    .option("--table <name>", "the recontact table, for --reports")
    .option("--config <file>", "the deployment's product configuration (JSON), for --reports")
    .option("--region <region>", "AWS region (default: $AWS_REGION)")
    .action(async (opts: BackfillCommandOptions) => {
      await runBackfillCommand(opts);
    });
}

async function runBackfillCommand(opts: BackfillCommandOptions): Promise<void> {
  const prefix = opts.prefix ?? "";
  const ratePerSecond = parseRate(opts.rate);
  const queueUrl = opts.queueUrl ?? process.env.RECONTACT_INGEST_QUEUE_URL;
  if (!queueUrl) throw new ConfigurationError("INVALID_CONFIG", "no ingest queue: give --queue-url (the URL of the IngestQueue of the Recontact-Data stack) or set RECONTACT_INGEST_QUEUE_URL");
  if (opts.reports && !opts.table) throw new ConfigurationError("INVALID_CONFIG", "--reports needs --table <name>");
  const region = opts.region ?? process.env.AWS_REGION;
  const clients = createAwsClients(region ? { region } : {});
  const queue = new SqsIngestQueue(createSqsClient(region ? { region } : {}), queueUrl);

  const source: BackfillSource = { bucket: opts.bucket, prefix, since: opts.since?.toISOString() ?? null, inventory: opts.inventory ?? null };
  let items: (from: Cursor | undefined) => AsyncIterable<SourceItem>;
  if (opts.inventory) {
    const manifest = await readManifest(opts.inventory, clients.s3);
    if (manifest.sourceBucket !== opts.bucket) throw new BackfillError("INVALID_INVENTORY", `${opts.inventory} is the inventory of ${manifest.sourceBucket}, not ${opts.bucket}`);
    const files = new S3ObjectStore(clients.s3, bucketOfArn(manifest.destinationBucket));
    items = (from) => inventoryItems(manifest, files, from?.kind === "inventory" ? from : undefined);
  } else {
    const objects = new S3ObjectStore(clients.s3, opts.bucket);
    items = (from) => listingItems(objects, prefix, from?.kind === "list" ? from.after : null);
  }
  const statePath = opts.state ?? `recontact-backfill-${opts.bucket}-${createHash("sha256").update(JSON.stringify(source)).digest("hex").slice(0, 8)}.json`;

  // A listing or an inventory says nothing of its size: count once, so the bar has an end.
  process.stderr.write(`counting objects in s3://${opts.bucket}/${prefix}${opts.inventory ? ` (inventory ${opts.inventory})` : ""} …\n`);
  let total = 0;
  for await (const _ of items(undefined)) total++;

  const stop = new AbortController();
  const onSignal = () => {
    process.stderr.write("\nstopping after the batches in flight; run the same command again to resume\n");
    stop.abort();
  };
  process.once("SIGINT", onSignal);
  const progress = progressReporter();
  try {
    const result = await backfill(
      { source, items, ratePerSecond, inFlight: opts.inFlight, signal: stop.signal, onProgress: (c) => progress.update("backfill", c.listed, total) },
      { queue, checkpoint: new FileCheckpoint(statePath), log: jsonLogger((line) => process.stderr.write(`${line}\n`), "warn"), clock: () => new Date() },
    );
    progress.stop();
    const { listed, enqueued, skipped } = result.counts;
    process.stdout.write(`${result.done ? "done" : "interrupted"}: ${listed} listed, ${enqueued} enqueued, ${skipped} skipped; checkpoint ${statePath}\n`);
    if (!result.done || !opts.reports) return;

    process.stderr.write("waiting until the ingest queue is empty …\n");
    await waitForIngestion(queue, { signal: stop.signal, onBacklog: (n) => process.stderr.write(`  ${n} messages in the queue\n`) });
    if (stop.signal.aborted) return;
    const config = opts.config ? await readFile(opts.config, "utf8") : undefined;
    const runtime = baseRuntimeFromEnv({ RECONTACT_BUCKET: opts.bucket, RECONTACT_TABLE: opts.table, ...(config ? { RECONTACT_CONFIG: config } : {}), ...(region ? { AWS_REGION: region } : {}) });
    const weeks = await reportEveryWeek(runtime, (_, done, all) => progress.update("report", done, all));
    progress.stop();
    process.stdout.write(`reports written for ${weeks.length} weeks under s3://${opts.bucket}/reports/\n`);
  } finally {
    process.off("SIGINT", onSignal);
  }
}

async function readManifest(location: string, s3: ReturnType<typeof createAwsClients>["s3"]): Promise<InventoryManifest> {
  const s3Url = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!s3Url) return parseInventoryManifest(await readFile(location, "utf8"), location);
  const object = await new S3ObjectStore(s3, s3Url[1]!).get(s3Url[2]!);
  if (!object) throw new BackfillError("INVALID_INVENTORY", `${location} does not exist`);
  return parseInventoryManifest(new TextDecoder().decode(object.body), location);
}
