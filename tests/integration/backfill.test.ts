import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileCheckpoint } from "../../lib/adapters/file-checkpoint.ts";
import { inventoryItems, parseInventoryManifest } from "../../lib/backfill/inventory.ts";
import { listingItems } from "../../lib/backfill/sources.ts";
import type { BackfillSource, BackfillState } from "../../lib/backfill/state.ts";
import { parseConfig } from "../../lib/config.ts";
import type { ContactRecord } from "../../lib/contact/contact-record.ts";
import { link } from "../../lib/linking/link.ts";
import { silentLogger } from "../../lib/log.ts";
import { ReportSchema } from "../../lib/report/report-schema.ts";
import { backfill, reportEveryWeek, waitForIngestion } from "../../lib/use-cases/backfill.ts";
import { reportKey } from "../../lib/use-cases/build-weekly-report.ts";
import { loadCorpus, syntheticTranscripts } from "../../bench/support/synthetic-transcripts.ts";
import { startLocalStack, type LocalStack } from "../support/local-stack.ts";

/**
 * Objects already in the bucket before the pipeline existed, backfilled through the ingest queue:
 * the 5,000 by default (about two minutes here), RECONTACT_BACKFILL_OBJECTS=500 for a
 * quick run. The time is the ~10 HTTP requests each object costs (S3 head and get, DynamoDB
 * reads and writes), and s3rver, dynalite and the handler share this process's one thread:
 * more messages in flight in the local queue would not make it faster.
 */
const OBJECTS = Number(process.env.RECONTACT_BACKFILL_OBJECTS ?? 5000);
const CONFIG = { timeZone: "Europe/Amsterdam", windowDays: 7 };
/** ~40 objects a second on a quiet 2-core machine; the budget allows under 7, for a busy one. */
const TIMEOUT = Math.max(120_000, OBJECTS * 150);

async function storedContacts(stack: LocalStack): Promise<ContactRecord[]> {
  const weeks = await stack.runtime.contacts.weeks();
  return (await Promise.all(weeks.map((w) => stack.runtime.contacts.contactsOfWeek(w)))).flat();
}

