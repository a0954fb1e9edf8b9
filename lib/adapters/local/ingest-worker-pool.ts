import { Worker } from "node:worker_threads";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { InfrastructureError } from "../../errors.ts";
import type { Level, LogFields, Logger } from "../../log.ts";
import type { IngestOutcome } from "../../use-cases/ingest-object.ts";
import type { RuntimeEnv } from "../runtime.ts";

/** What a worker is started with: the ingest function's environment, and the run's clock. */
export interface IngestWorkerData {
  env: RuntimeEnv;
  /** The run's clock minus the wall clock, so a run with a fixed `now` keeps it in every worker. */
  clockOffsetMs: number;
}

/** The versions of the models a worker's runtime has live (`liveModels.current()`). */
export interface ModelVersions {
  reason: string;
  rootCause: string;
}

export type ToWorker = { type: "ingest"; id: number; event: SQSEvent } | { type: "models"; id: number };
export type FromWorker =
  | { type: "ready" }
  | { type: "log"; level: Level; message: string; fields: LogFields }
  | { type: "done"; id: number; response: SQSBatchResponse; outcomes: [string, IngestOutcome][] }
  | { type: "models"; id: number; models: ModelVersions }
  | { type: "failed"; id: number; error: string };

interface Slot {
  worker: Worker;
  /** Each job resolves with what its request asked for (a batch response, model versions). */
  inFlight: Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>;
  alive: boolean;
}

/** Worker threads start without the parent's TypeScript loader: this entry registers it. */
const WORKER_ENTRY = new URL("./ingest-worker.mjs", import.meta.url);

/**
 * The ingest handler in worker threads, like Lambda containers: every worker builds its own
 * runtime (clients, secret, models) from the function's environment and runs the same handler,
 * while S3 and DynamoDB stay on the main thread's embedded servers, reached over HTTP. Parse,
 * classify and link then run on another core than the servers instead of between their requests.
 */
export class IngestWorkerPool {
  private next = 0;

  private constructor(
    private readonly slots: Slot[],
    private readonly onOutcome: (key: string, outcome: IngestOutcome) => void,
  ) {}

  /** Starts `size` workers and resolves once every one has loaded its runtime (or rejects with why not). */
  static async start(size: number, data: IngestWorkerData, log: Logger, onOutcome: (key: string, outcome: IngestOutcome) => void): Promise<IngestWorkerPool> {
    const slots: Slot[] = [];
    const pool = new IngestWorkerPool(slots, onOutcome);
    const ready = Array.from({ length: size }, () => {
      const slot: Slot = { worker: new Worker(WORKER_ENTRY, { workerData: data }), inFlight: new Map(), alive: true };
      slots.push(slot);
      return new Promise<void>((resolve, reject) => {
        slot.worker.on("message", (message: FromWorker) => {
          if (message.type === "ready") resolve();
          else if (message.type === "log") log.log(message.level, message.message, message.fields);
          else pool.settle(slot, message);
        });
        const lost = (why: string) => {
          slot.alive = false;
          const error = new InfrastructureError("INGEST_WORKER_LOST", `an ingest worker stopped: ${why}`);
          reject(error);
          for (const job of slot.inFlight.values()) job.reject(error);
          slot.inFlight.clear();
        };
        slot.worker.on("error", (error) => lost(error.message));
        slot.worker.on("exit", (code) => lost(`exit code ${code}`));
      });
    });
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** The ingest handler's signature, for the local queue: one SQS event to the least busy worker. */
  readonly handler = (event: SQSEvent): Promise<SQSBatchResponse> => this.request<SQSBatchResponse>((id) => ({ type: "ingest", id, event }));

  /**
   * The versions of the models ingest uses now: a worker's `liveModels.current()`. Every worker is
   * built from the same environment (the same registry, the same TTL), so any one of them answers.
   */
  models(): Promise<ModelVersions> {
    return this.request<ModelVersions>((id) => ({ type: "models", id }));
  }

  /** Sends a request to the least busy worker. */
  private request<T>(message: (id: number) => ToWorker): Promise<T> {
    const live = this.slots.filter((s) => s.alive);
    if (live.length === 0) return Promise.reject(new InfrastructureError("INGEST_WORKER_LOST", "no ingest worker is running"));
    const slot = live.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      slot.inFlight.set(id, { resolve: resolve as (value: unknown) => void, reject });
      slot.worker.postMessage(message(id));
    });
  }

  async close(): Promise<void> {
    for (const slot of this.slots) slot.alive = false;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private settle(slot: Slot, message: Extract<FromWorker, { id: number }>): void {
    const job = slot.inFlight.get(message.id);
    if (!job) return;
    slot.inFlight.delete(message.id);
    if (message.type === "failed") {
      job.reject(new InfrastructureError("INGEST_WORKER_FAILED", message.error));
      return;
    }
    if (message.type === "models") {
      job.resolve(message.models);
      return;
    }
    for (const [key, outcome] of message.outcomes) this.onOutcome(key, outcome);
    job.resolve(message.response);
  }
}
