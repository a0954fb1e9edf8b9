import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readDataset, type Example } from "../classify/dataset.ts";
import { LinearModel } from "../classify/linear-model.ts";
import { parseModelArtifact } from "../classify/model-artifact.ts";
import { trainModel, type TrainingSettings } from "../classify/train.ts";
import { ROOT_CAUSES } from "../contact/contact-record.ts";
import {
  attributeDataChain,
  parseRootCauseModel,
  readRootCauseChains,
  RootCauseModel,
  trainRootCauseModel,
  type RootCauseChain,
  type RootCauseTrainingSettings,
} from "../root-cause/chain-model.ts";
import type { Label, ReasonLabel, RootCauseLabel } from "./label.ts";
import type { Task } from "./task.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LANGUAGES = ["en", "nl", "ar", "fa", "ko", "zh"] as const;

/**
 * How the shipped model of a task was trained (scripts/train-*-model.ts), as data: retraining
 * follows the same recipe with the analysts' labels added, so a candidate differs from the live
 * model only by what the analysts taught it. Tests pass a smaller recipe to train in seconds.
 */
export interface ReasonRecipe {
  /** Public, short English requests. */
  publicTrain: string[];
  /** Every `publicShare`-th public line is used (1: all); see scripts/train-reason-model.ts for why. */
  publicShare: number;
  /** Our own transcripts and utterances, repeated `ownWeight` times. */
  ownTrain: string[];
  ownWeight: number;
  /** The held-out split the shipped model card reports on. */
  test: string[];
  /** At most this many training lines per label and language (a quick recipe); all when absent. */
  maxPerLabel?: number;
  settings: Partial<TrainingSettings>;
}

export interface RootCauseRecipe {
  /** data/root-causes/*.jsonl: chains with `split` train or test. */
  files: string[];
  /** At most this many training chains per cause and language (a quick recipe); all when absent. */
  maxPerLabel?: number;
  settings: Partial<RootCauseTrainingSettings>;
}

export interface Recipes {
  reason: ReasonRecipe;
  "root-cause": RootCauseRecipe;
}

/** The recipes of the shipped models, resolved against `root` (the repository, or the Lambda bundle). */
export function shippedRecipes(root = REPO_ROOT): Recipes {
  const own = (split: string) => LANGUAGES.map((l) => join(root, "data/reasons-multilingual", `${l}.${split}.jsonl`));
  return {
    reason: {
      publicTrain: [join(root, "data/reasons/train.jsonl")],
      publicShare: 3,
      ownTrain: own("train"),
      ownWeight: 4,
      test: own("test"),
      settings: { maxFeatures: 150_000 },
    },
    "root-cause": { files: LANGUAGES.map((l) => join(root, "data/root-causes", `${l}.jsonl`)), settings: {} },
  };
}

/** A loaded model of either task, seen the same way: a version, a label set and a prediction. */
export interface Predictor<E> {
  version: string;
  labels: readonly string[];
  predict(example: E): string;
}

export interface TrainingData<E> {
  /** Training examples, weights applied (repeated). */
  train: E[];
  /** The fixed held-out split. */
  test: E[];
  /** sha256 over the shipped files' bytes. */
  sha256: string;
  sources: string[];
}

export interface TrainArgs {
  version: string;
  now: Date;
  /** Recorded in the artifact's manifest. */
  data: { sha256: string; sources: string[] };
}

/** What retraining needs of a task, whatever its model. */
export interface TaskTrainer<E> {
  task: Task;
  labels: readonly string[] | undefined;
  shippedData(): Promise<TrainingData<E>>;
  /** A reviewed label as a training / evaluation example. */
  fromLabel(label: Label): E;
  gold(example: E): string;
  /** Trains an artifact (stored in the registry as lib/classify/model-file.ts says). */
  train(examples: readonly E[], args: TrainArgs): object;
  load(json: unknown, source: string): Predictor<E>;
}