describe(`backfill of ${OBJECTS} existing objects, interrupted half-way and resumed`, () => {
  let stack: LocalStack;
  let contactIds: string[];
  let statePath: string;
  const source: BackfillSource = { bucket: "recontact-local", prefix: "transcripts/", since: null, inventory: null };

  beforeAll(async () => {
    stack = await startLocalStack(CONFIG);
    stack.notifications(false);
    const corpus = await loadCorpus();
    contactIds = [];
    const uploads: Promise<void>[] = [];
    for (const t of syntheticTranscripts(corpus, OBJECTS, { seed: 11, stitched: 1, contactsPerCustomer: 5 })) {
      contactIds.push(t.contactId);
      uploads.push(stack.upload(`transcripts/${t.path}`, t.body));
      if (uploads.length >= 16) await Promise.all(uploads.splice(0));
    }
    // Not for the ingest queue: a report and a folder placeholder under the listed prefix's bucket.
    uploads.push(stack.upload("reports/2026-W01/report.json", "{}"), stack.upload("transcripts/empty-folder/", new Uint8Array(0)));
    await Promise.all(uploads);
    stack.notifications(true);
    statePath = join(await mkdtemp(join(tmpdir(), "recontact-backfill-")), "state.json");
  }, TIMEOUT);

  afterAll(() => stack?.stop());

  it("enqueues every object once in effect: stored contacts equal the objects, links equal link() over them, every week reported", async () => {
    const deps = { queue: stack.queue, log: silentLogger, clock: () => new Date() };
    const items = (from?: { kind: string; after?: string | null }) => listingItems(stack.runtime.objects, source.prefix, from?.kind === "list" ? (from.after ?? null) : null);

    // First run: stopped once half the objects are enqueued. The checkpoint file is then put back
    // to an earlier save, as if the process had died before its last saves reached the disk.
    const saved: BackfillState[] = [];
    const checkpoint = new FileCheckpoint(statePath);
    const recording = { load: () => checkpoint.load(), save: async (s: BackfillState) => (saved.push(s), checkpoint.save(s)) };
    const stop = new AbortController();
    const first = await backfill(
      { source, items, ratePerSecond: Infinity, signal: stop.signal, onProgress: (c) => c.enqueued >= OBJECTS / 2 && stop.abort() },
      { ...deps, checkpoint: recording },
    );
    expect(first.done).toBe(false);
    expect(first.counts.enqueued).toBeGreaterThanOrEqual(OBJECTS / 2);
    expect(first.counts.enqueued).toBeLessThan(OBJECTS);
    const earlier = saved.filter((s) => s.counts.enqueued <= first.counts.enqueued - 40).at(-1)!;
    await writeFile(statePath, JSON.stringify(earlier));

    const second = await backfill({ source, items, ratePerSecond: Infinity }, { ...deps, checkpoint });
    expect(second).toMatchObject({ done: true, resumed: true });
    expect(second.counts.enqueued).toBe(OBJECTS);
    expect(second.counts.skipped).toBe(1); // the folder placeholder; reports/ is outside the prefix
    expect(JSON.parse(await readFile(statePath, "utf8"))).toMatchObject({ done: true, counts: { enqueued: OBJECTS } });

    await waitForIngestion(stack.queue, { pollMs: 100, quietPolls: 2 });
    // Some objects really were delivered twice (the lost checkpoint) …
    expect(stack.queue.processed).toBeGreaterThanOrEqual(OBJECTS + 40);
    expect(stack.queue.deadLetters).toEqual([]);
    // … and each is still one contact.
    const stored = await storedContacts(stack);
    expect(stored).toHaveLength(OBJECTS);
    expect(new Set(stored.map((c) => c.contactId))).toEqual(new Set(contactIds));

    // History arrived in key order, not time order, and partly twice: links are still link()'s.
    const reference = link(stored, parseConfig(CONFIG));
    const differing = stored.filter((c) => {
      const r = reference.get(c.contactId)!;
      return c.role !== r.role || c.repeatOf !== r.repeatOf || c.chainId !== r.chainId || c.repeatedBy !== r.repeatedBy;
    });
    expect(differing.map((c) => c.contactId)).toEqual([]);
    expect(stored.filter((c) => c.role === "repeat").length).toBeGreaterThan(OBJECTS / 20);

    // Afterwards, the reports of the backfilled weeks.
    const weeks = await reportEveryWeek(stack.runtime);
    expect(weeks.length).toBeGreaterThanOrEqual(8);
    let reported = 0;
    for (const week of weeks) {
      const object = await stack.runtime.objects.get(reportKey(week, "report.json"));
      reported += ReportSchema.parse(JSON.parse(new TextDecoder().decode(object!.body))).totals.contacts;
    }
    expect(reported).toBe(OBJECTS);

    // Done is done: running again sends nothing.
    const before = stack.queue.processed;
    expect(await backfill({ source, items, ratePerSecond: Infinity }, { ...deps, checkpoint })).toMatchObject({ done: true, counts: { enqueued: OBJECTS } });
    expect(stack.queue.processed).toBe(before);
  }, TIMEOUT);

  it("refuses a checkpoint made for another prefix", async () => {
    const other = { ...source, prefix: "analysis/" };
    await expect(
      backfill({ source: other, items: () => listingItems(stack.runtime.objects, "analysis/", null), ratePerSecond: Infinity }, { queue: stack.queue, log: silentLogger, clock: () => new Date(), checkpoint: new FileCheckpoint(statePath) }),
    ).rejects.toMatchObject({ code: "STATE_MISMATCH" });
  });

  it("reads an S3 Inventory (gzipped CSV in the destination bucket), resuming inside a data file", async () => {
    const keys = ["transcripts/a b+c.json", "transcripts/ünï/1.json", "transcripts/old-version.json", "transcripts/deleted.json", "ctr/2026/1.json"];
    const csv = (rows: string[][]) => gzipSync(rows.map((r) => r.map((v) => `"${v}"`).join(",")).join("\n") + "\n");
    const encode = (k: string) => encodeURIComponent(k).replace(/%2F/g, "/").replace(/%20/g, "+");
    await stack.upload("inventory/data/1.csv.gz", csv([
      ["recontact-local", encode(keys[0]!), "", "true", "false", "120", "2026-10-01T10:00:00.000Z"],
      ["recontact-local", encode(keys[1]!), "", "true", "false", "80", "2026-10-02T10:00:00.000Z"],
      ["recontact-local", encode(keys[2]!), "v1", "false", "false", "80", "2026-10-02T10:00:00.000Z"],
    ]));
    await stack.upload("inventory/data/2.csv.gz", csv([
      ["recontact-local", encode(keys[3]!), "v2", "true", "true", "0", "2026-10-03T10:00:00.000Z"],
      ["recontact-local", encode(keys[4]!), "", "true", "false", "300", "2026-10-04T10:00:00.000Z"],
    ]));
    const manifest = parseInventoryManifest(
      JSON.stringify({
        sourceBucket: "recontact-local",
        destinationBucket: "arn:aws:s3:::recontact-local",
        version: "2016-11-30",
        fileFormat: "CSV",
        fileSchema: "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate",
        files: [{ key: "inventory/data/1.csv.gz", size: 1 }, { key: "inventory/data/2.csv.gz", size: 1 }],
      }),
      "manifest.json",
    );
    // The destination bucket is the source bucket here; in AWS it is the store of bucketOfArn(destinationBucket).
    const files = stack.runtime.objects;
    const all = [];
    for await (const item of inventoryItems(manifest, files)) all.push(item);
    expect(all.map((i) => i.key)).toEqual(keys);
    expect(all.map((i) => i.skip ?? null)).toEqual([null, null, "noncurrent version", "delete marker", null]);
    expect(all[0]).toMatchObject({ size: 120, lastModified: new Date("2026-10-01T10:00:00.000Z"), cursor: { kind: "inventory", file: 0, row: 1 } });

    const resumed = [];
    for await (const item of inventoryItems(manifest, files, { file: 0, row: 2 })) resumed.push(item.key);
    expect(resumed).toEqual(keys.slice(2));

    // Through the use case, with --since: only the current, recent objects are enqueued.
    const sent: string[] = [];
    const queue = { sendBatch: async (bodies: readonly string[]) => void sent.push(...bodies), backlog: async () => 0 };
    const memory = { state: undefined as BackfillState | undefined, load: async () => memory.state, save: async (s: BackfillState) => void (memory.state = s) };
    const result = await backfill(
      { source: { bucket: "recontact-local", prefix: "", since: "2026-10-02T00:00:00.000Z", inventory: "manifest.json" }, items: (from) => inventoryItems(manifest, files, from?.kind === "inventory" ? from : undefined), ratePerSecond: Infinity },
      { queue, checkpoint: memory, log: silentLogger, clock: () => new Date() },
    );
    expect(result.counts).toEqual({ listed: 5, enqueued: 2, skipped: 3 });
    expect(sent.map((b) => (JSON.parse(b) as { Records: { s3: { object: { key: string } } }[] }).Records[0]!.s3.object.key)).toEqual([encode(keys[1]!), encode(keys[4]!)]);
    expect(memory.state?.cursor).toEqual({ kind: "inventory", file: 1, row: 2 });
  });
});
