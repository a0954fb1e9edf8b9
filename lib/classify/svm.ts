import type { SparseVector } from "./linear-model.ts";
import { seededRandom, shuffleInPlace } from "./random.ts";

export interface SvmSettings {
  /** Inverse regularisation strength, as LIBLINEAR's and scikit-learn's C. */
  c: number;
  epochs: number;
  tolerance: number;
  seed: number;
}

/**
 * One-vs-rest linear SVMs (squared hinge loss, L2) trained by dual coordinate descent
 * (Hsieh et al., ICML 2008 — LIBLINEAR's default solver). A constant feature of value 1 carries
 * the bias, regularised like the other weights, as in LIBLINEAR with -B 1.
 * Writes weights row-major (feature × label) and the bias per label.
 */
/** The training examples in one contiguous (CSR) copy: the inner loops stay in flat arrays. */
export interface CsrExamples {
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float64Array;
  targets: Int32Array;
}

export function toCsr(vectors: readonly SparseVector[], targets: readonly number[], shared = false): CsrExamples {
  const n = vectors.length;
  let nnz = 0;
  for (const x of vectors) nnz += x.indices.length;
  // Shared memory lets a worker thread read the examples without a copy.
  const Buffer = shared ? SharedArrayBuffer : ArrayBuffer;
  const rowStart = new Int32Array(new Buffer((n + 1) * 4));
  const columns = new Int32Array(new Buffer(nnz * 4));
  const values = new Float64Array(new Buffer(nnz * 8));
  vectors.forEach((x, i) => {
    rowStart[i + 1] = rowStart[i]! + x.indices.length;
    columns.set(x.indices, rowStart[i]!);
    values.set(x.values, rowStart[i]!);
  });
  return { rowStart, columns, values, targets: Int32Array.from(targets) };
}

export interface OneVsRestFit {
  weights: Float32Array;
  bias: Float64Array;
  /** Dual variables, label-major (labels × examples): a warm start for a later fit. */
  alphas: Float64Array;
}

/**
 * One-vs-rest linear SVMs (squared hinge loss, L2) trained by dual coordinate descent
 * (Hsieh et al., ICML 2008 — LIBLINEAR's default solver). A constant feature of value 1 carries
 * the bias, regularised like the other weights, as in LIBLINEAR with -B 1.
 * Writes weights row-major (feature × label) and the bias per label.
 */
export function trainOneVsRest(
  vectors: readonly SparseVector[],
  targets: readonly number[],
  features: number,
  labels: number,
  settings: SvmSettings,
  /**
   * A warm start: dual variables (label-major, labels × examples) of an earlier fit on some of
   * these examples; the rest start at 0. Training again from a fit on half the data converges in
   * a fraction of the passes.
   */
  start?: Float64Array,
): OneVsRestFit {
  const examples = toCsr(vectors, targets);
  const fit = emptyFit(vectors.length, features, labels, start);
  for (let k = 0; k < labels; k++) trainLabel(examples, features, labels, k, settings, fit);
  return fit;
}

/** A zero fit (or one warm-started with `start`); in shared memory for `trainOneVsRestShared`. */
export function emptyFit(examples: number, features: number, labels: number, start?: Float64Array, shared = false): OneVsRestFit {
  const Buffer = shared ? SharedArrayBuffer : ArrayBuffer;
  const fit: OneVsRestFit = {
    weights: new Float32Array(new Buffer(features * labels * 4)),
    bias: new Float64Array(new Buffer(labels * 8)),
    alphas: new Float64Array(new Buffer(examples * labels * 8)),
  };
  if (start) fit.alphas.set(start);
  return fit;
}

/** Trains label k's binary SVM and writes its column of `fit`. Labels are independent: any order, any thread. */
export function trainLabel(examples: CsrExamples, features: number, labels: number, k: number, settings: SvmSettings, fit: OneVsRestFit): void {
  const { rowStart, columns, values, targets } = examples;
  const n = targets.length;
  const diagonal = 1 / (2 * settings.c);
  const alpha = fit.alphas.subarray(k * n, (k + 1) * n);
  const w = new Float64Array(features);
  const order = Array.from({ length: n }, (_, i) => i);
  // ‖x‖² + 1 (the bias feature) + D: the diagonal of the dual's Hessian.
  const qbar = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sq = 1 + diagonal;
    for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) sq += values[j]! * values[j]!;
    qbar[i] = sq;
  }
  // w = Σ alpha_i y_i x_i: zero, or the warm start's solution.
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (alpha[i] === 0) continue;
    const step = targets[i] === k ? alpha[i]! : -alpha[i]!;
    for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) w[columns[j]!]! += step * values[j]!;
    b += step;
  }
  const random = seededRandom(settings.seed + k);
  // LIBLINEAR's shrinking: an example at alpha = 0 whose gradient is beyond the last pass's
  // largest violation leaves the active set; all come back for a final check before stopping.
  let active = n;
  let maxOld = Infinity;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffleInPlace(order, random, active);
    let maxNew = -Infinity;
    let minNew = Infinity;
    for (let s = 0; s < active; s++) {
      const i = order[s]!;
      const y = targets[i] === k ? 1 : -1;
      const from = rowStart[i]!;
      const to = rowStart[i + 1]!;
      let margin = b;
      for (let j = from; j < to; j++) margin += w[columns[j]!]! * values[j]!;
      const gradient = y * margin - 1 + diagonal * alpha[i]!;
      let projected = gradient;
      if (alpha[i] === 0) {
        if (gradient > maxOld) {
          active--;
          [order[s], order[active]] = [order[active]!, order[s]!];
          s--;
          continue;
        }
        projected = Math.min(gradient, 0);
      }
      maxNew = Math.max(maxNew, projected);
      minNew = Math.min(minNew, projected);
      if (Math.abs(projected) < 1e-12) continue;
      const before = alpha[i]!;
      const after = Math.max(before - gradient / qbar[i]!, 0);
      alpha[i] = after;
      const step = (after - before) * y;
      for (let j = from; j < to; j++) w[columns[j]!]! += step * values[j]!;
      b += step;
    }
    if (maxNew - minNew <= settings.tolerance) {
      if (active === n) break;
      active = n;
      maxOld = Infinity;
      continue;
    }
    maxOld = maxNew <= 0 ? Infinity : maxNew;
  }
  for (let f = 0; f < features; f++) fit.weights[f * labels + k] = w[f]!;
  fit.bias[k] = b;
}
