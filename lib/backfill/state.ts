import { z } from "zod";

/** What is being backfilled: a checkpoint only resumes the same backfill. */
export const BackfillSourceSchema = z.object({
  bucket: z.string().min(1),
  prefix: z.string(),
  /** Only objects last modified at or after this instant (ISO 8601), or all. */
  since: z.string().nullable(),
  /** The S3 Inventory manifest read instead of listing the bucket, or null. */
  inventory: z.string().nullable(),
});
export type BackfillSource = z.infer<typeof BackfillSourceSchema>;

/**
 * Where a backfill resumes: after the last key of a listing (keys come in order), or after a
 * number of rows of one inventory file (files come in the manifest's order).
 */
export const CursorSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("list"), after: z.string().nullable() }),
  z.object({ kind: z.literal("inventory"), file: z.number().int().nonnegative(), row: z.number().int().nonnegative() }),
]);
export type Cursor = z.infer<typeof CursorSchema>;

export const BackfillCountsSchema = z.object({
  /** Objects read from the listing or the inventory. */
  listed: z.number().int().nonnegative(),
  /** Objects sent to the ingest queue. */
  enqueued: z.number().int().nonnegative(),
  /** Objects passed over: older than `since`, outside the ingested prefixes, folders, old versions. */
  skipped: z.number().int().nonnegative(),
});
export type BackfillCounts = z.infer<typeof BackfillCountsSchema>;

/** The checkpoint: everything up to `cursor` is enqueued (or skipped), and nothing after it. */
export const BackfillStateSchema = z.object({
  schema: z.literal("recontact.backfill-state/v1"),
  source: BackfillSourceSchema,
  cursor: CursorSchema,
  counts: BackfillCountsSchema,
  done: z.boolean(),
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type BackfillState = z.infer<typeof BackfillStateSchema>;

/** Where the checkpoint is kept between runs (a JSON file for the command line). */
export interface CheckpointStore {
  load(): Promise<BackfillState | undefined>;
  save(state: BackfillState): Promise<void>;
}

export const sameSource = (a: BackfillSource, b: BackfillSource) => a.bucket === b.bucket && a.prefix === b.prefix && a.since === b.since && a.inventory === b.inventory;
