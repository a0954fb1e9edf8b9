import { readRootCauseModel } from "../../lib/root-cause/chain-model.ts";
import { words } from "../../lib/text/tokenize.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClassifier, REPO_MODELS_DIR } from "../../lib/adapters/runtime.ts";
import type { Classifier } from "../../lib/classify/classifier.ts";
import { parseConfig } from "../../lib/config.ts";
import { pseudonymise } from "../../lib/contact/identity.ts";
import { InputError } from "../../lib/errors.ts";
import { parseCtrObject } from "../../lib/formats/ctr.ts";
import { decodeText } from "../../lib/formats/decode.ts";
import { detectFormat, parseTranscript } from "../../lib/formats/parse-transcript.ts";
import { describeContact, type IngestOutcome } from "../../lib/use-cases/ingest-object.ts";
import { toContactLens, toPlainText, type Envelope } from "../support/convert-formats.ts";
import { envelope as goodEnvelope, startLocalStack, type LocalStack } from "../support/local-stack.ts";

/**
 * Fuzzing the ingest path (SPEC 2.6: bad input is quarantined, never dropped, and never stops the
 * batch). Valid seed files of every format — envelopes, Contact Lens, Transcribe standard and Call
 * Analytics, contact trace records, plain text, with their S3 metadata — are mutated by fast-check:
 * truncated, bit-flipped, given random bytes, fields of the wrong JSON type or removed, 10,000
 * levels of nesting, re-encoded as UTF-16 (with and without BOM), emptied, their metadata dropped
 * or garbled, and uploaded under keys with spaces, symbols and Unicode. Huge strings go in once
 * each: a 3 MB customer turn, a 5.7 MB file (over the 5 MB limit) and a 1 MB queue name.
 *
 * 1. Through the servers: each run uploads a batch of mutants and three good files to the embedded
 *    S3 (tests/support/local-stack.ts); the bucket's notifications drive the real ingest handler.
 *    Every upload must end with an outcome — `ok` (and the contact is stored), `quarantined` with
 *    an error naming the object key (and the field, for SCHEMA_VIOLATION / MISSING_CUSTOMER_ID),
 *    or a CTR-join status: `ctr` (a contact trace record was stored), `waiting` (a Contact Lens
 *    file held for its CTR), `superseded` (an original whose redacted twin is the contact). No
 *    outcome means the handler threw and the message was retried and dead-lettered: a bug, since
 *    nothing here is an infrastructure fault. Every good file of the batch must be stored.
 * 2. Through the parsers: many more mutants of the same kind straight into the pure part of the
 *    ingest path (detect → parse → pseudonymise → classify), which must either succeed or throw an
 *    InputError that names the key (and the field). Cheap, so it sees thousands more shapes.
 *
 * About 30 ms of CPU per object through s3rver and dynalite (one core) bounds tier 1; defaults keep
 * the whole file under a minute. RECONTACT_FUZZ_RUNS=n runs n batches of 50 through the servers and
 * n × 300 files through the parsers (default 16); RECONTACT_FUZZ_SEED replays a run.
 */

const ROOT = new URL("../../", import.meta.url).pathname;
const RUNS = Math.max(1, Number(process.env.RECONTACT_FUZZ_RUNS ?? 16));
const BATCH = 50;
const PURE_RUNS = RUNS * 300;
const SEED = Number(process.env.RECONTACT_FUZZ_SEED ?? Date.now() % 2 ** 31);
const DEEP = 10_000;
const TERMINAL_OR_DOCUMENTED = new Set<IngestOutcome["status"]>(["ok", "quarantined", "ctr", "waiting", "superseded"]);
const FIELD_REQUIRED = new Set(["SCHEMA_VIOLATION", "MISSING_CUSTOMER_ID"]);

// ---------------------------------------------------------------------------------------------
// Seeds: valid files from the fixtures, with their metadata

type SeedBody = { kind: "json"; value: unknown } | { kind: "json-seq"; values: unknown[]; separator: string } | { kind: "text"; text: string };
interface Seed {
  name: string;
  /** Where under the upload prefix it goes: the tail of the key the parsers may read (e.g. Analysis/Voice/…). */
  tail: string;
  prefix: "transcripts/" | "analysis/" | "ctr/";
  body: SeedBody;
  meta: Record<string, string>;
}

