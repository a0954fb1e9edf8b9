import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigurationError } from "../errors.ts";
import { FeatureSettingsSchema } from "../text/features.ts";

/** v2: terms are hashed keys (lib/text/term-keys.ts) and the two feature blocks are normalised apart. */
export const MODEL_FORMAT = "recontact.model/v2";

export const MetricsSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  n: z.number().int(),
  perLabel: z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
});
export type Metrics = z.infer<typeof MetricsSchema>;

/** base64 of little-endian numbers: 4 or 8 bytes a value instead of ~10 characters of JSON. */
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");

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
    /** Term keys (53-bit integers as float64), ascending; feature i is terms[i]. */
    terms: Base64,
    /** Weights of the word and the character block after each is L2-normalised. */
    blockWeights: z.tuple([z.number().positive(), z.number().positive()]),
    idf: Base64,
    /**
     * Weights, feature-major (feature × label), as int8 with one float32 scale per feature:
     * w[f][k] = weights[f·K + k] × weightScales[f]. A quarter of float32's size, so a model
     * loads in a quarter of the time; accuracy moves by hundredths of a point.
     */
    weights: Base64,
    weightScales: Base64,
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
    const floats = (b64: string) => (Buffer.byteLength(b64, "base64") / 4) | 0;
    const vocab = floats(m.terms) / 2;
    if (!Number.isInteger(vocab)) ctx.addIssue({ code: "custom", path: ["terms"], message: "expected whole float64 values" });
    if (floats(m.idf) !== vocab) ctx.addIssue({ code: "custom", path: ["idf"], message: `expected ${vocab} values` });
    if (Buffer.byteLength(m.weights, "base64") !== vocab * m.labels.length) {
      ctx.addIssue({ code: "custom", path: ["weights"], message: `expected ${vocab * m.labels.length} values` });
    }
    if (floats(m.weightScales) !== vocab) ctx.addIssue({ code: "custom", path: ["weightScales"], message: `expected ${vocab} values` });
    if (m.bias.length !== m.labels.length) ctx.addIssue({ code: "custom", path: ["bias"], message: `expected ${m.labels.length} values` });
    if (new Set(m.labels).size !== m.labels.length) ctx.addIssue({ code: "custom", path: ["labels"], message: "duplicate labels" });
  });
export type ModelArtifact = z.infer<typeof ModelArtifactSchema>;

export function encodeFloat32(values: ArrayLike<number>): string {
  return Buffer.from(Float32Array.from(values).buffer).toString("base64");
}

export function encodeFloat64(values: ArrayLike<number>): string {
  return Buffer.from(Float64Array.from(values).buffer).toString("base64");
}

export function decodeFloat64(base64: string): Float64Array {
  const bytes = Buffer.from(base64, "base64");
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The number of features of an artifact. */
export const featureCount = (artifact: ModelArtifact): number => Buffer.byteLength(artifact.terms, "base64") / 8;

/** Row-scaled int8 quantisation of a feature-major matrix with `columns` values a row. */
export function quantiseRows(values: ArrayLike<number>, columns: number): { weights: string; weightScales: string } {
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
  return { weights: Buffer.from(q.buffer).toString("base64"), weightScales: encodeFloat32(scales) };
}

export function decodeInt8(base64: string): Int8Array {
  const bytes = Buffer.from(base64, "base64");
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
