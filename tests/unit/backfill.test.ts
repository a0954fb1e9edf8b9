import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { objectCreatedMessage, objectsCreated } from "../../lib/adapters/s3-events.ts";
import { pace, parseRate } from "../../lib/backfill/rate.ts";
import type { SourceItem } from "../../lib/backfill/sources.ts";
import type { BackfillSource, BackfillState, CheckpointStore, Cursor } from "../../lib/backfill/state.ts";
import { silentLogger } from "../../lib/log.ts";
import type { IngestQueue } from "../../lib/ports/ingest-queue.ts";
import { backfill } from "../../lib/use-cases/backfill.ts";

const SOURCE: BackfillSource = { bucket: "b", prefix: "transcripts/", since: null, inventory: null };
const keyOf = (body: string) => objectsCreated(body)[0]!.key;

/** A sorted listing that resumes after a key, like S3's. */
function listing(keys: readonly string[], lastModified = new Date("2026-10-01T00:00:00Z")) {
  const sorted = [...keys].sort();
  return async function* (from: Cursor | undefined): AsyncGenerator<SourceItem> {
    const after = from?.kind === "list" ? from.after : null;
    for (const key of sorted) if (after === null || key > after) yield { key, size: 10, lastModified, cursor: { kind: "list", after: key } };
  };
}

function memoryCheckpoint(): CheckpointStore & { saved: BackfillState[]; state?: BackfillState } {
  const store = {
    saved: [] as BackfillState[],
    state: undefined as BackfillState | undefined,
    load: async () => store.state,
    save: async (s: BackfillState) => {
      store.saved.push(s);
      store.state = s;
    },
  };
  return store;
}

const deps = (queue: IngestQueue, checkpoint: CheckpointStore) => ({ queue, checkpoint, log: silentLogger, clock: () => new Date("2026-11-01T00:00:00Z") });

describe("--rate", () => {
  it("reads objects per second, minute or hour", () => {
    expect(parseRate("50/s")).toBe(50);
    expect(parseRate("3000/min")).toBe(50);
    expect(parseRate(" 7200 / h ")).toBe(2);
    expect(parseRate("2.5")).toBe(2.5);
  });

  it.each(["fast", "0/s", "-3/s", "10/day", ""])("refuses %j with INVALID_RATE", (text) => {
    expect(() => parseRate(text)).toThrow(expect.objectContaining({ code: "INVALID_RATE" }));
  });

  it("sends SQS batches of ten, fewer when the rate allows fewer a second", () => {
    expect(pace(Infinity).batchSize).toBe(10);
    expect(pace(500).batchSize).toBe(10);
    expect(pace(3).batchSize).toBe(3);
    expect(pace(0.2).batchSize).toBe(1);
  });
});

describe("backfill messages", () => {
  it("are S3 notifications the ingest handler reads back to the same bucket and key", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom("a b", "a+b", "ü/é", "100%", "x?y#z")), { minLength: 1, maxLength: 4 }), (parts) => {
        const key = `transcripts/${parts.join("/")}`;
        expect(objectsCreated(objectCreatedMessage({ bucket: "recontact-data", key, size: 42 }))).toEqual([expect.objectContaining({ bucket: "recontact-data", key, size: 42 })]);
      }),
    );
  });
});

