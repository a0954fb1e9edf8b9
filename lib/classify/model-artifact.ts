import { z } from "zod";
import { ConfigurationError } from "../errors.ts";
import { FeatureSettingsSchema } from "../text/features.ts";
import { readModelFile } from "./model-file.ts";

/**
 * v2: terms are hashed keys (lib/text/term-keys.ts) and the two feature blocks are normalised apart.
 * v3: the same model, its arrays in the binary file beside the JSON (lib/classify/model-file.ts).
 */
export const MODEL_FORMAT = "recontact.model/v3";
const MODEL_FORMATS = ["recontact.model/v2", MODEL_FORMAT] as const;

export const MetricsSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  n: z.number().int(),
  perLabel: z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
});
export type Metrics = z.infer<typeof MetricsSchema>;

/** base64 of little-endian numbers: how format v2 kept its arrays inline in the JSON. */
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");

/** A numeric array of a model: from its binary file (v3), or inline base64 (v2). */
export const Float64s = z.union([z.instanceof(Float64Array), Base64.transform(decodeFloat64)]);
export const Float32s = z.union([z.instanceof(Float32Array), Base64.transform(decodeFloat32)]);
export const Int8s = z.union([z.instanceof(Int8Array), Base64.transform(decodeInt8)]);

/**
 * A model is data: a JSON file with its manifest (task, labels, feature settings, training data
 * hash, metrics, created), its weights in the binary file beside it (lib/classify/model-file.ts).
 * Validated on load; a malformed model is never half-used.
 */
export const ModelArtifactSchema = z
  .object({
    format: z.enum(MODEL_FORMATS),
    task: z.string().min(1),
    /** How the linear weights were trained; inference is the same for both: softmax(x·W + b) / T. */
    algorithm: z.enum(["softmax-regression", "linear-svm-ovr"]),
    version: z.string().min(1),
    created: z.string(),
    labels: z.array(z.string().min(1)).min(2),
    features: FeatureSettingsSchema,
    /** Term keys (53-bit integers as float64), ascending; feature i is terms[i]. */
    terms: Float64s,
    /** Weights of the word and the character block after each is L2-normalised. */
    blockWeights: z.tuple([z.number().positive(), z.number().positive()]),
    idf: Float32s,
    /**
     * Weights, feature-major (feature × label), as int8 with one float32 scale per feature:
     * w[f][k] = weights[f·K + k] × weightScales[f]. A quarter of float32's size, so a model
     * loads in a quarter of the time; accuracy moves by hundredths of a point.
     */
    weights: Int8s,
    weightScales: Float32s,
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
    const vocab = m.terms.length;
    if (m.idf.length !== vocab) ctx.addIssue({ code: "custom", path: ["idf"], message: `expected ${vocab} values` });
    if (m.weights.length !== vocab * m.labels.length) ctx.addIssue({ code: "custom", path: ["weights"], message: `expected ${vocab * m.labels.length} values` });
    if (m.weightScales.length !== vocab) ctx.addIssue({ code: "custom", path: ["weightScales"], message: `expected ${vocab} values` });
    if (m.bias.length !== m.labels.length) ctx.addIssue({ code: "custom", path: ["bias"], message: `expected ${m.labels.length} values` });
    if (new Set(m.labels).size !== m.labels.length) ctx.addIssue({ code: "custom", path: ["labels"], message: "duplicate labels" });
  });
export type ModelArtifact = z.infer<typeof ModelArtifactSchema>;

function decodeFloat64(base64: string): Float64Array {
  const bytes = Buffer.from(base64, "base64");
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The number of features of an artifact. */
export const featureCount = (artifact: ModelArtifact): number => artifact.terms.length;

/** Row-scaled int8 quantisation of a feature-major matrix with `columns` values a row. */
export function quantiseRows(values: ArrayLike<number>, columns: number): { weights: Int8Array; weightScales: Float32Array } {
  const rows = values.length / columns;
  const q = new Int8Array(values.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let k = 0; k < columns; k++) max = Math.max(max, Math.abs(values[r * columns + k]!));
    const scale = max / 127;
    scales[r] = scale;
    if (scale > 0) for (let k = 0; k < columns; k++) q[r * columns + k] = Math.round(values[r * columns + k]! / Math.fround(scale));
  }
  return { weights: q, weightScales: scales };
}

function decodeInt8(base64: string): Int8Array {
  const bytes = Buffer.from(base64, "base64");
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodeFloat32(base64: string): Float32Array {
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
  return parseModelArtifact(await readModelFile(path), path);
}
