import type { Classifier, Prediction } from "./classifier.ts";
import { decodeFloat32, type ModelArtifact } from "./model-artifact.ts";
import { termCounts, type FeatureSettings } from "../text/features.ts";

/** A sparse, L2-normalised TF-IDF vector. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/** Turns text into the model's feature space: sublinear tf × idf over a fixed vocabulary. */
export class Vectoriser {
  constructor(
    private readonly index: ReadonlyMap<string, number>,
    private readonly idf: Float32Array | Float64Array,
    private readonly settings: FeatureSettings,
  ) {}

  vectorise(text: string, language?: string): SparseVector {
    return this.fromCounts(termCounts(text, language, this.settings));
  }

  fromCounts(counts: ReadonlyMap<string, number>): SparseVector {
    const indices: number[] = [];
    const values: number[] = [];
    let norm = 0;
    for (const [term, count] of counts) {
      const i = this.index.get(term);
      if (i === undefined) continue;
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
  for (const s of scores) max = Math.max(max, s / temperature);
  let sum = 0;
  for (let k = 0; k < scores.length; k++) {
    scores[k] = Math.exp(scores[k]! / temperature - max);
    sum += scores[k]!;
  }
  for (let k = 0; k < scores.length; k++) scores[k]! /= sum;
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

/** Multinomial logistic regression over TF-IDF features: the loaded form of a model artifact. */
export class LinearModel implements Classifier {
  readonly task: string;
  readonly version: string;
  readonly labels: readonly string[];
  private readonly vectoriser: Vectoriser;
  private readonly weights: Float32Array;
  private readonly bias: Float64Array;
  private readonly temperature: number;

  constructor(artifact: ModelArtifact) {
    this.task = artifact.task;
    this.version = artifact.version;
    this.labels = artifact.labels;
    const index = new Map<string, number>();
    artifact.vocabulary.forEach((term, i) => index.set(term, i));
    this.vectoriser = new Vectoriser(index, decodeFloat32(artifact.idf), artifact.features);
    this.weights = decodeFloat32(artifact.weights);
    this.bias = Float64Array.from(artifact.bias);
    this.temperature = artifact.temperature;
  }

  predict(text: string, language?: string): Prediction {
    const x = this.vectoriser.vectorise(text, language);
    const probabilities = softmaxInPlace(linearScores(x, this.weights, this.bias, this.labels.length), this.temperature);
    const ranked = this.labels
      .map((label, k) => ({ label, confidence: probabilities[k]! }))
      .sort((a, b) => b.confidence - a.confidence || a.label.localeCompare(b.label));
    return { ...ranked[0]!, top: ranked.slice(0, 5) };
  }

  scoreFor(text: string, label: string, language?: string): number {
    const k = this.labels.indexOf(label);
    if (k < 0) return 0;
    const x = this.vectoriser.vectorise(text, language);
    return linearScores(x, this.weights, this.bias, this.labels.length)[k]!;
  }
}
