import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { SparseVector } from "./linear-model.ts";
import { emptyFit, toCsr, trainLabel, type CsrExamples, type OneVsRestFit, type SvmSettings } from "./svm.ts";

/** Slots of the control array shared with the helper thread. */
const NEXT = 0;
const DONE = 1;
const STALL_MS = 10 * 60_000;

export interface SharedJob {
  examples: CsrExamples;
  features: number;
  labels: number;
  settings: SvmSettings;
  fit: OneVsRestFit;
  control: Int32Array;
}

/**
 * Takes labels off the shared counter until none is left. The main thread and the helper thread
 * both run this; labels are independent fits with their own seeds, so which thread trains which
 * label never changes the result.
 */
export function trainSharedLabels(job: SharedJob): void {
  for (;;) {
    const k = Atomics.add(job.control, NEXT, 1);
    if (k >= job.labels) return;
    trainLabel(job.examples, job.features, job.labels, k, job.settings, job.fit);
    Atomics.add(job.control, DONE, 1);
    Atomics.notify(job.control, DONE);
  }
}

/**
 * The helper thread's bootstrap: it registers tsx (as bin/recontact.js does) and imports the
 * TypeScript worker. Running from source only; a bundled build trains on one thread.
 */
function helperBootstrap(): string | undefined {
  if (!import.meta.url.startsWith("file:") || !import.meta.url.endsWith(".ts")) return undefined;
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  try {
    const tsx = resolve?.("tsx/esm/api");
    if (!tsx) return undefined;
    const worker = new URL("./svm-worker.ts", import.meta.url).href;
    return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
  } catch {
    return undefined;
  }
}

/**
 * A second thread for training, started before the features are extracted so that its start-up
 * (loading tsx and the sources, a second or so) is hidden. Jobs reach it by message; it shares
 * their memory. Undefined when there is one core or no way to load the sources in a thread.
 */
export class TrainingHelper {
  /** Resolves once the thread has loaded and listens for jobs. */
  readonly ready: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.ready = new Promise((resolve) => worker.once("message", () => resolve()));
  }

  static start(): TrainingHelper | undefined {
    const bootstrap = availableParallelism() > 1 ? helperBootstrap() : undefined;
    if (!bootstrap) return undefined;
    const worker = new Worker(bootstrap, { eval: true });
    // A helper that fails to start leaves its labels to the main thread: nothing to report.
    worker.on("error", () => undefined).unref();
    return new TrainingHelper(worker);
  }

  help(job: SharedJob): void {
    this.worker.postMessage(job);
  }

  close(): void {
    void this.worker.terminate();
  }
}

/** A training job in shared memory: the examples, the fit being written and the label counter. */
export function sharedJob(
  vectors: readonly SparseVector[],
  targets: readonly number[],
  features: number,
  labels: number,
  settings: SvmSettings,
  start?: Float64Array,
): SharedJob {
  const fit = emptyFit(vectors.length, features, labels, start, true);
  return { examples: toCsr(vectors, targets, true), features, labels, settings, fit, control: new Int32Array(new SharedArrayBuffer(8)) };
}

/** Labels of `job` trained so far, by either thread. */
export const labelsDone = (job: SharedJob): number => Atomics.load(job.control, DONE);

/**
 * One-vs-rest SVMs on two threads when a helper is given: the same weights as `trainOneVsRest`,
 * in about half the time. Synchronous (training is a batch step): the main thread trains labels
 * too and then waits on shared memory for the helper's last label. A helper that never started
 * takes no label, so the main thread then simply trains them all.
 */
export function trainOneVsRestShared(
  vectors: readonly SparseVector[],
  targets: readonly number[],
  features: number,
  labels: number,
  settings: SvmSettings,
  helper: TrainingHelper | undefined,
  start?: Float64Array,
): OneVsRestFit {
  const job = sharedJob(vectors, targets, features, labels, settings, start);
  helper?.help(job);
  trainSharedLabels(job);
  // Labels the helper took may still be running: wait for them, not for a helper that never started.
  let done = Atomics.load(job.control, DONE);
  while (done < labels) {
    if (Atomics.wait(job.control, DONE, done, STALL_MS) === "timed-out" && Atomics.load(job.control, DONE) === done) {
      throw new Error(`SVM training stalled: ${done} of ${labels} labels done`);
    }
    done = Atomics.load(job.control, DONE);
  }
  // Plain arrays again: shared memory is not needed once the fit is done.
  const { fit } = job;
  return { weights: fit.weights.slice(), bias: fit.bias.slice(), alphas: fit.alphas.slice() };
}
