import { readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileObjectStore } from "../../lib/adapters/local/file-object-store.ts";
import { startEmbeddedServices, type EmbeddedServices } from "../../lib/adapters/local/embedded-services.ts";
import { REPO_MODELS_DIR } from "../../lib/adapters/runtime.ts";
import { readDataset } from "../../lib/classify/dataset.ts";
import { writeModelFile } from "../../lib/classify/model-file.ts";
import { trainModel } from "../../lib/classify/train.ts";
import { jsonLogger, silentLogger } from "../../lib/log.ts";
import type { ObjectStore } from "../../lib/ports/object-store.ts";
import { LiveModels } from "../../lib/review/live-models.ts";
import type { ModelCard } from "../../lib/review/model-card.ts";
import { ModelRegistry, ShippedModels } from "../../lib/review/model-registry.ts";
import { LABEL_SCHEMA } from "../../lib/review/label.ts";
import { readRootCauseChains } from "../../lib/root-cause/chain-model.ts";
import { createRetrainHandler, retrainRuntimeFromEnv } from "../../functions/retrain/handler.ts";
import { localEnv } from "../support/local-stack.ts";
import { quickRecipes } from "../support/quick-recipes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** An object store that counts reads per key: shows what a look at the registry costs. */
function counting(store: ObjectStore): ObjectStore & { reads: string[] } {
  const reads: string[] = [];
  return Object.assign(Object.create(store) as ObjectStore, {
    reads,
    get: (key: string) => {
      reads.push(key);
      return store.get(key);
    },
  });
}

const card = (version: string, decision: "promote" | "refuse" | null = "promote"): ModelCard => ({
  schema: "recontact.model-card/v1",
  task: "reason",
  version,
  created: "2026-11-30T00:00:00.000Z",
  labels: ["billing", "refund"],
  trainingData: { sha256: "x", examples: 2, sources: [], reviewLabels: { trainedOn: 0, heldOut: 0, corrections: 0, sha256: "y" } },
  metrics: { heldOut: { accuracy: 1, macroF1: 1, n: 1, perLabel: {} }, heldOutName: "test" },
  comparison: decision ? { against: "shipped", decision, reasons: [decision === "refuse" ? "FAILED: worse" : "ok: fine"], macroF1Delta: 0 } : null,
  events: [],
});

describe("live models follow the registry's pointer (TTL, ETag), and fall back to the bundle", () => {
  let dir: string;
  let store: ReturnType<typeof counting>;
  let registry: ModelRegistry;
  const artifact = (version: string) =>
    trainModel(
      {
        examples: [
          { text: "my bill is wrong, you charged me twice", label: "billing" },
          { text: "an unexpected fee on my invoice", label: "billing" },
          { text: "I want my money back for the return", label: "refund" },
          { text: "where is my refund", label: "refund" },
        ],
        sha256: "t",
        sources: [],
      },
      { task: "reason", version, settings: { calibrationShare: 0 } },
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "recontact-registry-"));
    // A bundle with a tiny "shipped" reason model and the real root-cause model.
    await mkdir(join(dir, "bundle/reason"), { recursive: true });
    await mkdir(join(dir, "bundle/root-cause"), { recursive: true });
    await writeModelFile(join(dir, "bundle/reason/model.json"), artifact("reason-shipped"));
    for (const file of ["model.json", "model.bin"]) await copyFile(join(REPO_MODELS_DIR, "root-cause", file), join(dir, "bundle/root-cause", file));
    store = counting(new FileObjectStore(join(dir, "registry")));
    registry = new ModelRegistry(store, new ShippedModels(join(dir, "bundle")));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("uses the bundled model until a version is promoted, then swaps within the TTL, reading only the pointer meanwhile", async () => {
    let now = Date.parse("2026-11-30T09:00:00Z");
    const live = new LiveModels(registry, { ttlMs: 60_000, clock: () => new Date(now), log: silentLogger });
    const first = await live.current();
    expect(first.reasonClassifier.version).toBe("reason-shipped");

    await registry.publish("reason", artifact("reason-v2"), card("reason-v2"), {});
    await registry.promote("reason", "reason-v2", { by: "ann", why: "better", now: new Date(now) });
    now += 59_000;
    expect((await live.current()).reasonClassifier.version).toBe("reason-shipped");
    now += 2_000;
    const second = await live.current();
    expect(second.reasonClassifier.version).toBe("reason-v2");
    expect(second.rootCauseModel).toBe(first.rootCauseModel);

    // Nothing changed: after the TTL only the pointer is read, never the model again.
    store.reads.length = 0;
    now += 61_000;
    expect(await live.current()).toBe(second);
    expect(store.reads).toEqual(["models/reason/live.json", "models/root-cause/live.json"]);
  });

  it("keeps the loaded model when the promoted one does not load, and says so", async () => {
    const logged: string[] = [];
    let now = Date.parse("2026-11-30T10:00:00Z");
    const live = new LiveModels(registry, { ttlMs: 1_000, clock: () => new Date(now), log: jsonLogger((l) => logged.push(l), "info") });
    expect((await live.current()).reasonClassifier.version).toBe("reason-v2");
    await registry.publish("reason", artifact("reason-v3"), card("reason-v3"), {});
    await store.put("models/reason/reason-v3/model.bin", new Uint8Array(64)); // arrays of another model
    await registry.promote("reason", "reason-v3", { by: "ann", why: "broken on purpose", now: new Date(now) });
    now += 2_000;
    expect((await live.current()).reasonClassifier.version).toBe("reason-v2");
    expect(logged.some((l) => l.includes('"live model does not load; keeping the loaded model"') && l.includes('"kept":"reason-v2"') && l.includes("not this model's arrays file"))).toBe(true);
  });

  it("keeps every version's card with its history; rollback walks back to the bundle", async () => {
    const now = new Date("2026-11-30T11:00:00Z");
    expect((await registry.rollback("reason", { by: "ann", why: "v3 broken", now })).version).toBe("reason-v2");
    expect((await registry.rollback("reason", { by: "ann", why: "back to shipped", now })).source).toBe("shipped");
    await expect(registry.rollback("reason", { by: "ann", why: "again", now })).rejects.toMatchObject({ code: "NOTHING_TO_ROLL_BACK" });
    expect((await registry.card("reason", "reason-v2"))!.events.map((e) => e.action)).toEqual(["promoted", "restored", "rolled-back"]);
    expect((await registry.versions("reason")).map((c) => c.version).sort()).toEqual(["reason-v2", "reason-v3"]);
    // A refused version needs --force; an unknown one is an error naming it.
    await registry.publish("reason", artifact("reason-v4"), card("reason-v4", "refuse"), {});
    await expect(registry.promote("reason", "reason-v4", { by: "ann", why: "try", now })).rejects.toMatchObject({ code: "PROMOTION_REFUSED" });
    await expect(registry.promote("reason", "reason-v9", { by: "ann", why: "try", now })).rejects.toThrow(/reason-v9 is not in the registry/);
  });
});

