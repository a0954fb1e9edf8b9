import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { z } from "zod";
import { ConfigurationError } from "../errors.ts";

/**
 * How a model is stored: `model.json` (format, manifest, labels, settings — readable and diffable)
 * beside `model.bin` (its numeric arrays, raw little-endian, each at an 8-byte boundary). In the
 * JSON an array is a reference `{ "$array": "float32", "offset": …, "length": … }` into the binary
 * file, and the JSON names that file with its size and CRC-32, so a JSON is never read with the
 * arrays of another model. Loading maps the arrays straight onto the file's bytes — no base64, no
 * JSON number parsing — because a Lambda cold start pays for every millisecond of it.
 *
 * A model JSON without `binary` (arrays inline as base64, the format before) still loads.
 */

const ARRAY_TYPES = { float64: Float64Array, float32: Float32Array, int8: Int8Array } as const;
type ArrayType = keyof typeof ARRAY_TYPES;
export type ModelArray = InstanceType<(typeof ARRAY_TYPES)[ArrayType]>;

const ArrayRefSchema = z.strictObject({
  $array: z.enum(Object.keys(ARRAY_TYPES) as [ArrayType, ...ArrayType[]]),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
});

const BinaryFileSchema = z.object({
  /** A file name beside the JSON (never a path: a model cannot point outside its folder). */
  file: z.string().regex(/^[^/\\]+$/, "expected a file name beside the model JSON"),
  bytes: z.number().int().min(0),
  crc32: z.number().int().min(0),
});

export interface PackedModel {
  /** The model JSON, with its arrays replaced by references into `binary`. */
  json: Record<string, unknown>;
  binary: Uint8Array;
}

/** The binary file beside a model JSON: `model.json` → `model.bin`. */
export function binaryFileOf(jsonPath: string): string {
  return `${basename(jsonPath).replace(/\.json$/i, "")}.bin`;
}

function arrayTypeOf(view: ArrayBufferView): ArrayType {
  for (const [type, ctor] of Object.entries(ARRAY_TYPES)) if (view instanceof ctor) return type as ArrayType;
  throw new TypeError(`a model array must be a Float64Array, Float32Array or Int8Array (got ${view.constructor.name})`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Splits a model into its JSON and its binary arrays (deterministic: same model, same bytes). */
export function packModel(artifact: object, binaryFile: string): PackedModel {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const walk = (value: unknown): unknown => {
    if (ArrayBuffer.isView(value)) {
      const $array = arrayTypeOf(value);
      const padding = (8 - (size % 8)) % 8;
      if (padding > 0) chunks.push(new Uint8Array(padding));
      size += padding;
      const ref = { $array, offset: size, length: (value as ModelArray).length };
      chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      size += value.byteLength;
      return ref;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const json = walk(artifact) as Record<string, unknown>;
  const binary = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    binary.set(chunk, at);
    at += chunk.byteLength;
  }
  return { json: { ...json, binary: { file: binaryFile, bytes: size, crc32: crc32(binary) } }, binary };
}

/** The binary file a model JSON names, or undefined for a model with its arrays inline. */
export function binaryFileNamed(json: unknown, source: string): string | undefined {
  if (!isRecord(json) || json.binary === undefined) return undefined;
  return parseBinaryFile(json.binary, source).file;
}

function parseBinaryFile(value: unknown, source: string): z.infer<typeof BinaryFileSchema> {
  const parsed = BinaryFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError("INVALID_MODEL", `${source}: binary.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * A model JSON with its array references resolved against its binary file, checked against the
 * size and checksum the JSON recorded. The arrays are views on `binary` (copied once only when its
 * bytes do not start at an 8-byte boundary).
 */
export function unpackModel(json: unknown, binary: Uint8Array | undefined, source: string): unknown {
  if (!isRecord(json) || json.binary === undefined) return json;
  const { binary: recorded, ...rest } = json;
  const file = parseBinaryFile(recorded, source);
  if (!binary) throw new ConfigurationError("INVALID_MODEL", `${source}: its arrays file ${file.file} is missing`);
  if (binary.byteLength !== file.bytes || crc32(binary) !== file.crc32) {
    throw new ConfigurationError("INVALID_MODEL", `${source}: ${file.file} is not this model's arrays file (size or CRC-32 differs from what the model recorded)`);
  }
  const bytes = binary.byteOffset % 8 === 0 ? binary : binary.slice();
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (!isRecord(value)) return value;
    if (!("$array" in value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]));
    const ref = ArrayRefSchema.safeParse(value);
    if (!ref.success) throw new ConfigurationError("INVALID_MODEL", `${source}: ${path}: not an array reference (${ref.error.issues[0]!.message})`);
    const ctor = ARRAY_TYPES[ref.data.$array];
    const { offset, length } = ref.data;
    if (offset % 8 !== 0 || offset + length * ctor.BYTES_PER_ELEMENT > bytes.byteLength) {
      throw new ConfigurationError("INVALID_MODEL", `${source}: ${path}: ${length} ${ref.data.$array} values at byte ${offset} do not fit in ${file.file} (${bytes.byteLength} bytes)`);
    }
    return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset, length);
  };
  return walk(rest, "");
}

/** Reads a model JSON and its binary file; a missing or unreadable file is an INVALID_MODEL error naming it. */
export async function readModelFile(path: string): Promise<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ConfigurationError("INVALID_MODEL", `${path}: cannot read the model file as JSON`, { cause: error });
  }
  const file = binaryFileNamed(json, path);
  if (file === undefined) return json;
  let binary: Uint8Array;
  try {
    binary = await readFile(join(dirname(path), file));
  } catch (error) {
    throw new ConfigurationError("INVALID_MODEL", `${path}: cannot read its arrays file ${file}`, { cause: error });
  }
  return unpackModel(json, binary, path);
}

/** Writes a model as `path` (JSON) and its binary file beside it; the binary first, so a JSON never names a file not yet written. */
export async function writeModelFile(path: string, artifact: object): Promise<void> {
  const { json, binary } = packModel(artifact, binaryFileOf(path));
  await writeFile(join(dirname(path), binaryFileOf(path)), binary);
  await writeFile(path, `${JSON.stringify(json)}\n`);
}
