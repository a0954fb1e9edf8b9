import { z } from "zod";
import { TaskSchema } from "./task.ts";

/** A version name is one S3 key segment: letters, digits, dot, dash, underscore. */
export const VersionSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "expected letters, digits, '.', '-' or '_'");

const PerLabelSchema = z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() }));
export const HeldOutMetricsSchema = z.object({ accuracy: z.number(), macroF1: z.number(), n: z.number().int(), perLabel: PerLabelSchema });
export type HeldOutMetrics = z.infer<typeof HeldOutMetricsSchema>;

export const ModelEventSchema = z.object({
  action: z.enum(["published", "promoted", "rolled-back", "restored"]),
  at: z.string(),
  by: z.string(),
  why: z.string(),
});
export type ModelEvent = z.infer<typeof ModelEventSchema>;

/**
 * The card of one registry version (`models/<task>/<version>/card.json`): what it was trained on
 * (data hash, sources, the analysts' labels), its label set, its held-out figures, the comparison
 * that decided on it, and every promotion or rollback, with who and why.
 */
export const ModelCardSchema = z.object({
  schema: z.literal("recontact.model-card/v1"),
  task: TaskSchema,
  version: VersionSchema,
  created: z.string(),
  labels: z.array(z.string()),
  trainingData: z.object({
    sha256: z.string(),
    examples: z.number().int(),
    sources: z.array(z.string()),
    reviewLabels: z.object({ trainedOn: z.number().int(), heldOut: z.number().int(), corrections: z.number().int(), sha256: z.string() }),
  }),
  metrics: z.object({ heldOut: HeldOutMetricsSchema, heldOutName: z.string() }),
  comparison: z
    .object({ against: z.string(), decision: z.enum(["promote", "refuse"]), reasons: z.array(z.string()), macroF1Delta: z.number() })
    .nullable(),
  events: z.array(ModelEventSchema),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

export const LiveSourceSchema = z.enum(["registry", "shipped"]);

/**
 * `models/<task>/live.json`: which version ingest uses. `shipped` means the model in the function's
 * bundle (models/<task>/model.json); `previous` is the stack `rollback` pops.
 */
export const LivePointerSchema = z.object({
  schema: z.literal("recontact.live-model/v1"),
  task: TaskSchema,
  version: z.string().min(1),
  source: LiveSourceSchema,
  at: z.string(),
  by: z.string(),
  why: z.string(),
  previous: z.array(z.object({ version: z.string().min(1), source: LiveSourceSchema })),
});
export type LivePointer = z.infer<typeof LivePointerSchema>;
