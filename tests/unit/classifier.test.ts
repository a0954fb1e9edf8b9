import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyReason } from "../../lib/classify/classify-contact.ts";
import { readDataset, type Dataset } from "../../lib/classify/dataset.ts";
import { evaluateClassifier, scorePredictions } from "../../lib/classify/evaluate.ts";
import { LinearModel } from "../../lib/classify/linear-model.ts";
import { parseModelArtifact, readModelArtifact } from "../../lib/classify/model-artifact.ts";
import { trainModel } from "../../lib/classify/train.ts";
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
    await writeFile(join(dir, "m.json"), JSON.stringify(artifact));
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

  it("rejects malformed model files with a clear error", async () => {
    const good = JSON.parse(await readFile(join(ROOT, "models/reason/model.json"), "utf8")) as Record<string, unknown>;
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
