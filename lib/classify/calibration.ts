import { softmaxInPlace } from "./linear-model.ts";

/**
 * The softmax temperature that minimises the negative log-likelihood of held-out scores: a grid
 * from 0.02 to 4, each step `step` times the last. Shared by every model that turns linear
 * scores into confidences.
 */
export function fitTemperature(scores: readonly Float64Array[], targets: readonly number[], step = 1.1): number {
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.02; t <= 4.0001; t *= step) {
    let loss = 0;
    scores.forEach((s, n) => {
      const p = softmaxInPlace(Float64Array.from(s), t);
      loss -= Math.log(Math.max(p[targets[n]!]!, 1e-12));
    });
    if (loss < bestLoss) {
      bestLoss = loss;
      best = t;
    }
  }
  return Math.round(best * 1000) / 1000;
}