function fixture(path: string, prefix: Seed["prefix"] = "transcripts/", tail?: string): Seed {
  const full = join(ROOT, path);
  const text = readFileSync(full, "utf8");
  let meta: Record<string, string> = {};
  try {
    meta = JSON.parse(readFileSync(`${full}.meta.json`, "utf8")) as Record<string, string>;
  } catch {
    // no sidecar (envelopes, CTRs)
  }
  let body: SeedBody;
  try {
    body = { kind: "json", value: JSON.parse(text) };
  } catch {
    // Firehose concatenates records with or without a newline between them.
    const separator = text.includes("}\n{") ? "\n" : "";
    body = text.trimStart().startsWith("{") ? { kind: "json-seq", values: splitConcatenated(text), separator } : { kind: "text", text };
  }
  return { name: path, tail: tail ?? path.slice(path.lastIndexOf("/") + 1), prefix, body, meta };
}

/** `{…}{…}` → values: the records of a Firehose object (the fixtures are well-formed). */
function splitConcatenated(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth++ === 0) start = i;
    } else if (ch === "}" && --depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
  }
  return values;
}

/** The parsed JSON of the seed whose fixture path ends with `suffix`. */
function seedJson<T>(suffix: string): T {
  const seed = SEEDS.find((s) => s.name.endsWith(suffix));
  if (!seed || seed.body.kind !== "json") throw new Error(`no JSON seed ${suffix}`);
  return seed.body.value as T;
}

const F = "tests/fixtures/formats";
const SEEDS: Seed[] = [
  fixture("samples/demo/c-0005.json"),
  fixture("samples/demo/c-0002.json"),
  fixture("samples/demo/c-0020.json"),
  fixture("samples/demo/c-0051.json"),
  fixture("samples/demo/c-0028.json"),
  fixture(`${F}/real/Analysis/Voice/2022/06/22/7c77422d-f9ba-4111-ad48-b2f5dadf854a_analysis_2022-06-22T17:00:12Z.json`, "analysis/", "Analysis/Voice/2022/06/22/7c77422d-f9ba-4111-ad48-b2f5dadf854a_analysis_2022-06-22T17:00:12Z.json"),
  fixture(`${F}/real/Analysis/Chat/2022/10/27/b49644f6-672f-445c-b209-f76b36482830_analysis_2022-10-27T03:34:43Z.json`, "analysis/", "Analysis/Chat/2022/10/27/b49644f6-672f-445c-b209-f76b36482830_analysis_2022-10-27T03:34:43Z.json"),
  fixture(
    `${F}/docs/contact-lens/Analysis/Voice/Redacted/2019/03/22/11111111-1111-1111-1111-11111111111_analysis_redacted_2019-03-22T23:40:00Z.json`,
    "analysis/",
    "Analysis/Voice/Redacted/2019/03/22/11111111-1111-1111-1111-11111111111_analysis_redacted_2019-03-22T23:40:00Z.json",
  ),
  fixture(
    `${F}/docs/contact-lens/Analysis/Voice/2020/02/04/1d0c1100-0000-4000-8000-000000000121_analysis_2020-02-04T21:14:16Z.json`,
    "transcripts/",
    "Analysis/Voice/2020/02/04/1d0c1100-0000-4000-8000-000000000121_analysis_2020-02-04T21:14:16Z.json",
  ),
  fixture(
    `${F}/docs/contact-lens/Analysis/Voice/2022/11/07/1d0c1100-0000-4000-8000-000000000122_analysis_2022-11-07T22:10:04Z.json`,
    "analysis/",
    "Analysis/Voice/2022/11/07/1d0c1100-0000-4000-8000-000000000122_analysis_2022-11-07T22:10:04Z.json",
  ),
  fixture(`${F}/docs/transcribe/alternatives/my-first-transcription-job.json`),
  fixture(`${F}/real/transcripts/transcribe/docs-speaker-partitioning/my-first-transcription-job.json`),
  fixture(`${F}/real/transcripts/transcribe/docs-channel-identification/my-first-transcription-job.json`),
  fixture(`${F}/real/transcripts/call-analytics/2022/example-call.wav.json`),
  fixture(`${F}/docs/ctr/2024/05/13/10/recontact-ctr-1-2024-05-13-10-15-42-6f1c3c1e-5f43-4a8b-9a3e-0d7a1e2b3c4d`, "ctr/"),
  fixture(`${F}/docs/ctr/2024/05/13/11/recontact-ctr-1-2024-05-13-11-20-03-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`, "ctr/"),
  fixture(`${F}/docs/ctr/exports/ctr-array.json`, "ctr/"),
  ...["ar-refund", "en-billing", "en-short", "fa-password", "ko-cancel", "nl-factuur", "zh-delivery"].map((n) => fixture(`${F}/docs/plain-text/${n}.txt`)),
];