export function reasonTrainer(recipe: ReasonRecipe): TaskTrainer<Example> {
  return {
    task: "reason",
    labels: undefined,
    async shippedData() {
      const [publicTrain, ownTrain, test, all] = await Promise.all([
        readDataset(recipe.publicTrain),
        readDataset(recipe.ownTrain),
        readDataset(recipe.test),
        readDataset([...recipe.publicTrain, ...recipe.ownTrain]),
      ]);
      const own = limitPerLabel(ownTrain.examples, recipe.maxPerLabel, (e) => `${e.label}|${e.lang}`);
      return {
        train: [...limitPerLabel(publicTrain.examples.filter((_, i) => i % recipe.publicShare === 0), recipe.maxPerLabel, (e) => `${e.label}|${e.lang}`), ...Array.from({ length: recipe.ownWeight }, () => own).flat()],
        test: test.examples,
        sha256: all.sha256,
        sources: [...recipe.publicTrain, ...recipe.ownTrain.map((f) => `${f} (×${recipe.ownWeight})`)].map(relativeToRepo),
      };
    },
    fromLabel(label) {
      const { text, lang, label: gold } = label as ReasonLabel;
      return { text, label: gold, lang };
    },
    gold: (e) => e.label,
    train(examples, args) {
      return trainModel({ examples: [...examples], sha256: args.data.sha256, sources: args.data.sources }, { task: "reason", version: args.version, now: args.now, settings: recipe.settings });
    },
    load(json, source) {
      const model = new LinearModel(parseModelArtifact(json, source));
      return { version: model.version, labels: model.labels, predict: (e) => model.predict(e.text, e.lang).label };
    },
  };
}

export function rootCauseTrainer(recipe: RootCauseRecipe): TaskTrainer<RootCauseChain> {
  return {
    task: "root-cause",
    labels: ROOT_CAUSES,
    async shippedData() {
      const data = await readRootCauseChains(recipe.files);
      const train = data.chains.filter((c) => c.split === "train");
      return {
        train: limitPerLabel(train, recipe.maxPerLabel, (c) => `${c.cause}|${c.lang}`),
        test: data.chains.filter((c) => c.split === "test"),
        sha256: data.sha256,
        sources: recipe.files.map((f) => `${relativeToRepo(f)} (split = train)`),
      };
    },
    fromLabel(label) {
      const { schema: _s, task: _t, contactId: _c, week: _w, verdict: _v, predicted: _p, comment: _m, reviewer: _r, reviewedAt: _a, label: cause, ...chain } = label as RootCauseLabel;
      return { ...chain, cause };
    },
    gold: (c) => c.cause,
    train(examples, args) {
      return trainRootCauseModel(examples, { version: args.version, now: args.now, data: args.data, settings: recipe.settings });
    },
    load(json, source) {
      const model = new RootCauseModel(parseRootCauseModel(json, source));
      return { version: model.version, labels: model.labels, predict: (chain) => attributeDataChain(model, chain).rootCause };
    },
  };
}

export function trainerFor(task: Task, recipes: Recipes): TaskTrainer<Example> | TaskTrainer<RootCauseChain> {
  return task === "reason" ? reasonTrainer(recipes.reason) : rootCauseTrainer(recipes["root-cause"]);
}

/** The first `max` examples of each group (label and language), in file order (deterministic). */
function limitPerLabel<E>(examples: readonly E[], max: number | undefined, groupOf: (e: E) => string): E[] {
  if (max === undefined) return [...examples];
  const seen = new Map<string, number>();
  return examples.filter((e) => {
    const n = seen.get(groupOf(e)) ?? 0;
    seen.set(groupOf(e), n + 1);
    return n < max;
  });
}

/** `…/data/reasons/train.jsonl` → `data/reasons/train.jsonl`, wherever the checkout or bundle is. */
function relativeToRepo(path: string): string {
  const at = path.lastIndexOf("/data/");
  return at >= 0 ? path.slice(at + 1) : path;
}

/** sha256 of JSON values in order: the analysts' labels a candidate was trained on. */
export function sha256OfJson(values: readonly unknown[]): string {
  const hash = createHash("sha256");
  for (const v of values) hash.update(`${JSON.stringify(v)}\n`);
  return hash.digest("hex");
}
