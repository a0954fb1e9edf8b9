import { join } from "node:path";
import { z } from "zod";
import { ObjectStoreLabelStore } from "../../lib/adapters/object-store-labels.ts";
import { baseRuntimeFromEnv, modelRegistry, type BaseRuntime } from "../../lib/adapters/runtime.ts";
import type { LabelStore } from "../../lib/ports/label-store.ts";
import type { ModelRegistry } from "../../lib/review/model-registry.ts";
import { TaskSchema } from "../../lib/review/task.ts";
import { shippedRecipes, type Recipes } from "../../lib/review/trainers.ts";
import { retrainModel } from "../../lib/use-cases/retrain-model.ts";

/** `{ "task": "reason", "by": "alice", "why": "…", "promote": true }` — who asks is recorded on the card. */
export const RetrainEventSchema = z.object({
  task: TaskSchema,
  by: z.string().min(1).max(200),
  why: z.string().max(500).optional(),
  promote: z.boolean().default(true),
});

export interface RetrainRuntime extends BaseRuntime {
  registry: ModelRegistry;
  labels: LabelStore;
  recipes: Recipes;
}

export interface RetrainResponse {
  version: string;
  live: string;
  decision: "promote" | "refuse";
  promoted: boolean;
  macroF1Delta: number;
  reasons: string[];
  trainingSeconds: number;
}

/** `recontact retrain` as a function: labels from `labels/`, the registry under `models/`, the shipped data in the bundle. */
export function createRetrainHandler(runtime: RetrainRuntime) {
  return async (event: unknown): Promise<RetrainResponse> => {
    const { task, by, why, promote } = RetrainEventSchema.parse(event);
    const result = await retrainModel(
      { task, by, promote, ...(why ? { why } : {}) },
      { registry: runtime.registry, labels: runtime.labels, rules: runtime.config.retrain, recipes: runtime.recipes, log: runtime.log, clock: runtime.clock },
    );
    const { comparison } = result;
    return {
      version: result.card.version,
      live: result.promoted ? result.card.version : comparison.live.version,
      decision: comparison.decision,
      promoted: result.promoted !== undefined,
      macroF1Delta: comparison.overall.macroF1Delta,
      reasons: comparison.reasons,
      trainingSeconds: result.trainingSeconds,
    };
  };
}

/** The bundle carries the shipped models and training data under RECONTACT_TRAINING_ROOT (`/var/task`). */
export function retrainRuntimeFromEnv(env: Record<string, string | undefined>): RetrainRuntime {
  const base = baseRuntimeFromEnv(env);
  const root = env.RECONTACT_TRAINING_ROOT;
  return {
    ...base,
    registry: modelRegistry({ RECONTACT_MODELS_DIR: env.RECONTACT_MODELS_DIR ?? (root ? join(root, "models") : undefined) }, base),
    labels: new ObjectStoreLabelStore(base.objects),
    recipes: shippedRecipes(env.RECONTACT_TRAINING_ROOT),
  };
}

const runtime = process.env.AWS_LAMBDA_FUNCTION_NAME ? retrainRuntimeFromEnv(process.env) : undefined;

export const handler = async (event: unknown): Promise<RetrainResponse> => createRetrainHandler(runtime ?? retrainRuntimeFromEnv(process.env))(event);
