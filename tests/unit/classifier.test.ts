import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyReason } from "../../lib/classify/classify-contact.ts";
import { readDataset, type Dataset } from "../../lib/classify/dataset.ts";
import { evaluateClassifier, scorePredictions } from "../../lib/classify/evaluate.ts";
import { LinearModel } from "../../lib/classify/linear-model.ts";
import { parseModelArtifact, quantiseRows, readModelArtifact } from "../../lib/classify/model-artifact.ts";
import { readModelFile, writeModelFile } from "../../lib/classify/model-file.ts";
import { trainModel } from "../../lib/classify/train.ts";
import { trainOneVsRest } from "../../lib/classify/svm.ts";
import { labelsDone, sharedJob, TrainingHelper, trainOneVsRestShared } from "../../lib/classify/svm-parallel.ts";
import { seededRandom } from "../../lib/classify/random.ts";
import { ConfigurationError } from "../../lib/errors.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
let small: Dataset;

beforeAll(async () => {
  // Every 8th line of the public training set: all 12 reasons, small enough to train in a second.
  const full = await readDataset([join(ROOT, "data/reasons/train.jsonl")]);
  small = { ...full, examples: full.examples.filter((_, i) => i % 8 === 0) };
});

describe("reason classifier", () => {
  it("is deterministic: the same data and seed give the same artifact", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const a = trainModel(small, { task: "reason", version: "t", now, settings: { epochs: 3 } });
    const b = trainModel(small, { task: "reason", version: "t", now, settings: { epochs: 3 } });
    const strip = (m: typeof a) => ({ ...m, manifest: { ...m.manifest, trainingSeconds: 0 } });
    expect(strip(b)).toEqual(strip(a));
    const other = trainModel(small, { task: "reason", version: "t", now, settings: { epochs: 3, seed: 99 } });
    expect(other.weights).not.toBe(a.weights);
  });

  it("learns: far better than the majority class on held-out lines", async () => {
    const model = new LinearModel(trainModel(small, { task: "reason", version: "t", settings: { epochs: 6 } }));
    const test = await readDataset([join(ROOT, "data/reasons/test.jsonl")]);
    const sample = test.examples.filter((_, i) => i % 10 === 0);
    expect(evaluateClassifier(model, sample).accuracy).toBeGreaterThan(0.75);
  });

  it("gives identical predictions after saving and reloading the artifact", async () => {
    const artifact = trainModel(small, { task: "reason", version: "t", settings: { epochs: 3 } });
    const dir = await mkdtemp(join(tmpdir(), "recontact-model-"));
    await writeModelFile(join(dir, "m.json"), artifact);
    const [before, after] = [new LinearModel(artifact), new LinearModel(await readModelArtifact(join(dir, "m.json")))];
    for (const text of ["my card was stolen", "Ik wil mijn abonnement opzeggen", "我的退款什么时候到账", "where is my parcel"]) {
      expect(after.predict(text)).toEqual(before.predict(text));
    }
  });

  it("returns calibrated-looking probabilities: top sums ≤ 1, confidence is the best label's", () => {
    const model = new LinearModel(trainModel(small, { task: "reason", version: "t", settings: { epochs: 3 } }));
    const prediction = model.predict("I lost my card and someone is using it");
    expect(prediction.top[0]).toEqual({ label: prediction.label, confidence: prediction.confidence });
    expect(prediction.top.reduce((s, t) => s + t.confidence, 0)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it("refuses a model trained with another cue lexicon: it would read texts differently", async () => {
    const good = await readModelArtifact(join(ROOT, "models/reason/model.json"));
    expect(good.features.cues).toBe(true);
    const stale = { ...good, features: { ...good.features, cueLexicon: "0000000000000000" } };
    expect(() => new LinearModel(stale)).toThrow(/trained with cue lexicon 0000000000000000.*retrain/);
  });

  it("rejects malformed model files with a clear error", async () => {
    const good = (await readModelFile(join(ROOT, "models/reason/model.json"))) as Record<string, unknown>;
    expect(() => parseModelArtifact({ ...good, labels: ["only-one"] }, "m.json")).toThrow(/m\.json: not a valid model artifact \(labels/);
    expect(() => parseModelArtifact({ ...good, weights: "AAAA" }, "m.json")).toThrow(/weights: expected/);
    expect(() => parseModelArtifact({ ...good, format: "other" }, "m.json")).toThrow(ConfigurationError);
    const dir = await mkdtemp(join(tmpdir(), "recontact-model-"));
    await writeFile(join(dir, "broken.json"), '{"format": "recontact.model/v1", ');
    await expect(readModelArtifact(join(dir, "broken.json"))).rejects.toThrow(/broken\.json: cannot read the model file as JSON/);
  });

  it("classifies a transcript from the customer's words and points at the evidence turn", async () => {
    const model = new LinearModel(await readModelArtifact(join(ROOT, "models/reason/model.json")));
    const result = classifyReason(
      model,
      [
        { speaker: "agent", text: "Thank you for calling, how can I help?" },
        { speaker: "customer", text: "Hi, yes, good morning." },
        { speaker: "customer", text: "I was charged twice for my subscription this month and I want my money back." },
        { speaker: "agent", text: "I can see two payments, let me check that for you." },
      ],
      "en",
    );
    expect(["refund", "billing"]).toContain(result.reason);
    expect(result.evidenceTurn).toBe(2);
    const silent = classifyReason(model, [], "en");
    expect(silent).toMatchObject({ reason: "other", confidence: 0 });
  });
});

describe("one-vs-rest SVM training", () => {
  // 400 random sparse examples over 60 features, 5 labels, each label with its own feature.
  const random = seededRandom(7);
  const targets = Array.from({ length: 400 }, () => Math.floor(random() * 5));
  const vectors = targets.map((y) => {
    const indices = [y, ...Array.from({ length: 6 }, () => 5 + Math.floor(random() * 55))];
    return { indices: Int32Array.from(new Set(indices)), values: Float64Array.from(new Set(indices), () => 0.2 + random()) };
  });
  const settings = { c: 1, epochs: 50, tolerance: 0.1, seed: 3 };

  it.skipIf(availableParallelism() < 2)("gives the same weights on two threads as on one (skipped on one core: no helper thread)", async () => {
    // Enough labels that both threads take some once the helper listens.
    const many = vectors.map((x, i) => ({ indices: Int32Array.from([...x.indices, 60 + (i % 40)]), values: Float64Array.from([...x.values, 1]) }));
    const manyTargets = many.map((_, i) => i % 40);
    const serial = trainOneVsRest(many, manyTargets, 100, 40, settings);
    const helper = TrainingHelper.start();
    if (!helper) return expect.unreachable("a helper thread starts when running from source on two cores");
    try {
      await helper.ready;
      // The helper thread alone trains every label of a job: the weights of one thread.
      const job = sharedJob(many, manyTargets, 100, 40, settings);
      helper.help(job);
      while (labelsDone(job) < 40) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(job.fit.weights.slice()).toEqual(serial.weights);
      expect(job.fit.bias.slice()).toEqual(serial.bias);
      // And both threads together, whoever takes which label.
      const shared = trainOneVsRestShared(many, manyTargets, 100, 40, settings, helper);
      expect(shared.weights).toEqual(serial.weights);
      expect(shared.bias).toEqual(serial.bias);
    } finally {
      helper.close();
    }
  });

  it("converges from a warm start to the same solution as from zero", () => {
    const cold = trainOneVsRest(vectors, targets, 60, 5, { ...settings, tolerance: 1e-4, epochs: 500 });
    const half = trainOneVsRest(vectors.slice(0, 200), targets.slice(0, 200), 60, 5, settings);
    const start = new Float64Array(400 * 5);
    for (let k = 0; k < 5; k++) start.set(half.alphas.subarray(k * 200, (k + 1) * 200), k * 400);
    const warm = trainOneVsRest(vectors, targets, 60, 5, { ...settings, tolerance: 1e-4, epochs: 500 }, start);
    warm.weights.forEach((w, i) => expect(w).toBeCloseTo(cold.weights[i]!, 2));
  });

  it("stores weights as int8 with a scale per feature, within half a step of the trained value", () => {
    const { weights } = trainOneVsRest(vectors, targets, 60, 5, settings);
    const { weights: q, weightScales } = quantiseRows(weights, 5);
    const [ints, scales] = [q, weightScales];
    weights.forEach((w, i) => expect(Math.abs(ints[i]! * scales[Math.floor(i / 5)]! - w)).toBeLessThanOrEqual(scales[Math.floor(i / 5)]! / 2 + 1e-7));
  });
});

describe("evaluation metrics", () => {
  it("computes accuracy, per-label P/R/F1 and macro-F1 over gold labels", () => {
    const e = scorePredictions(["a", "a", "b", "b"], ["a", "b", "b", "b"]);
    expect(e.accuracy).toBe(0.75);
    expect(e.perLabel.a).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(e.perLabel.b).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });
    expect(e.macroF1).toBeCloseTo((2 / 3 + 0.8) / 2, 10);
    expect(e.confusion.a).toEqual({ a: 1, b: 1 });
  });
});
