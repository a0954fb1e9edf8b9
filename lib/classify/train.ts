import { z } from "zod";
import { DEFAULT_FEATURE_SETTINGS, FeatureSettingsSchema } from "../text/features.ts";
import { termKeyCounts } from "../text/term-keys.ts";
import { CUE_LEXICON_VERSION } from "../text/cue-matcher.ts";
import { HashedVectoriser, TermIndex } from "./hashed-vectoriser.ts";
import type { Dataset, Example } from "./dataset.ts";
import { evaluateClassifier } from "./evaluate.ts";
import { LinearModel, linearScores, softmaxInPlace, type SparseVector } from "./linear-model.ts";
import { quantiseRows, MODEL_FORMAT, type Metrics, type ModelArtifact } from "./model-artifact.ts";
import { seededRandom, shuffleInPlace } from "./random.ts";
import { fitTemperature } from "./calibration.ts";
import { TrainingHelper, trainOneVsRestShared } from "./svm-parallel.ts";

export const TrainingSettingsSchema = z.object({
  /** "svm": one-vs-rest linear SVMs by dual coordinate descent; "softmax": logistic regression by AdaGrad. */
  trainer: z.enum(["svm", "softmax"]).default("svm"),
  /** The SVM's C. */
  c: z.number().positive().default(1),
  seed: z.number().int().default(13),
  epochs: z.number().int().positive().default(12),
  /** Epochs over all the data after the temperature is fitted (a warm start). */
  finalEpochs: z.number().int().nonnegative().default(2),
  learningRate: z.number().positive().default(0.5),
  l2: z.number().nonnegative().default(1e-6),
  minDocumentFrequency: z.number().int().positive().default(1),
  maxFeatures: z.number().int().positive().default(300_000),
  /** Share of the training data set aside to fit the probability temperature, then trained on too. */
  calibrationShare: z.number().min(0).max(0.5).default(0.1),
  features: FeatureSettingsSchema.default(DEFAULT_FEATURE_SETTINGS),
  /** Weights of the word and the character block, each L2-normalised first. */
  blockWeights: z.tuple([z.number().positive(), z.number().positive()]).default([1, 1]),
});
export type TrainingSettings = z.infer<typeof TrainingSettingsSchema>;

export interface TrainOptions {
  task: string;
  version: string;
  settings?: Partial<TrainingSettings>;
  now?: Date;
}

/**
 * Trains a linear classifier on hashed TF-IDF features: one-vs-rest SVMs (default, on two threads
 * where there are two cores) or a softmax regression by AdaGrad. Deterministic for a given seed
 * and data: the same inputs give the same artifact, byte for byte (but `created` and the time).
 */
export function trainModel(dataset: Dataset, options: TrainOptions): ModelArtifact {
  const settings = TrainingSettingsSchema.parse(options.settings ?? {});
  const started = performance.now();
  const labels = [...new Set(dataset.examples.map((e) => e.label))].sort();
  if (labels.length < 2) throw new Error("training data needs at least two labels");

  const helper = settings.trainer === "svm" ? TrainingHelper.start() : undefined;
  try {
    return train(dataset, options, settings, labels, helper, started);
  } finally {
    helper?.close();
  }
}