// ---------------------------------------------------------------------------------------------
// Mutation plans: small, printable descriptions; the bytes are derived from them

/** `focus`: pick among the fields the parsers read (KNOWN_FIELDS) rather than any node. */
type JsonOp =
  | { kind: "wrong-type"; at: number; value: number; focus: boolean }
  | { kind: "odd-value"; at: number; value: number; focus: boolean }
  | { kind: "delete"; at: number; focus: boolean }
  | { kind: "deep"; at: number; shape: "array" | "object"; focus: boolean };
type ByteOp = { kind: "truncate"; at: number } | { kind: "flip"; at: number; bit: number } | { kind: "insert"; at: number; bytes: number[] };
type Encoding = "utf16le-bom" | "utf16be-bom" | "utf16le-no-bom";
type MetaOp = { kind: "drop"; name: string } | { kind: "set"; name: string; value: string };
type KeyStyle = "plain" | "spaces" | "unicode" | "symbols";
interface Plan {
  seed: number;
  json: JsonOp[];
  bytes: ByteOp[];
  encoding: Encoding | undefined;
  meta: MetaOp | undefined;
  key: KeyStyle;
  empty: boolean;
}

const META_NAMES = ["customer-id", "contact-id", "started-at", "channel", "agent-speaker", "customer-channel", "agent-channel"];
const position = fc.nat({ max: 2 ** 31 - 1 });
const focus = fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("wrong-type" as const), at: position, value: fc.nat({ max: 63 }), focus }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("odd-value" as const), at: position, value: fc.nat({ max: 63 }), focus }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: position, focus }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deep" as const), at: position, shape: fc.constantFrom("array" as const, "object" as const), focus }) },
);
/** Bytes that matter to JSON and to line-based text, or any byte. */
const SIGNIFICANT = [...new TextEncoder().encode('{}[]":,\\ \n\r\t0-.eé:：')];
const insertByte = fc.oneof(fc.constantFrom(...SIGNIFICANT), fc.nat({ max: 255 }));
const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({ kind: fc.constant("flip" as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: position, bytes: fc.array(insertByte, { minLength: 1, maxLength: 8 }) }),
);
const planArb: fc.Arbitrary<Plan> = fc
  .record({
    seed: fc.nat({ max: SEEDS.length - 1 }),
    json: fc.oneof({ weight: 1, arbitrary: fc.constant([] as JsonOp[]) }, { weight: 2, arbitrary: fc.array(jsonOp, { minLength: 1, maxLength: 3 }) }),
    bytes: fc.oneof({ weight: 2, arbitrary: fc.constant([] as ByteOp[]) }, { weight: 1, arbitrary: fc.array(byteOp, { minLength: 1, maxLength: 3 }) }),
    encoding: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom<Encoding>("utf16le-bom", "utf16be-bom", "utf16le-no-bom") }),
    meta: fc.oneof(
      { weight: 5, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), name: fc.constantFrom(...META_NAMES) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("set" as const), name: fc.constantFrom(...META_NAMES), value: fc.string({ unit: "grapheme-ascii", maxLength: 24 }) }) },
    ),
    key: fc.constantFrom<KeyStyle>("plain", "plain", "spaces", "unicode", "symbols"),
    empty: fc.oneof({ weight: 49, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .filter((p) => p.empty || p.json.length > 0 || p.bytes.length > 0 || p.encoding !== undefined || p.meta !== undefined);

const KEY_DIRS: Record<KeyStyle, string> = {
  plain: "",
  spaces: "with spaces/ two  spaces and trailing /",
  unicode: "café-ñandú-日本語-대한민국-مرحبا-فارسی-😀-e\u0301/",
  symbols: "a+b%20c&d=e;f@g,h(1)'!$~/",
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every node of a JSON value except the root, depth first, at most `limit`. */
function jsonPaths(value: Json, limit = 4000): Path[] {
  const out: Path[] = [];
  const stack: { v: Json; p: Path }[] = [{ v: value, p: [] }];
  while (stack.length > 0 && out.length < limit) {
    const { v, p } = stack.pop()!;
    if (p.length > 0) out.push(p);
    if (Array.isArray(v)) v.forEach((c, i) => stack.push({ v: c, p: [...p, i] }));
    else if (v !== null && typeof v === "object") for (const [k, c] of Object.entries(v)) stack.push({ v: c, p: [...p, k] });
  }
  return out;
}

/** Fields the parsers read (SPEC 2.1–2.4 and the CTR data model): where mutations matter most. */
const KNOWN_FIELDS = new Set(
  (
    "schema contactId customer id channel startedAt endedAt language agent team queue initiation previousContactId disposition turns speaker text offsetMs " +
    "Version Channel LanguageCode ContentMetadata Output CustomerMetadata ContactId InputS3Uri Participants ParticipantId ParticipantRole DisplayName " +
    "Transcript Content ContentType Type BeginOffsetMillis AbsoluteTime JobName Items " +
    "jobName results language_code items alternatives content type start_time end_time speaker_label channel_label speaker_labels segments channel_labels channels " +
    "InitialContactId PreviousContactId InitiationMethod InitiationTimestamp DisconnectTimestamp LastUpdateTimestamp CustomerEndpoint Address Agent Username " +
    "ConnectedToAgentTimestamp Queue Name EnqueueTimestamp AWSContactTraceRecordFormatVersion"
  ).split(" "),
);

/** Values of the same type as the one they replace, but odd: empty, blank, control characters, far dates, huge numbers. */
const ODD_STRINGS = ["", " ", "\t\n", "\u0000", "\ufeff", "\u202e", "x".repeat(5_000), "2026-02-30T25:61:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999+14:00", "NaN", "null", "+", "@", "00", "+31 6", "é".normalize("NFD"), "𝒳😀", "\\", "</script>"];
const ODD_NUMBERS = [-1, -0, 0, 0.5, 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1e-7];
function oddValue(current: Json, n: number): Json {
  if (typeof current === "string") return ODD_STRINGS[n % ODD_STRINGS.length]!;
  if (typeof current === "number") return ODD_NUMBERS[n % ODD_NUMBERS.length]!;
  if (typeof current === "boolean") return !current;
  if (Array.isArray(current)) return n % 2 === 0 ? [] : [...current, ...current];
  if (current !== null && typeof current === "object") return n % 2 === 0 ? {} : { ...current, ["__proto__"]: { polluted: true }, constructor: "x" };
  return null;
}

const WRONG_VALUES: Json[] = [null, 0, -1, 1.5, 1e308, -0.000001, "", " ", "x", "2026-13-45T99:99:99Z", "not-a-date", true, false, [], {}, ["x"], [null], { x: 1 }, [[[]]], "\u0000", "\ud800", "😀".repeat(50)];
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
const DEEP_MARK = "\u0000__deep__\u0000";

function applyJsonOps(root: Json, ops: readonly JsonOp[]): { value: Json; deep?: "array" | "object" } {
  const value = structuredClone(root);
  let deep: "array" | "object" | undefined;
  for (const op of ops) {
    const all = jsonPaths(value);
    const known = all.filter((p) => p.some((part) => typeof part === "string" && KNOWN_FIELDS.has(part)) && typeof p.at(-1) === "string" && KNOWN_FIELDS.has(p.at(-1) as string));
    const paths = op.focus && known.length > 0 ? known : all;
    if (paths.length === 0) continue;
    const path = paths[op.at % paths.length]!;
    const parent = path.slice(0, -1).reduce<Json>((node, part) => (node as Record<string | number, Json>)[part]!, value) as Record<string | number, Json> | Json[];
    const last = path.at(-1)!;
    if (op.kind === "delete") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last as string];
    } else if (op.kind === "deep") {
      (parent as Record<string | number, Json>)[last] = DEEP_MARK;
      deep = op.shape;
    } else if (op.kind === "odd-value") {
      const current = (parent as Record<string | number, Json>)[last]!;
      (parent as Record<string | number, Json>)[last] = oddValue(current, op.value);
    } else {
      const current = (parent as Record<string | number, Json>)[last];
      const candidates = WRONG_VALUES.filter((v) => typeOf(v) !== typeOf(current));
      (parent as Record<string | number, Json>)[last] = candidates[op.value % candidates.length]!;
    }
  }
  return { value, ...(deep ? { deep } : {}) };
}

function nested(shape: "array" | "object", depth = DEEP): string {
  return shape === "array" ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

function serialise(value: Json, deep: "array" | "object" | undefined): string {
  const text = JSON.stringify(value);
  return deep ? text.replace(JSON.stringify(DEEP_MARK), nested(deep)) : text;
}

function encode(text: string, encoding: Encoding | undefined): Uint8Array {
  if (!encoding) return new TextEncoder().encode(text);
  const le = Buffer.from(text, "utf16le");
  if (encoding === "utf16le-no-bom") return le;
  if (encoding === "utf16le-bom") return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
}

function applyByteOps(bytes: Uint8Array, ops: readonly ByteOp[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const op of ops) {
    if (op.kind === "truncate") out = out.subarray(0, out.length === 0 ? 0 : op.at % out.length);
    else if (op.kind === "flip") {
      if (out.length > 0) out[op.at % out.length] = out[op.at % out.length]! ^ (1 << op.bit);
    } else {
      const at = op.at % (out.length + 1);
      out = Buffer.concat([out.subarray(0, at), Buffer.from(op.bytes), out.subarray(at)]);
    }
  }
  return out;
}

interface FuzzFile {
  key: string;
  body: Uint8Array;
  metadata: Record<string, string>;
  /** The plan, or a name for the fixed cases: what a failure report shows. */
  how: string;
}

function buildFile(plan: Plan, keyBase: string): FuzzFile {
  const seed = SEEDS[plan.seed]!;
  let text: string;
  let jsonOps = plan.json;
  let byteOps = plan.bytes;
  if (seed.body.kind === "text") {
    text = seed.body.text;
    // No JSON to mistype in plain text: the same positions cut the text instead.
    byteOps = [...jsonOps.map((op): ByteOp => ({ kind: "truncate", at: op.at })), ...byteOps];
    jsonOps = [];
  } else if (seed.body.kind === "json-seq") {
    const { values, separator } = seed.body;
    const target = (jsonOps[0]?.at ?? 0) % values.length;
    const mutated = values.map((v, i) => (i === target ? applyJsonOps(v as Json, jsonOps) : { value: v as Json }));
    text = mutated.map((m) => serialise(m.value, m.deep)).join(separator);
  } else {
    const m = applyJsonOps(seed.body.value as Json, jsonOps);
    text = serialise(m.value, m.deep);
  }
  const body = plan.empty ? new Uint8Array(0) : applyByteOps(encode(text, plan.encoding), byteOps);
  const metadata = { ...seed.meta };
  if (plan.meta?.kind === "drop") delete metadata[plan.meta.name];
  else if (plan.meta?.kind === "set") metadata[plan.meta.name] = plan.meta.value;
  return { key: `${seed.prefix}${keyBase}/${KEY_DIRS[plan.key]}${seed.tail}`, body, metadata, how: `${seed.name} ${JSON.stringify({ ...plan, seed: undefined })}` };
}

/** The named edge cases, once: huge strings, deep nesting, UTF-16, zero bytes. */
function fixedCases(): FuzzFile[] {
  const demo = seedJson<Envelope>("c-0005.json");
  const hugeText = "Mijn factuur is veel te hoog deze maand en ik begrijp niet waarom. ".repeat(45_000); // ≈ 3 MB
  const huge = { ...demo, contactId: "fuzz-huge-3mb", turns: [...demo.turns, { speaker: "customer", text: hugeText, offsetMs: 999_000 }] };
  const transcribe = SEEDS.find((s) => s.name.endsWith("alternatives/my-first-transcription-job.json"))!;
  const oversized = structuredClone(seedJson<{ results: { transcripts: { transcript: string }[] } }>("alternatives/my-first-transcription-job.json"));
  oversized.results.transcripts[0]!.transcript = "x".repeat(5_700_000); // over the 5 MB default limit
  const envelopeText = JSON.stringify({ ...demo, contactId: "fuzz-utf16" });
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  return [
    { key: "transcripts/fuzz/fixed/huge 3 MB.json", body: json(huge), metadata: {}, how: "envelope with a 3 MB customer turn" },
    { key: "transcripts/fuzz/fixed/oversized 5.7 MB.json", body: json(oversized), metadata: transcribe.meta, how: "Transcribe output with a 5.7 MB transcript (over the limit)" },
    { key: "transcripts/fuzz/fixed/deep-array.json", body: new TextEncoder().encode(nested("array")), metadata: {}, how: "10,000 nested arrays" },
    {
      key: "transcripts/fuzz/fixed/deep-in-envelope.json",
      body: new TextEncoder().encode(JSON.stringify({ ...demo, contactId: "fuzz-deep" }).replace(/}$/, `,"extra":${nested("object")}}`)),
      metadata: {},
      how: "valid envelope with an unknown field nested 10,000 levels",
    },
    { key: "transcripts/fuzz/fixed/deep-turns.json", body: new TextEncoder().encode(JSON.stringify({ ...demo, contactId: "fuzz-deep-turns", turns: "DEEP" }).replace('"DEEP"', nested("array"))), metadata: {}, how: "envelope whose turns are 10,000 nested arrays" },
    { key: "ctr/fuzz/fixed/deep-ctr", body: new TextEncoder().encode(`{"ContactId":"x","InitiationMethod":"INBOUND","Attributes":${nested("object")}}`), metadata: {}, how: "CTR with attributes nested 10,000 levels" },
    { key: "transcripts/fuzz/fixed/utf16le.json", body: encode(envelopeText, "utf16le-bom"), metadata: {}, how: "valid envelope in UTF-16LE with BOM" },
    { key: "transcripts/fuzz/fixed/utf16be.json", body: encode(envelopeText.replace("fuzz-utf16", "fuzz-utf16be"), "utf16be-bom"), metadata: {}, how: "valid envelope in UTF-16BE with BOM" },
    { key: "transcripts/fuzz/fixed/zero bytes.json", body: new Uint8Array(0), metadata: {}, how: "zero-byte object" },
    { key: "ctr/fuzz/fixed/zero", body: new Uint8Array(0), metadata: {}, how: "zero-byte CTR object" },
  ];
}

/** Good files that must be stored whatever happens around them. */
function goodFiles(run: number): { file: FuzzFile; contactId: string }[] {
  const demo = seedJson<Envelope>("c-0020.json");
  const id = (kind: string) => `good-${SEED}-${run}-${kind}`;
  const phone = (n: number) => `+31 6 ${String(10_000_000 + ((SEED + run * 3 + n) % 89_999_999)).padStart(8, "0")}`;
  const env = goodEnvelope({ contactId: id("env"), customerId: phone(0), startedAt: "2026-11-16T09:00:00Z", text: "I was charged twice on my last invoice." });
  const txt = toPlainText({ ...demo, contactId: id("txt"), customer: { id: phone(1) } }, demo.language!);
  const lens = toContactLens({ ...seedJson<Envelope>("c-0005.json"), contactId: id("lens"), customer: { id: phone(2) } }, { version: "VOICE-2022-11-30" });
  const utf8 = (s: string) => new TextEncoder().encode(s);
  return [
    { contactId: id("env"), file: { key: `transcripts/good/${run}/${id("env")}.json`, body: utf8(env), metadata: {}, how: "good envelope" } },
    { contactId: id("txt"), file: { key: `transcripts/good/${run}/${txt.key}`, body: utf8(txt.body), metadata: txt.meta!, how: "good plain text" } },
    { contactId: id("lens"), file: { key: `analysis/good/${run}/${lens.key}`, body: utf8(lens.body), metadata: lens.meta!, how: "good Contact Lens" } },
  ];
}

// ---------------------------------------------------------------------------------------------

const rootCauseModel = await readRootCauseModel(join(REPO_MODELS_DIR, "root-cause", "model.json"));

describe("ingest fuzzing: mutated files of every format never crash ingest and never block good files", () => {
  let stack: LocalStack;
  const unhandled: unknown[] = [];
  const onUnhandled = (error: unknown) => void unhandled.push(error);

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
    stack = await startLocalStack();
  });

  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
    await stack?.stop();
  });

  /** Deliveries so far: `settle` counts every notification since the stack started. */
  let delivered = 0;

  /** Why an upload's outcome breaks the contract (empty when it keeps it); `tally` counts outcomes. */
  async function checkOutcome(file: FuzzFile, tally?: Map<string, number>): Promise<string[]> {
    const outcome = stack.outcomes.get(file.key)?.at(-1);
    const where = `${JSON.stringify(file.key.length > 200 ? `${file.key.slice(0, 200)}…` : file.key)} (${file.how.slice(0, 300)})`;
    if (!outcome) return [`${where}: no outcome — the handler threw on every delivery (dead-lettered)`];
    const label = outcome.status === "quarantined" ? outcome.code : outcome.status;
    tally?.set(label, (tally.get(label) ?? 0) + 1);
    if (!TERMINAL_OR_DOCUMENTED.has(outcome.status)) return [`${where}: status ${outcome.status} ${JSON.stringify(outcome)}`];
    const problems: string[] = [];
    if (outcome.status === "quarantined") {
      if (!outcome.error.includes(file.key)) problems.push(`${where}: quarantine error does not name the key: ${outcome.error.slice(0, 300)}`);
      if (FIELD_REQUIRED.has(outcome.code)) {
        const field = outcome.record.field;
        if (!field) problems.push(`${where}: ${outcome.code} without a field: ${outcome.error.slice(0, 300)}`);
        else if (!outcome.error.includes(field)) problems.push(`${where}: ${outcome.code} error does not name its field ${field}: ${outcome.error.slice(0, 300)}`);
      }
    }
    if (outcome.status === "ok" && !(await stack.runtime.contacts.getContact(outcome.contactId))) {
      problems.push(`${where}: ok, but contact ${outcome.contactId} is not stored`);
    }
    return problems;
  }

  /** Uploads files concurrently, waits until every notification is handled; returns what was uploaded. */
  async function uploadAll(files: readonly FuzzFile[], violations: string[]): Promise<FuzzFile[]> {
    const uploads = await Promise.allSettled(files.map((f) => stack.upload(f.key, f.body, f.metadata)));
    uploads.forEach((u, i) => {
      if (u.status === "rejected") violations.push(`${JSON.stringify(files[i]!.key)}: the test could not upload it (${String(u.reason).slice(0, 200)})`);
    });
    const uploaded = files.filter((_, i) => uploads[i]!.status === "fulfilled");
    delivered += uploaded.length;
    await stack.settle(delivered);
    return uploaded;
  }

  it("through the local S3 and DynamoDB: every upload ends ok, quarantined (naming key and field) or in a CTR-join state", async () => {
    const violations: string[] = [];
    const tally = new Map<string, number>();
    let mutants = 0;
    let goods = 0;

    const runBatch = async (files: FuzzFile[], good: { file: FuzzFile; contactId: string }[]) => {
      // Good files in the middle of the batch, uploaded concurrently with the mutants.
      const half = Math.floor(files.length / 2);
      const uploaded = await uploadAll([...files.slice(0, half), ...good.map((g) => g.file), ...files.slice(half)], violations);
      for (const f of uploaded) violations.push(...(await checkOutcome(f, tally)));
      for (const g of good) {
        const stored = await stack.runtime.contacts.getContact(g.contactId);
        if (!stored) violations.push(`${g.file.key} (${g.file.how}): a good file in a fuzzed batch was not stored: ${JSON.stringify(stack.outcomes.get(g.file.key))}`);
        else if (stored.sourceKey !== g.file.key) violations.push(`${g.file.key}: contact ${g.contactId} stored from ${stored.sourceKey}`);
      }
      mutants += files.length;
      goods += good.length;
    };

    await runBatch(fixedCases(), goodFiles(-1));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(planArb, { minLength: BATCH, maxLength: BATCH }), async (plans) => {
        const r = run++;
        await runBatch(plans.map((p, i) => buildFile(p, `fuzz/${SEED}/${r}/${i}`)), goodFiles(r));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );

    const outcomes = [...tally].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(`ingest fuzz (seed ${SEED}): ${mutants} mutated files and ${goods} good files through the local S3/DynamoDB ingest path (${outcomes})`);
    expect(unhandled.map(String)).toEqual([]);
    expect(violations).toEqual([]);
  });

  // SPEC 2.6: bad input is quarantined; only infrastructure faults are retried and dead-lettered.
  // A contact id longer than DynamoDB allows in a key (sort key ≤ 1024 bytes, partition key ≤ 2048)
  // or stored fields larger than an item (400 KB) are input problems, which no retry can fix.
  it("inputs beyond DynamoDB's key and item limits are quarantined, not retried into the dead-letter queue", async () => {
    const demo = seedJson<Envelope>("c-0005.json");
    const transcribe = SEEDS.find((s) => s.name.endsWith("alternatives/my-first-transcription-job.json"))!;
    const ctr = seedJson<Record<string, unknown>[]>("ctr-array.json")[0]!;
    const utf8 = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
    const lens = toContactLens({ ...demo, contactId: "L".repeat(1_100) }, { version: "VOICE-2022-11-30" });
    const files: FuzzFile[] = [
      { key: "transcripts/limits/long-contact-id.json", body: utf8({ ...demo, contactId: "c".repeat(1_100) }), metadata: {}, how: "envelope, contactId of 1,100 characters" },
      { key: "transcripts/limits/huge-queue.json", body: utf8({ ...demo, contactId: "limits-huge-queue", queue: "q".repeat(1_000_000) }), metadata: {}, how: "envelope, queue name of 1 MB" },
      { key: "transcripts/limits/transcribe-long-id.json", body: utf8(seedJson("alternatives/my-first-transcription-job.json")), metadata: { ...transcribe.meta, "contact-id": "t".repeat(1_100) }, how: "Transcribe output, contact-id metadata of 1,100 characters" },
      { key: "transcripts/limits/contact-lens-long-id.json", body: utf8(lens.body), metadata: lens.meta!, how: "Contact Lens, CustomerMetadata.ContactId of 1,100 characters" },
      { key: "ctr/limits/long-contact-id", body: utf8({ ...ctr, ContactId: "r".repeat(2_100) }), metadata: {}, how: "CTR, ContactId of 2,100 characters" },
    ];
    const violations: string[] = [];
    const uploaded = await uploadAll(files, violations);
    for (const f of uploaded) violations.push(...(await checkOutcome(f)));
    for (const f of uploaded) {
      const outcome = stack.outcomes.get(f.key)?.at(-1);
      if (outcome && outcome.status !== "quarantined") violations.push(`${f.key} (${f.how}): ${outcome.status}, not quarantined`);
    }
    expect(violations).toEqual([]);
  });

  // Found by this fuzz test: natural's English Porter stemmer (lib/text/tokenize.ts `stem`) is
  // quadratic in the length of a word: a 100,000-letter "word" in a customer turn took ~40 s to
  // classify, and a 1 MB one (well under the 5 MB limit) would outlast any Lambda timeout.
  it("classifies a transcript with a 30,000-letter word without handing that word to the stemmer", async () => {
    // The English stemmer is quadratic in the word's length (a 100,000-letter word took ~39 s):
    // tokens are capped, so what reaches it is bounded. Checked structurally, not by the clock.
    const config = parseConfig({});
    const classifier = await loadClassifier(join(REPO_MODELS_DIR, "reason", "model.json"));
    const demo = seedJson<Envelope>("c-0005.json");
    const word = `${"x".repeat(30_000)}${"qz".repeat(SEED % 11)}`;
    expect(Math.max(...words(`My bill ${word} is wrong`).map((w) => w.length))).toBeLessThanOrEqual(64);
    const body = new TextEncoder().encode(JSON.stringify({ ...demo, language: "en", turns: [{ speaker: "customer", text: `My bill ${word} is wrong` }] }));
    const contact = pseudonymise(parseTranscript({ key: "transcripts/long-word.json", body, metadata: {} }), "fuzz-secret-0123456789");
    const record = describeContact(contact, { config, reasonClassifier: classifier, rootCauseModel, clock: () => new Date("2026-12-31T00:00:00Z") });
    expect(classifier.labels).toContain(record.reason);
  });

  it("through the parsers: mutants either parse, pseudonymise and classify, or fail with an InputError naming key and field", async () => {
    const config = parseConfig({});
    const classifier: Classifier = await loadClassifier(join(REPO_MODELS_DIR, "reason", "model.json"));
    const violations: string[] = [];
    const tally = new Map<string, number>();
    const count = (label: string) => tally.set(label, (tally.get(label) ?? 0) + 1);
    let files = 0;
    fc.assert(
      fc.property(planArb, fc.nat(), (plan, n) => {
        const file = buildFile(plan, `fuzz/pure/${n}`);
        files++;
        if (file.body.length > config.maxObjectBytes) return void count("OVERSIZED");
        const source = { key: file.key, body: file.body, metadata: file.metadata };
        try {
          if (detectFormat(source) === "ctr") {
            parseCtrObject(decodeText(file.body, file.key), file.key);
            return void count("ctr");
          }
          const contact = pseudonymise(parseTranscript(source), "fuzz-secret-0123456789", config.defaultCountry);
          describeContact(contact, { config, reasonClassifier: classifier, rootCauseModel, clock: () => new Date("2026-12-31T00:00:00Z") });
          count("ok");
        } catch (error) {
          count(error instanceof InputError ? error.code : "crash");
          const where = `${JSON.stringify(file.key)} (${file.how.slice(0, 300)})`;
          if (!(error instanceof InputError)) return void violations.push(`${where}: threw ${String(error).slice(0, 300)}`);
          if (!error.message.includes(file.key)) violations.push(`${where}: ${error.code} does not name the key: ${error.message.slice(0, 300)}`);
          if (FIELD_REQUIRED.has(error.code) && !error.field) violations.push(`${where}: ${error.code} without a field: ${error.message.slice(0, 300)}`);
        }
      }),
      { numRuns: PURE_RUNS, seed: SEED },
    );
    const outcomes = [...tally].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
    console.log(`ingest fuzz (seed ${SEED}): ${files} mutated files through detect → parse → pseudonymise → classify (${outcomes})`);
    expect(violations).toEqual([]);
  });
});
