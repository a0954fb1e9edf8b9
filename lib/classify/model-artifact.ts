import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigurationError } from "../errors.ts";
import { FeatureSettingsSchema } from "../text/features.ts";

export const MODEL_FORMAT = "recontact.model/v1";

export const MetricsSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  n: z.number().int(),
  perLabel: z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
});
export type Metrics = z.infer<typeof MetricsSchema>;

/** base64 of little-endian float32 values: 4 bytes a weight instead of ~10 characters of JSON. */
const Float32Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");

/**
 * A model is data: one JSON file with its manifest (task, labels, feature settings, training data
 * hash, metrics, created) and its weights. Validated on load; a malformed file is never half-used.
 */
export const ModelArtifactSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    task: z.string().min(1),
    /** How the linear weights were trained; inference is the same for both: softmax(x·W + b) / T. */
    algorithm: z.enum(["softmax-regression", "linear-svm-ovr"]),
    version: z.string().min(1),
    created: z.string(),
    labels: z.array(z.string().min(1)).min(2),
    features: FeatureSettingsSchema,
    vocabulary: z.array(z.string()),
    idf: Float32Base64,
    weights: Float32Base64,
    bias: z.array(z.number()),
    temperature: z.number().positive(),
    manifest: z.object({
      trainingData: z.object({ sha256: z.string(), examples: z.number().int(), sources: z.array(z.string()) }),
      trainingSettings: z.record(z.string(), z.unknown()),
      metrics: z.object({ heldOut: MetricsSchema.nullable(), heldOutName: z.string().nullable() }),
      trainingSeconds: z.number().optional(),
    }),
  })
  .superRefine((m, ctx) => {
    const vocab = m.vocabulary.length;
    const floats = (b64: string) => (Buffer.byteLength(b64, "base64") / 4) | 0;
    if (floats(m.idf) !== vocab) ctx.addIssue({ code: "custom", path: ["idf"], message: `expected ${vocab} values` });
    if (floats(m.weights) !== vocab * m.labels.length) {
      ctx.addIssue({ code: "custom", path: ["weights"], message: `expected ${vocab * m.labels.length} values` });
    }
    if (m.bias.length !== m.labels.length) ctx.addIssue({ code: "custom", path: ["bias"], message: `expected ${m.labels.length} values` });
    if (new Set(m.labels).size !== m.labels.length) ctx.addIssue({ code: "custom", path: ["labels"], message: "duplicate labels" });
  });
export type ModelArtifact = z.infer<typeof ModelArtifactSchema>;

export function encodeFloat32(values: ArrayLike<number>): string {
  return Buffer.from(Float32Array.from(values).buffer).toString("base64");
}

export function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, "base64");
  // Copy into an aligned buffer: a Buffer's offset into its pool need not be a multiple of 4.
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function parseModelArtifact(json: unknown, source: string): ModelArtifact {
  const result = ModelArtifactSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigurationError("INVALID_MODEL", `${source}: not a valid model artifact (${issue.path.join(".") || "root"}: ${issue.message})`);
  }
  return result.data;
}

export async function readModelArtifact(path: string): Promise<ModelArtifact> {
  return parseModelArtifact(await readModelJson(path), path);
}

/** The JSON of a model file; a missing or unparsable file is an INVALID_MODEL error naming it. */
export async function readModelJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ConfigurationError("INVALID_MODEL", `${path}: cannot read the model file as JSON`, { cause: error });
  }
}
