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
export function trainOneVsRest(
  vectors: readonly SparseVector[],
  targets: readonly number[],
  features: number,
  labels: number,
  settings: SvmSettings,
): { weights: Float32Array; bias: Float64Array } {
  const weights = new Float32Array(features * labels);
  const bias = new Float64Array(labels);
  const n = vectors.length;
  const diagonal = 1 / (2 * settings.c);
  // ‖x‖² + 1 (the bias feature) + D: the diagonal of the dual's Hessian.
  const qbar = Float64Array.from(vectors, (x) => x.values.reduce((s, v) => s + v * v, 0) + 1 + diagonal);
  // One contiguous (CSR) copy of the examples: the inner loops stay in two flat arrays.
  const start = new Int32Array(n + 1);
  vectors.forEach((x, i) => (start[i + 1] = start[i]! + x.indices.length));
  const columns = new Int32Array(start[n]!);
  const values = new Float64Array(start[n]!);
  vectors.forEach((x, i) => {
    columns.set(x.indices, start[i]!);
    values.set(x.values, start[i]!);
  });
  const w = new Float64Array(features);
  const alpha = new Float64Array(n);
  const order = vectors.map((_, i) => i);

  for (let k = 0; k < labels; k++) {
    w.fill(0);
    alpha.fill(0);
    let b = 0;
    const random = seededRandom(settings.seed + k);
    // LIBLINEAR's shrinking: an example at alpha = 0 whose gradient is beyond the last pass's
    // largest violation leaves the active set; all come back for a final check before stopping.
    let active = n;
    let maxOld = Infinity;
    let minOld = -Infinity;
    for (let epoch = 0; epoch < settings.epochs; epoch++) {
      shuffleInPlace(order, random, active);
      let maxNew = -Infinity;
      let minNew = Infinity;
      for (let s = 0; s < active; s++) {
        const i = order[s]!;
        const y = targets[i] === k ? 1 : -1;
        const from = start[i]!;
        const to = start[i + 1]!;
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
        minOld = -Infinity;
        continue;
      }
      maxOld = maxNew <= 0 ? Infinity : maxNew;
      minOld = minNew >= 0 ? -Infinity : minNew;
    }
    void minOld;
    for (let f = 0; f < features; f++) weights[f * labels + k] = w[f]!;
    bias[k] = b;
  }
  return { weights, bias };
}
