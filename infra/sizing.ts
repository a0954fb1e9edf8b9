import { Duration } from "aws-cdk-lib";

/**
 * Sizes of the ingest path, chosen from measurements (bench/RESULTS-throughput.md, made with
 * `npm run bench`), and timeouts that two stacks must agree on: the queue lives in the data stack
 * and the function that drains it in the pipeline stack; both read these numbers.
 */

/** Timeout of the ingest function (one SQS batch of up to INGEST_BATCH_SIZE objects). */
export const INGEST_TIMEOUT = Duration.seconds(60);

/**
 * AWS guidance for SQS event sources: the queue's visibility timeout is at least six times the
 * function timeout, so a batch that is retried (throttling, a slow cold start) is not delivered
 * again while it is still being processed.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Visibility timeout of the ingest queue: 6 × 60 s = 360 s. */
export const INGEST_VISIBILITY_TIMEOUT = Duration.seconds(INGEST_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);

/**
 * Ingest handler time per contact, mean and 99th percentile, measured by `npm run cost` and
 * `npm run bench` (one invocation at a time, as in a Lambda container, on the embedded S3 and
 * DynamoDB servers, which answer slower than the real ones): means of 134 to 311 ms and a p99 of
 * 930 ms on a shared 2-core machine (load average 8–12; bench/RESULTS-throughput.md). Rounded up
 * to the busy end. Update them when the ingest path changes.
 */
export const MEASURED_INGEST_MS = { mean: 250, p99: 930 } as const;

/**
 * Memory of the ingest function: the runtime (two models, clients) measured at about 200 MB per
 * worker; 1,024 MB buys 0.58 vCPU (Lambda gives a full vCPU at 1,769 MB) for classification
 * and root-cause features, which are CPU-bound.
 */
export const INGEST_MEMORY_MB = 1024;

/** Memory of the weekly report function (reads 8 weeks of a week's contacts). */
export const REPORT_MEMORY_MB = 1536;

/**
 * Messages per invocation. The handler ingests a batch one object after another, so a batch
 * lasts about size × time per contact: 10 at the measured p99 stays well inside the timeout
 * (checked below), and a larger batch would only save invocation requests ($0.20 per million,
 * a rounding error next to compute) while holding more messages hostage to one slow object.
 */
export const INGEST_BATCH_SIZE = 10;

/** How long the poller may wait to fill a batch: at low volume batches go out near-empty, sooner. */
export const INGEST_BATCHING_WINDOW = Duration.seconds(5);

/**
 * The design peak: a centre with 10 million contacts a month takes them in about 22 working
 * days of 10 hours (12.6 a second) and its busiest hour brings twice the average.
 */
export const DESIGN_PEAK_CONTACTS_PER_SECOND = Math.ceil((2 * 10_000_000) / (22 * 10 * 3600));

/**
 * Concurrent ingest invocations needed to keep up with `perSecond` contacts taking
 * `secondsPerContact` each (Little's law), times `headroom` for a backfill running beside live
 * traffic and for retries; at least 2, the smallest maximum an SQS event source accepts.
 */
export function ingestConcurrencyFor(perSecond: number, secondsPerContact: number, headroom = 2): number {
  return Math.max(2, Math.ceil(perSecond * secondsPerContact * headroom));
}

/**
 * Maximum concurrency of the SQS event source: the poller never runs more invocations than this,
 * so the function is not throttled (no retries, no throttle alarm) and DynamoDB sees a bounded
 * write rate. It does not reserve concurrency: reserving takes capacity from the account for
 * good and fails to deploy on accounts with the default low quota; `ingestReservedConcurrency`
 * remains available where a guaranteed share is wanted.
 */
export const INGEST_MAX_CONCURRENCY = ingestConcurrencyFor(DESIGN_PEAK_CONTACTS_PER_SECOND, MEASURED_INGEST_MS.mean / 1000);

/** Contacts a second the ingest path can take at its maximum concurrency (backfill rates stay below it). */
export const INGEST_CAPACITY_PER_SECOND = Math.floor(INGEST_MAX_CONCURRENCY / (MEASURED_INGEST_MS.mean / 1000));

/** A batch at the measured p99 takes at most a third of the timeout: cold starts and slow calls fit. */
export function batchFitsTimeout(batchSize: number = INGEST_BATCH_SIZE, p99Ms: number = MEASURED_INGEST_MS.p99, timeout: Duration = INGEST_TIMEOUT): boolean {
  return batchSize * p99Ms * 3 <= timeout.toMilliseconds();
}
