import { scorePredictions } from "../classify/evaluate.ts";
import type { RetrainConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { LabelStore } from "../ports/label-store.ts";
import { compareModels, type Comparison, type CorrectionOutcome, type HeldOutPrediction } from "../review/compare-models.ts";
import { isCorrection, isHeldOut, labelKey } from "../review/label.ts";
import type { ModelCard } from "../review/model-card.ts";
import type { LivePointer } from "../review/model-card.ts";
import type { ModelRegistry } from "../review/model-registry.ts";
import type { Task } from "../review/task.ts";
import { reasonTrainer, rootCauseTrainer, sha256OfJson, type Recipes, type TaskTrainer } from "../review/trainers.ts";

export interface RetrainDeps {
  registry: ModelRegistry;
  labels: LabelStore;
  rules: RetrainConfig;
  recipes: Recipes;
  log: Logger;
  clock: () => Date;
}

export interface RetrainOptions {
  task: Task;
  /** Who asked for it (recorded on the card, and on the promotion). */
  by: string;
  why?: string;
  /** false: publish and compare, but leave the live model as it is. */
  promote?: boolean;
}

export interface RetrainResult {
  card: ModelCard;
  comparison: Comparison;
  promoted: LivePointer | undefined;
  trainingSeconds: number;
}

/**
 * `recontact retrain` (SPEC 8): trains a candidate on the shipped data plus the analysts' labels
 * (all but a held-out share), evaluates it and the live model on the same held-out data (the
 * shipped test split and the held-out labels), publishes it to the registry with its card and
 * the comparison, and promotes it only if the comparison allows.
 */
export async function retrainModel(options: RetrainOptions, deps: RetrainDeps): Promise<RetrainResult> {
  return options.task === "reason" ? retrainWith(reasonTrainer(deps.recipes.reason), options, deps) : retrainWith(rootCauseTrainer(deps.recipes["root-cause"]), options, deps);
}

async function retrainWith<E>(trainer: TaskTrainer<E>, options: RetrainOptions, deps: RetrainDeps): Promise<RetrainResult> {
  const { task } = options;
  const now = deps.clock();
  const [data, stored, live] = await Promise.all([trainer.shippedData(), deps.labels.all(task), deps.registry.live(task)]);
  const labels = [...stored].sort((a, b) => labelKey(a).localeCompare(labelKey(b)));
  const heldOutLabels = labels.filter((l) => isHeldOut(l, deps.rules.heldOutShare));
  const trainLabels = labels.filter((l) => !isHeldOut(l, deps.rules.heldOutShare));
  const labelsSha = sha256OfJson(labels);
  const version = `${task}-${now.toISOString().replace(/[-:]/g, "").slice(0, 15)}-${sha256OfJson([data.sha256, labelsSha]).slice(0, 8)}`;

  const examples = [...data.train, ...Array.from({ length: deps.rules.labelWeight }, () => trainLabels.map((l) => trainer.fromLabel(l))).flat()];
  const started = performance.now();
  const artifact = trainer.train(examples, {
    version,
    now,
    data: { sha256: sha256OfJson([data.sha256, labelsSha]), sources: [...data.sources, `labels/${task} (${trainLabels.length} reviewed, ×${deps.rules.labelWeight})`] },
  });
  const trainingSeconds = Math.round((performance.now() - started) / 100) / 10;
  deps.log.log("info", "candidate trained", { step: "retrain", task, version, examples: examples.length, seconds: trainingSeconds });

  const candidate = trainer.load(artifact, `candidate ${version}`);
  const current = trainer.load(await deps.registry.modelJson(task, live), `live ${task} model ${live.version}`);
  const held = [...data.test.map((e) => ({ example: e, from: "test" as const })), ...heldOutLabels.map((l) => ({ example: trainer.fromLabel(l), from: "label" as const }))];
  const heldOut: HeldOutPrediction[] = held.map(({ example, from }) => ({ gold: trainer.gold(example), live: current.predict(example), candidate: candidate.predict(example), from }));
  const corrections: CorrectionOutcome[] = labels.filter(isCorrection).map((l) => {
    const example = trainer.fromLabel(l);
    return { contactId: l.contactId, week: l.week, gold: l.label, reviewed: l.predicted.label, live: current.predict(example), candidate: candidate.predict(example), heldOut: isHeldOut(l, deps.rules.heldOutShare) };
  });
  const comparison = compareModels({ task, candidate: version, live: { version: live.version, source: live.source }, now, rules: deps.rules, heldOut, corrections });

  const card: ModelCard = {
    schema: "recontact.model-card/v1",
    task,
    version,
    created: now.toISOString(),
    labels: [...candidate.labels],
    trainingData: {
      sha256: data.sha256,
      examples: examples.length,
      sources: data.sources,
      reviewLabels: { trainedOn: trainLabels.length, heldOut: heldOutLabels.length, corrections: labels.filter(isCorrection).length, sha256: labelsSha },
    },
    metrics: { heldOut: candidateMetrics(heldOut), heldOutName: `shipped test split (${comparison.shippedTest.n}) + held-out review labels (${heldOutLabels.length})` },
    comparison: { against: live.version, decision: comparison.decision, reasons: comparison.reasons, macroF1Delta: comparison.overall.macroF1Delta },
    events: [{ action: "published", at: now.toISOString(), by: options.by, why: options.why ?? "retrain" }],
  };
  await deps.registry.publish(task, artifact, card, comparison);
  let promoted: LivePointer | undefined;
  if (comparison.decision === "promote" && options.promote !== false) {
    const why = options.why ?? `retrain: macro-F1 ${signedPoints(comparison.overall.macroF1Delta)} points on held-out data`;
    promoted = await deps.registry.promote(task, version, { by: options.by, why, now });
  }
  deps.log.log("info", "candidate compared", { step: "retrain", task, version, decision: comparison.decision, promoted: promoted !== undefined });
  return { card: promoted ? ((await deps.registry.card(task, version)) ?? card) : card, comparison, promoted, trainingSeconds };
}

/** The candidate's own figures on all held-out data, for its card. */
function candidateMetrics(heldOut: readonly HeldOutPrediction[]): ModelCard["metrics"]["heldOut"] {
  const { accuracy, macroF1, n, perLabel } = scorePredictions(heldOut.map((r) => r.gold), heldOut.map((r) => r.candidate));
  return { accuracy, macroF1, n, perLabel };
}

const signedPoints = (delta: number) => `${delta >= 0 ? "+" : ""}${(100 * delta).toFixed(1)}`;