function train(dataset: Dataset, options: TrainOptions, settings: TrainingSettings, labels: string[], helper: TrainingHelper | undefined, started: number): ModelArtifact {
  const random = seededRandom(settings.seed);
  const order = shuffleInPlace(dataset.examples.map((_, i) => i), random);
  const calibrationSize = Math.floor(order.length * settings.calibrationShare);

  // 1. Fit on all but the calibration share and choose the temperature that fits that share best;
  // 2. then continue training on every example (a warm start: the shipped weights see all data).
  const model = prepare(dataset.examples, order, labels, settings);
  let temperature = 1;
  if (settings.trainer === "svm") {
    const svm = (vectors: readonly SparseVector[], targets: readonly number[], start?: Float64Array) =>
      trainOneVsRestShared(vectors, targets, model.terms.length, model.labels, { c: settings.c, epochs: 50, tolerance: 0.1, seed: settings.seed }, helper, start);
    let start: Float64Array | undefined;
    if (calibrationSize > 0) {
      // The calibration fit sees half the data (the temperature barely moves with more); the
      // final fit starts from its solution, so the two together cost little more than one.
      const fitSize = calibrationSize + Math.ceil((order.length - calibrationSize) / 2);
      const half = svm(model.vectors.slice(calibrationSize, fitSize), model.targets.slice(calibrationSize, fitSize));
      Object.assign(model, { weights: half.weights, bias: half.bias });
      temperature = heldOutTemperature(model, model.vectors.slice(0, calibrationSize), model.targets.slice(0, calibrationSize));
      start = new Float64Array(order.length * model.labels);
      const m = fitSize - calibrationSize;
      for (let k = 0; k < model.labels; k++) start.set(half.alphas.subarray(k * m, (k + 1) * m), k * order.length + calibrationSize);
    }
    const { weights, bias } = svm(model.vectors, model.targets, start);
    Object.assign(model, { weights, bias });
  } else if (calibrationSize > 0) {
    optimise(model, model.vectors.slice(calibrationSize), model.targets.slice(calibrationSize), settings, settings.epochs, settings.seed + 1);
    temperature = heldOutTemperature(model, model.vectors.slice(0, calibrationSize), model.targets.slice(0, calibrationSize));
    optimise(model, model.vectors, model.targets, settings, settings.finalEpochs, settings.seed + 2);
  } else {
    optimise(model, model.vectors, model.targets, settings, settings.epochs, settings.seed + 1);
  }
  const final = model;

  return {
    format: MODEL_FORMAT,
    task: options.task,
    algorithm: settings.trainer === "svm" ? "linear-svm-ovr" : "softmax-regression",
    version: options.version,
    created: (options.now ?? new Date()).toISOString(),
    labels,
    features: settings.features.cues ? { ...settings.features, cueLexicon: CUE_LEXICON_VERSION } : settings.features,
    terms: Float64Array.from(final.terms),
    blockWeights: settings.blockWeights,
    idf: Float32Array.from(final.idf),
    ...quantiseRows(final.weights, labels.length),
    bias: Array.from(final.bias, (b) => Math.fround(b)),
    temperature,
    manifest: {
      trainingData: { sha256: dataset.sha256, examples: dataset.examples.length, sources: dataset.sources },
      trainingSettings: settings,
      metrics: { heldOut: null, heldOutName: null },
      trainingSeconds: Math.round((performance.now() - started) / 100) / 10,
    },
  };
}

interface Fitted {
  terms: Float64Array;
  idf: Float64Array;
  weights: Float32Array;
  gradSq: Float32Array;
  bias: Float64Array | Float32Array;
  biasGradSq: Float64Array;
  labels: number;
  vectors: SparseVector[];
  targets: number[];
}

/** Vocabulary and vectors from the examples (in `order`), with zero weights. */
function prepare(examples: readonly Example[], order: readonly number[], labels: string[], settings: TrainingSettings): Fitted {
  const counts = order.map((i) => termKeyCounts(examples[i]!.text, examples[i]!.lang, settings.features));
  const { terms, idf } = buildVocabulary(counts, settings);
  const vectoriser = new HashedVectoriser(new TermIndex(terms), idf, settings.features, settings.blockWeights);
  const K = labels.length;
  return {
    terms,
    idf,
    weights: new Float32Array(terms.length * K),
    gradSq: new Float32Array(terms.length * K).fill(1e-8),
    bias: new Float64Array(K),
    biasGradSq: new Float64Array(K).fill(1e-8),
    labels: K,
    vectors: counts.map((c) => vectoriser.fromKeyCounts(c)),
    targets: order.map((i) => labels.indexOf(examples[i]!.label)),
  };
}