describe("backfill", () => {
  afterEach(() => vi.useRealTimers());

  it("enqueues what the pipeline ingests and passes over the rest, counting both", async () => {
    const keys = ["transcripts/a.json", "transcripts/b.json", "transcripts/folder/", "reports/2026-W01/report.json", "transcripts/old.json"];
    const items = async function* (): AsyncGenerator<SourceItem> {
      for (const key of keys) yield { key, size: key.endsWith("/") ? 0 : 5, lastModified: new Date(key.includes("old") ? "2025-01-01" : "2026-10-01"), cursor: { kind: "list", after: key } };
    };
    const sent: string[] = [];
    const queue: IngestQueue = { sendBatch: async (b) => void sent.push(...b.map(keyOf)), backlog: async () => 0 };
    const checkpoint = memoryCheckpoint();
    const result = await backfill({ source: { ...SOURCE, prefix: "", since: "2026-01-01T00:00:00.000Z" }, items, ratePerSecond: Infinity }, deps(queue, checkpoint));
    expect(sent).toEqual(["transcripts/a.json", "transcripts/b.json"]);
    expect(result).toEqual({ done: true, resumed: false, counts: { listed: 5, enqueued: 2, skipped: 3 } });
    expect(checkpoint.state).toMatchObject({ done: true, cursor: { kind: "list", after: "transcripts/old.json" } });
  });

  it("paces sends to the rate (a token bucket holding one second)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "performance"] });
    const keys = Array.from({ length: 100 }, (_, i) => `transcripts/${String(i).padStart(3, "0")}.json`);
    const sent: string[] = [];
    const queue: IngestQueue = { sendBatch: async (b) => void sent.push(...b), backlog: async () => 0 };
    const run = backfill({ source: SOURCE, items: listing(keys), ratePerSecond: 20 }, deps(queue, memoryCheckpoint()));
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.length).toBe(20); // the first second's worth at once
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent.length).toBe(60);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent.length).toBe(100);
    await run;
  });

  it("a failing queue stops the backfill with the checkpoint where the accepted batches end", async () => {
    const keys = Array.from({ length: 95 }, (_, i) => `transcripts/${String(i).padStart(3, "0")}.json`);
    let batches = 0;
    const queue: IngestQueue = {
      sendBatch: async () => {
        if (++batches === 5) throw new Error("throttled for good");
      },
      backlog: async () => 0,
    };
    const checkpoint = memoryCheckpoint();
    await expect(backfill({ source: SOURCE, items: listing(keys), ratePerSecond: Infinity, inFlight: 1 }, deps(queue, checkpoint))).rejects.toThrow("throttled for good");
    expect(checkpoint.state).toMatchObject({ done: false, counts: { enqueued: 40 }, cursor: { kind: "list", after: keys[39] } });
    const accepted: string[] = [];
    const healthy: IngestQueue = { sendBatch: async (b) => void accepted.push(...b.map(keyOf)), backlog: async () => 0 };
    expect(await backfill({ source: SOURCE, items: listing(keys), ratePerSecond: Infinity }, deps(healthy, checkpoint))).toMatchObject({ done: true, resumed: true, counts: { enqueued: 95 } });
    expect(accepted).toEqual(keys.slice(40));
  });

  it("never checkpoints past a batch the queue has not accepted, whatever order batches finish in, and resumes to every key", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 120 }),
        fc.array(fc.nat(6), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(130),
        async (names, delays, inFlight, stopAfter) => {
          const keys = names.map((n) => `transcripts/${n}`);
          const accepted = new Set<string>();
          let calls = 0;
          const queue: IngestQueue = {
            // Batches take different times, so later ones often finish first.
            sendBatch: async (bodies) => {
              const delay = delays[calls++ % delays.length]!;
              for (let i = 0; i < delay; i++) await new Promise((resolve) => setImmediate(resolve));
              for (const body of bodies) accepted.add(keyOf(body));
            },
            backlog: async () => 0,
          };
          const checkpoint = memoryCheckpoint();
          const stop = new AbortController();
          const checked = { ...checkpoint, save: async (s: BackfillState) => {
            // The invariant: everything up to the cursor is in the queue.
            const after = s.cursor.kind === "list" ? s.cursor.after : null;
            for (const key of keys) if (after !== null && key <= after) expect(accepted.has(key)).toBe(true);
            expect(s.counts.enqueued).toBe(keys.filter((k) => after !== null && k <= after).length);
            await checkpoint.save(s);
          } };
          await backfill({ source: SOURCE, items: listing(keys), ratePerSecond: Infinity, inFlight, signal: stop.signal, onProgress: (c) => c.listed >= stopAfter && stop.abort() }, deps(queue, checked));
          const second = await backfill({ source: SOURCE, items: listing(keys), ratePerSecond: Infinity, inFlight }, deps(queue, checked));
          expect(second.done).toBe(true);
          expect(second.counts.enqueued).toBe(keys.length);
          expect([...accepted].sort()).toEqual([...keys].sort());
        },
      ),
      { numRuns: Number(process.env.RECONTACT_PROPERTY_RUNS ?? 60) },
    );
  });

  it("refuses to resume another backfill's checkpoint", async () => {
    const checkpoint = memoryCheckpoint();
    await backfill({ source: SOURCE, items: listing(["transcripts/a"]), ratePerSecond: Infinity }, deps({ sendBatch: async () => {}, backlog: async () => 0 }, checkpoint));
    await expect(
      backfill({ source: { ...SOURCE, since: "2026-01-01T00:00:00.000Z" }, items: listing([]), ratePerSecond: Infinity }, deps({ sendBatch: async () => {}, backlog: async () => 0 }, checkpoint)),
    ).rejects.toMatchObject({ code: "STATE_MISMATCH" });
  });
});
