import { objectCreatedMessage } from "../adapters/s3-events.ts";
import type { SourceItem } from "../backfill/sources.ts";
import { pace } from "../backfill/rate.ts";
import { sameSource, type BackfillCounts, type BackfillSource, type BackfillState, type CheckpointStore, type Cursor } from "../backfill/state.ts";
import { BackfillError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import { INGESTED_PREFIXES, type IngestQueue } from "../ports/ingest-queue.ts";
import type { ReportDeps } from "./build-weekly-report.ts";
import { buildWeeklyReport } from "./build-weekly-report.ts";

export interface BackfillOptions {
  source: BackfillSource;
  /** The objects from a cursor on (the listing or the inventory); undefined: from the start. */
  items: (from: Cursor | undefined) => AsyncIterable<SourceItem>;
  /** Objects per second sent to the queue; Infinity for no limit. */
  ratePerSecond: number;
  /** Batches sent at once (default 4). */
  inFlight?: number;
  /** Stops listing; what is in flight is finished and checkpointed. */
  signal?: AbortSignal;
  onProgress?: (counts: BackfillCounts) => void;
}

export interface BackfillDeps {
  queue: IngestQueue;
  checkpoint: CheckpointStore;
  log: Logger;
  clock: () => Date;
}

export interface BackfillResult {
  counts: BackfillCounts;
  /** False when interrupted: run again with the same checkpoint to go on. */
  done: boolean;
  resumed: boolean;
}

interface Chunk {
  seq: number;
  bodies: string[];
  listed: number;
  skipped: number;
  cursor: Cursor;
}

/**
 * Enqueues existing objects for ingestion, in the shape of S3's own notifications, at a rate,
 * resumably: the checkpoint moves past a batch only once it and every batch before it are
 * accepted by the queue, so a stop at any moment loses nothing. A crash between a send and its
 * checkpoint sends that batch again on resume: ingestion is idempotent (a contact id is stored
 * once, and linking is a function of the contacts alone), so every object is ingested once in
 * effect, and linking comes out the same in whatever order history arrives.
 */
export async function backfill(options: BackfillOptions, deps: BackfillDeps): Promise<BackfillResult> {
  const stored = await deps.checkpoint.load();
  if (stored && !sameSource(stored.source, options.source)) {
    throw new BackfillError("STATE_MISMATCH", `the checkpoint is for ${JSON.stringify(stored.source)}, not ${JSON.stringify(options.source)}: give another --state file`);
  }
  if (stored?.done) return { counts: stored.counts, done: true, resumed: true };
  const now = () => deps.clock().toISOString();
  const state: BackfillState = stored ?? {
    schema: "recontact.backfill-state/v1",
    source: options.source,
    cursor: options.source.inventory ? { kind: "inventory", file: 0, row: 0 } : { kind: "list", after: null },
    counts: { listed: 0, enqueued: 0, skipped: 0 },
    done: false,
    startedAt: now(),
    updatedAt: now(),
  };
  deps.log.log("info", stored ? "backfill resumed" : "backfill started", { step: "backfill", bucket: options.source.bucket, prefix: options.source.prefix, ...state.counts });

  const rate = pace(options.ratePerSecond);
  const since = options.source.since ? Date.parse(options.source.since) : undefined;
  const inFlight = new Set<Promise<void>>();
  const finished = new Map<number, Chunk>();
  let nextToCommit = 0;
  let failure: unknown;
  let saving = Promise.resolve();

  // Batches finish in any order; the checkpoint only ever moves over an unbroken run of them.
  const commit = () => {
    for (let chunk = finished.get(nextToCommit); chunk; chunk = finished.get(nextToCommit)) {
      finished.delete(nextToCommit++);
      state.cursor = chunk.cursor;
      state.counts = { listed: state.counts.listed + chunk.listed, enqueued: state.counts.enqueued + chunk.bodies.length, skipped: state.counts.skipped + chunk.skipped };
    }
    state.updatedAt = now();
    const snapshot = structuredClone(state);
    saving = saving.then(() => deps.checkpoint.save(snapshot));
    options.onProgress?.(snapshot.counts);
  };

  const dispatch = async (chunk: Chunk) => {
    while (inFlight.size >= (options.inFlight ?? 4)) await Promise.race(inFlight);
    if (failure) return;
    await rate.take(chunk.bodies.length);
    const sent = (chunk.bodies.length ? deps.queue.sendBatch(chunk.bodies) : Promise.resolve()).then(
      () => {
        finished.set(chunk.seq, chunk);
        commit();
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
    const tracked = sent.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  let seq = 0;
  let chunk: Chunk = { seq: seq++, bodies: [], listed: 0, skipped: 0, cursor: state.cursor };
  for await (const item of options.items(stored ? state.cursor : undefined)) {
    if (options.signal?.aborted || failure) break;
    chunk.listed++;
    chunk.cursor = item.cursor;
    if (passOver(item, options.source.prefix, since)) chunk.skipped++;
    else chunk.bodies.push(objectCreatedMessage({ bucket: options.source.bucket, key: item.key, ...(item.size !== undefined ? { size: item.size } : {}), ...(item.lastModified ? { eventTime: item.lastModified } : {}) }));
    if (chunk.bodies.length >= rate.batchSize || chunk.listed >= SKIPPED_PER_CHECKPOINT) {
      await dispatch(chunk);
      chunk = { seq: seq++, bodies: [], listed: 0, skipped: 0, cursor: chunk.cursor };
    }
  }
  const interrupted = Boolean(options.signal?.aborted);
  if (chunk.listed > 0 && !interrupted && !failure) await dispatch(chunk);
  await Promise.all(inFlight);
  state.done = !interrupted && !failure;
  state.updatedAt = now();
  const final = structuredClone(state);
  saving = saving.then(() => deps.checkpoint.save(final));
  await saving;
  if (failure) throw failure;
  deps.log.log("info", state.done ? "backfill enqueued everything" : "backfill interrupted", { step: "backfill", ...state.counts });
  return { counts: state.counts, done: state.done, resumed: stored !== undefined };
}

/** A long run of skipped objects (old ones, under --since) still moves the checkpoint now and then. */
const SKIPPED_PER_CHECKPOINT = 1000;

/** Objects the ingest queue would never have been notified of, or that the backfill leaves out. */
function passOver(item: SourceItem, prefix: string, since: number | undefined): boolean {
  if (item.skip) return true;
  if (!item.key.startsWith(prefix) || !INGESTED_PREFIXES.some((p) => item.key.startsWith(p))) return true;
  if (item.key.endsWith("/") && !item.size) return true; // a "folder" placeholder
  return since !== undefined && item.lastModified !== undefined && item.lastModified.getTime() < since;
}

/**
 * Waits until the ingest queue has been empty for `quietPolls` polls in a row (SQS's counts are
 * approximate, so one zero is not enough), then returns.
 */
export async function waitForIngestion(queue: IngestQueue, options: { pollMs?: number; quietPolls?: number; signal?: AbortSignal; onBacklog?: (n: number) => void } = {}): Promise<void> {
  let quiet = 0;
  while (quiet < (options.quietPolls ?? 3) && !options.signal?.aborted) {
    const backlog = await queue.backlog();
    options.onBacklog?.(backlog);
    quiet = backlog === 0 ? quiet + 1 : 0;
    if (quiet < (options.quietPolls ?? 3)) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 10_000));
  }
}

/** After a backfill: the weekly report of every week that has contacts, old weeks included. */
export async function reportEveryWeek(deps: ReportDeps & { contacts: Pick<ContactStore, "weeks"> }, onWeek?: (week: string, done: number, total: number) => void): Promise<string[]> {
  const weeks = await deps.contacts.weeks();
  for (const [i, week] of weeks.entries()) {
    await buildWeeklyReport(week, deps);
    onWeek?.(week, i + 1, weeks.length);
  }
  return weeks;
}