/** AdaGrad on the softmax loss with L2, class-balanced; updates `model` in place. */
function optimise(model: Fitted, vectors: readonly SparseVector[], targets: readonly number[], settings: TrainingSettings, epochs: number, seed: number): void {
  const { weights, gradSq, bias, biasGradSq, labels: K } = model;
  const classWeight = balancedClassWeights(targets, K);
  const random = seededRandom(seed);
  const sequence = vectors.map((_, i) => i);
  const { learningRate: lr, l2 } = settings;
  const p = new Float64Array(K);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(sequence, random);
    for (const n of sequence) {
      const x = vectors[n]!;
      const y = targets[n]!;
      p.set(bias);
      for (let j = 0; j < x.indices.length; j++) {
        const row = x.indices[j]! * K;
        const v = x.values[j]!;
        for (let k = 0; k < K; k++) p[k]! += v * weights[row + k]!;
      }
      softmaxInPlace(p);
      const w = classWeight[y]!;
      for (let k = 0; k < K; k++) p[k] = (p[k]! - (k === y ? 1 : 0)) * w;
      for (let j = 0; j < x.indices.length; j++) {
        const row = x.indices[j]! * K;
        const v = x.values[j]!;
        for (let k = 0; k < K; k++) {
          const at = row + k;
          const g = p[k]! * v + l2 * weights[at]!;
          const acc = gradSq[at]! + g * g;
          gradSq[at] = acc;
          weights[at]! -= (lr * g) / Math.sqrt(acc);
        }
      }
      for (let k = 0; k < K; k++) {
        biasGradSq[k]! += p[k]! * p[k]!;
        bias[k]! -= (lr * p[k]!) / Math.sqrt(biasGradSq[k]!);
      }
    }
  }
}

/** The most frequent terms (by document frequency, ties by key), in key order, with their idf. */
function buildVocabulary(counts: readonly Map<number, number>[], settings: TrainingSettings) {
  const df = new Map<number, number>();
  for (const doc of counts) for (const term of doc.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const kept = [...df.entries()]
    .filter(([, n]) => n >= settings.minDocumentFrequency)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, settings.maxFeatures)
    .sort((a, b) => a[0] - b[0]);
  const N = counts.length;
  return {
    terms: Float64Array.from(kept, ([term]) => term),
    // Stored as float32 in the artifact: round here so training sees what inference will see.
    idf: Float64Array.from(kept, ([, n]) => Math.fround(Math.log((1 + N) / (1 + n)) + 1)),
  };
}

/** Inverse-frequency weights, square-rooted: rare labels count more without drowning the rest. */
function balancedClassWeights(targets: readonly number[], K: number): Float64Array {
  const freq = new Float64Array(K);
  for (const t of targets) freq[t]!++;
  const mean = targets.length / K;
  return Float64Array.from(freq, (f) => (f > 0 ? Math.sqrt(mean / f) : 1));
}

function heldOutTemperature(model: Fitted, vectors: readonly SparseVector[], targets: readonly number[]): number {
  return fitTemperature(vectors.map((x) => linearScores(x, model.weights, model.bias, model.labels)), targets);
}

/** Scores an artifact on held-out data and records the figures in its manifest. */
export function withHeldOutMetrics(artifact: ModelArtifact, name: string, held: readonly Example[]): { artifact: ModelArtifact; metrics: Metrics } {
  const evaluation = evaluateClassifier(new LinearModel(artifact), held);
  const metrics: Metrics = { accuracy: evaluation.accuracy, macroF1: evaluation.macroF1, n: evaluation.n, perLabel: evaluation.perLabel };
  return { artifact: { ...artifact, manifest: { ...artifact.manifest, metrics: { heldOut: metrics, heldOutName: name } } }, metrics };
}
