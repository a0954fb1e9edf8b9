/** The prefixes whose new objects the bucket notifies to the ingest queue (SPEC 7). */
export const INGESTED_PREFIXES = ["transcripts/", "analysis/", "Analysis/", "ctr/"] as const;

/** SQS takes at most ten messages in one SendMessageBatch. */
export const MAX_SEND_BATCH = 10;

/**
 * The queue in front of the ingest function, as a producer sees it: the backfill enqueues
 * existing objects here (SQS in AWS, the local queue in `recontact run` and the tests).
 */
export interface IngestQueue {
  /**
   * Enqueues up to MAX_SEND_BATCH message bodies. Resolves once every one is accepted (what the
   * queue refused for a passing reason is sent again); throws when some could not be.
   */
  sendBatch(bodies: readonly string[]): Promise<void>;
  /** Messages waiting or being handled (approximate in SQS): 0 when ingestion has caught up. */
  backlog(): Promise<number>;
}