describe("the retrain function, root-cause model, on local S3", () => {
  let services: EmbeddedServices;

  beforeAll(async () => {
    services = await startEmbeddedServices();
  });
  afterAll(() => services?.stop());

  it("trains on the shipped chains plus chain labels from labels/, compares, and publishes to models/", async () => {
    const runtime = { ...retrainRuntimeFromEnv({ ...localEnv(services), RECONTACT_TRAINING_ROOT: ROOT }), recipes: quickRecipes(), log: silentLogger };
    await expect(createRetrainHandler(runtime)({ task: "root-cause" })).rejects.toThrow(/by/);

    // Two analysts' labels: chains of the training split that the quick recipe leaves out.
    const { chains } = await readRootCauseChains([join(ROOT, "data/root-causes/en.jsonl")]);
    const unused = chains.filter((c) => c.split === "train").slice(-2);
    for (const chain of unused) {
      await runtime.labels.put({
        ...chain,
        schema: LABEL_SCHEMA,
        task: "root-cause",
        contactId: chain.contacts.at(-1)!.contactId,
        week: "2026-W47",
        verdict: "corrected",
        predicted: { label: chain.cause === "other" ? "procedure_limit" : "other", confidence: 0.4 },
        label: chain.cause,
        reviewer: "qa-ann",
        reviewedAt: "2026-11-30T09:00:00.000Z",
      });
    }
    const response = await createRetrainHandler(runtime)({ task: "root-cause", by: "qa-lead", why: "weekly retrain" });
    expect(response.version).toMatch(/^root-cause-\d{8}T\d{6}-[0-9a-f]{8}$/);
    expect(response.promoted).toBe(response.decision === "promote");
    const shipped = (JSON.parse(readFileSync(new URL("../../models/root-cause/model.json", import.meta.url), "utf8")) as { version: string }).version;
    expect(response.live).toBe(response.promoted ? response.version : shipped);
    const card = await runtime.registry.card("root-cause", response.version);
    expect(card?.labels).toEqual(["procedure_limit", "knowledge_gap", "missing_self_service", "other"]);
    expect(card!.trainingData.reviewLabels.trainedOn + card!.trainingData.reviewLabels.heldOut).toBe(2);
    expect(card?.comparison?.decision).toBe(response.decision);
    const comparison = (await runtime.registry.comparison("root-cause", response.version)) as { perLabel: unknown[]; shippedTest: { n: number } };
    expect(comparison.perLabel).toHaveLength(4);
    const dir = new URL("../../data/root-causes/", import.meta.url);
    const testChains = readdirSync(dir)
      .filter((f) => f.endsWith(".jsonl"))
      .flatMap((f) => readFileSync(new URL(f, dir), "utf8").trim().split("\n"))
      .filter((line) => (JSON.parse(line) as { split: string }).split === "test").length;
    expect(comparison.shippedTest.n).toBe(testChains);
  });
});
