import type { Classifier, Prediction } from "./classifier.ts";
import type { ModelArtifact } from "./model-artifact.ts";
import { HashedVectoriser, TermIndex } from "./hashed-vectoriser.ts";
import { CUE_LEXICON_VERSION } from "../text/cue-matcher.ts";
import { ConfigurationError } from "../errors.ts";

/** A sparse, L2-normalised TF-IDF vector. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/**
 * Sublinear tf × idf over a fixed set of term keys, L2-normalised as one block: the root-cause
 * model's vectoriser (its terms are speaker-salted keys; lib/root-cause/chain-features.ts).
 */
export class Vectoriser {
  constructor(
    private readonly index: TermIndex,
    private readonly idf: Float32Array | Float64Array,
  ) {}

  fromCounts(counts: ReadonlyMap<number, number>): SparseVector {
    const indices: number[] = [];
    const values: number[] = [];
    let norm = 0;
    for (const [term, count] of counts) {
      const i = this.index.indexOf(term);
      if (i < 0) continue;
      const value = (1 + Math.log(count)) * this.idf[i]!;
      indices.push(i);
      values.push(value);
      norm += value * value;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return { indices: Int32Array.from(indices), values: Float64Array.from(values, (v) => v * scale) };
  }
}

export function softmaxInPlace(scores: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < scores.length; k++) max = Math.max(max, scores[k]! / temperature);
  let sum = 0;
  for (let k = 0; k < scores.length; k++) {
    scores[k] = Math.exp(scores[k]! / temperature - max);
    sum += scores[k]!;
  }
  for (let k = 0; k < scores.length; k++) scores[k]! /= sum;
  return scores;
}

/** Raw class scores of a vector with int8 row-scaled weights (see ModelArtifact.weights). */
export function quantisedScores(x: SparseVector, weights: Int8Array, scales: Float32Array, bias: Float64Array, labels: number): Float64Array {
  const scores = new Float64Array(labels);
  scores.set(bias);
  // Four labels a step: the hottest loop of classification, and V8 does not unroll it itself.
  const unrolled = labels - (labels % 4);
  for (let j = 0; j < x.indices.length; j++) {
    const f = x.indices[j]!;
    const row = f * labels;
    const v = x.values[j]! * scales[f]!;
    let k = 0;
    for (; k < unrolled; k += 4) {
      scores[k]! += v * weights[row + k]!;
      scores[k + 1]! += v * weights[row + k + 1]!;
      scores[k + 2]! += v * weights[row + k + 2]!;
      scores[k + 3]! += v * weights[row + k + 3]!;
    }
    for (; k < labels; k++) scores[k]! += v * weights[row + k]!;
  }
  return scores;
}

/** Raw class scores of a vector: bias + x·W, W stored row-major (feature × label). */
export function linearScores(x: SparseVector, weights: ArrayLike<number>, bias: ArrayLike<number>, labels: number): Float64Array {
  const scores = Float64Array.from(bias);
  for (let j = 0; j < x.indices.length; j++) {
    const row = x.indices[j]! * labels;
    const v = x.values[j]!;
    for (let k = 0; k < labels; k++) scores[k]! += v * weights[row + k]!;
  }
  return scores;
}

const TOP = 5;

/** The indexes of the n largest values, largest first (ties: lower index first), without sorting all. */
export function topLabels(values: Float64Array, n: number): number[] {
  const best: number[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (best.length === n && v <= values[best[n - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && values[best[at - 1]!]! < v) at--;
    best.splice(at, 0, k);
    if (best.length > n) best.pop();
  }
  return best;
}

/** A linear classifier over hashed TF-IDF features: the loaded form of a model artifact. */
export class LinearModel implements Classifier {
  readonly task: string;
  readonly version: string;
  readonly labels: readonly string[];
  private readonly vectoriser: HashedVectoriser;
  private readonly weights: Int8Array;
  private readonly scales: Float32Array;
  private readonly bias: Float64Array;
  private readonly temperature: number;

  constructor(artifact: ModelArtifact) {
    const { cues, cueLexicon } = artifact.features;
    if (cues && cueLexicon !== CUE_LEXICON_VERSION) {
      throw new ConfigurationError(
        "INVALID_MODEL",
        `model ${artifact.version} was trained with cue lexicon ${cueLexicon ?? "(none recorded)"}, but this build has ${CUE_LEXICON_VERSION}: retrain it (npm run train:models)`,
      );
    }
    this.task = artifact.task;
    this.version = artifact.version;
    this.labels = artifact.labels;
    const index = new TermIndex(artifact.terms);
    this.vectoriser = new HashedVectoriser(index, artifact.idf, artifact.features, artifact.blockWeights);
    this.weights = artifact.weights;
    this.scales = artifact.weightScales;
    this.bias = Float64Array.from(artifact.bias);
    this.temperature = artifact.temperature;
  }

  private scores(text: string, language: string | undefined): Float64Array {
    return quantisedScores(this.vectoriser.vectoriseTransient(text, language), this.weights, this.scales, this.bias, this.labels.length);
  }

  predict(text: string, language?: string): Prediction {
    const probabilities = softmaxInPlace(this.scores(text, language), this.temperature);
    const top = topLabels(probabilities, TOP).map((k) => ({ label: this.labels[k]!, confidence: probabilities[k]! }));
    return { ...top[0]!, top };
  }

  scoreFor(text: string, label: string, language?: string): number {
    const k = this.labels.indexOf(label);
    if (k < 0) return 0;
    return this.scores(text, language)[k]!;
  }
}
