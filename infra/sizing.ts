import { Duration } from "aws-cdk-lib";

/**
 * Timeouts that two stacks must agree on. The queue lives in the data stack and the function that
 * drains it in the pipeline stack; both read these numbers so they cannot drift apart.
 */

/** Timeout of the ingest function (one SQS batch of up to 10 objects). */
export const INGEST_TIMEOUT = Duration.seconds(60);

/**
 * AWS guidance for SQS event sources: the queue's visibility timeout is at least six times the
 * function timeout, so a batch that is retried (throttling, a slow cold start) is not delivered
 * again while it is still being processed.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Visibility timeout of the ingest queue: 6 × 60 s = 360 s. */
export const INGEST_VISIBILITY_TIMEOUT = Duration.seconds(INGEST_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
