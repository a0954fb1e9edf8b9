import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ChannelSchema } from "../config.ts";
import { scorePredictions } from "../classify/evaluate.ts";
import { softmaxInPlace, Vectoriser, type SparseVector } from "../classify/linear-model.ts";
import { decodeFloat32, encodeFloat32, MetricsSchema } from "../classify/model-artifact.ts";
import { seededRandom, shuffleInPlace } from "../classify/random.ts";
import { trainOneVsRest } from "../classify/svm.ts";
import { ROOT_CAUSES, RootCauseSchema, type ChainAttribution, type Evidence, type RootCause } from "../contact/contact-record.ts";
import { SPEAKERS, type Turn } from "../contact/contact.ts";
import { ConfigurationError } from "../errors.ts";
import { FeatureSettingsSchema, type FeatureSettings } from "../text/features.ts";
import { normaliseText } from "../text/normalise.ts";
import { words } from "../text/tokenize.ts";
import { redact } from "../text/redact.ts";
import { buildVocabulary, concatBlocks, contactTermCounts, sentenceTerms, type SentenceTerms } from "./chain-features.ts";

/**
 * The root-cause model of SPEC 3.2: a linear model over a chain's contacts that is ADDITIVE, so the
 * ingest path reads each transcript once. A contact becomes, when it is ingested, a summary of 8
 * partial scores (its contribution to each cause's score as a failed contact and as the repeat) and
 * a few redacted candidate evidence sentences; a chain is attributed from the summaries alone:
 *   scores = b + Σ_failed s_f(c) + s_r(repeat),  probabilities = softmax(scores / T).
 */

export const ROOT_CAUSE_MODEL_FORMAT = "recontact.root-cause-model/v1";
export const ROOT_CAUSE_TASK = "root_cause";
const MAX_QUOTE = 300;
const MAX_CANDIDATES = 4;
const MAX_EVIDENCE = 4;

// --- training data ------------------------------------------------------------------------------

const DataContactSchema = z.object({
  contactId: z.string().min(1),
  startedAt: z.string(),
  channel: ChannelSchema,
  agent: z.object({ id: z.string().min(1), team: z.string().optional() }).nullable(),
  disposition: z.enum(["completed", "abandoned"]),
  turns: z.array(z.object({ speaker: z.enum(SPEAKERS), text: z.string() })),
});

/** One line of data/root-causes/*.jsonl: a repeat chain; the last contact is the repeat. */
export const RootCauseChainSchema = z.object({
  id: z.string().min(1),
  lang: z.string().min(2),
  industry: z.string(),
  reason: z.string(),
  cause: RootCauseSchema,
  split: z.enum(["train", "test"]),
  contacts: z.array(DataContactSchema).min(2),
  evidence: z.array(z.object({ contact: z.number().int().nonnegative(), turn: z.number().int().nonnegative(), text: z.string().min(1) })),
});
export type RootCauseChain = z.infer<typeof RootCauseChainSchema>;

export interface RootCauseData {
  chains: RootCauseChain[];
  sha256: string;
  sources: string[];
}

/** Reads chain files (JSON lines); the hash covers the files' bytes in the order given. */
export async function readRootCauseChains(paths: readonly string[]): Promise<RootCauseData> {
  const hash = createHash("sha256");
  const chains: RootCauseChain[] = [];
  for (const path of paths) {
    const text = await readFile(path, "utf8").catch((error: unknown) => {
      throw new ConfigurationError("INVALID_CONFIG", `${path}: cannot read the data file`, { cause: error });
    });
    hash.update(text);
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw new ConfigurationError("INVALID_CONFIG", `${path}:${i + 1}: not a JSON line`, { cause: error });
      }
      const parsed = RootCauseChainSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ConfigurationError("INVALID_CONFIG", `${path}:${i + 1} (${issue.path.join(".")}): ${issue.message}`);
      }
      chains.push(parsed.data);
    });
  }
  return { chains, sha256: hash.digest("hex"), sources: [...paths] };
}

// --- artifact -----------------------------------------------------------------------------------

const Float32Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64");

export const RootCauseMetricsSchema = MetricsSchema.extend({
  perLanguage: z.record(z.string(), z.object({ accuracy: z.number(), macroF1: z.number(), n: z.number().int() })),
  /** confusion[gold][predicted] = chains. */
  confusion: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** Share of correctly attributed chains with an annotated evidence span in the returned evidence. */
  evidenceHitRate: z.number().nullable(),
});
export type RootCauseMetrics = z.infer<typeof RootCauseMetricsSchema>;

export const RootCauseTrainingSettingsSchema = z.object({
  /** The SVMs' C. */
  c: z.number().positive().default(1),
  seed: z.number().int().default(13),
  /** A term is kept when it occurs in at least this many training contacts. */
  minDocumentFrequency: z.number().int().positive().default(2),
  /**
   * A third block of weights shared by both roles (a cue counts wherever it occurs), learnt with
   * the role blocks and folded into them on export, so inference stays f| ⊕ r|.
   */
  sharedBlock: z.boolean().default(true),
  /** Folds over training chains whose out-of-fold scores fit the temperature. */
  calibrationFolds: z.number().int().min(2).default(5),
  /** Which role's weights rank a contact's candidate evidence sentences: the larger of the two, or their mean. */
  evidenceRole: z.enum(["max", "mean", "repeat", "failed"]).default("max"),
  features: FeatureSettingsSchema.default({ wordNgrams: 2, charNgramMin: 2, charNgramMax: 5, stemming: true }),
  /** Also train on the annotated evidence spans alone, as short examples of their cause (× this many). */
  spanExamples: z.number().int().nonnegative().default(1),
  /** Also train on this share of the other sentences as examples of no cause (negative for every cause). */
  backgroundShare: z.number().min(0).max(1).default(0),
  /** Add the cross-language cue-concept features of chain-features.ts ("a:@approval"). */
  concepts: z.boolean().default(true),
  /** Their idf is multiplied by this: a handful of concept features against thousands of n-grams. */
  conceptWeight: z.number().positive().default(3),
  /** Feature scale of the failed, repeat and shared blocks while training (a per-block regularisation). */
  blockScale: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).default([1, 1, 1]),
  svmEpochs: z.number().int().positive().default(100),
  svmTolerance: z.number().positive().default(0.1),
});
export type RootCauseTrainingSettings = z.infer<typeof RootCauseTrainingSettingsSchema>;

/**
 * A root-cause model is data, like the reason model: one JSON file with its manifest and weights,
 * validated on load. Weights are float32, row-major (term × cause), one matrix per role.
 */
export const RootCauseModelArtifactSchema = z
  .object({
    format: z.literal(ROOT_CAUSE_MODEL_FORMAT),
    task: z.literal(ROOT_CAUSE_TASK),
    algorithm: z.literal("linear-svm-ovr-additive"),
    version: z.string().min(1),
    created: z.string(),
    labels: z.array(RootCauseSchema).length(ROOT_CAUSES.length),
    features: FeatureSettingsSchema,
    vocabulary: z.array(z.string()),
    idf: Float32Base64,
    failedWeights: Float32Base64,
    repeatWeights: Float32Base64,
    bias: z.array(z.number()),
    temperature: z.number().positive(),
    evidenceRole: z.enum(["max", "mean", "repeat", "failed"]),
    /** Whether contacts carry the cue-concept features (their weight is in the idf). */
    concepts: z.boolean(),
    manifest: z.object({
      trainingData: z.object({ sha256: z.string(), chains: z.number().int(), contacts: z.number().int(), sources: z.array(z.string()) }),
      trainingSettings: z.record(z.string(), z.unknown()),
      metrics: z.object({
        crossValidation: RootCauseMetricsSchema.nullable(),
        heldOut: RootCauseMetricsSchema.nullable(),
        heldOutName: z.string().nullable(),
      }),
    }),
  })
  .superRefine((m, ctx) => {
    const vocab = m.vocabulary.length;
    const K = m.labels.length;
    const floats = (b64: string) => (Buffer.byteLength(b64, "base64") / 4) | 0;
    if (floats(m.idf) !== vocab) ctx.addIssue({ code: "custom", path: ["idf"], message: `expected ${vocab} values` });
    for (const key of ["failedWeights", "repeatWeights"] as const) {
      if (floats(m[key]) !== vocab * K) ctx.addIssue({ code: "custom", path: [key], message: `expected ${vocab * K} values` });
    }
    if (m.bias.length !== K) ctx.addIssue({ code: "custom", path: ["bias"], message: `expected ${K} values` });
    if (new Set(m.labels).size !== K) ctx.addIssue({ code: "custom", path: ["labels"], message: "duplicate labels" });
  });
export type RootCauseModelArtifact = z.infer<typeof RootCauseModelArtifactSchema>;

export function parseRootCauseModel(json: unknown, source: string): RootCauseModelArtifact {
  const result = RootCauseModelArtifactSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigurationError("INVALID_MODEL", `${source}: not a valid root-cause model (${issue.path.join(".") || "root"}: ${issue.message})`);
  }
  return result.data;
}

export async function readRootCauseModel(path: string): Promise<RootCauseModel> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ConfigurationError("INVALID_MODEL", `${path}: cannot read the model file as JSON`, { cause: error });
  }
  return new RootCauseModel(parseRootCauseModel(json, path));
}

// --- per-contact summary ------------------------------------------------------------------------

const PartialScoresSchema = z.array(z.number()).length(ROOT_CAUSES.length);

/**
 * What ingest keeps of one contact for root causes: its partial scores in both roles (in the
 * model's label order) and up to 4 redacted candidate evidence sentences. Bounded: 8 numbers and
 * 4 sentences of ≤ 300 characters, whatever the transcript's length.
 */
export const ContactRootCauseSummarySchema = z.object({
  /** The model version that wrote it: summaries of different versions do not add up. */
  model: z.string().min(1),
  failed: PartialScoresSchema,
  repeat: PartialScoresSchema,
  evidence: z
    .array(
      z.object({
        cause: RootCauseSchema,
        speaker: z.enum(SPEAKERS),
        text: z.string().max(MAX_QUOTE),
        /** The sentence's contribution to the cause's score. */
        weight: z.number(),
      }),
    )
    .max(MAX_CANDIDATES),
});
export type ContactRootCauseSummary = z.infer<typeof ContactRootCauseSummarySchema>;

// --- the loaded model ---------------------------------------------------------------------------

/** Contributions of one contact: its partial scores and each sentence's part in them. */
interface ContactContribution {
  failed: Float64Array;
  repeat: Float64Array;
  sentences: { speaker: Turn["speaker"]; text: string; failed: Float64Array; repeat: Float64Array }[];
}

export class RootCauseModel {
  readonly version: string;
  readonly labels: readonly RootCause[];
  readonly temperature: number;
  private readonly settings: FeatureSettings;
  private readonly vectoriser: Vectoriser;
  private readonly index: Map<string, number>;
  private readonly failedWeights: Float32Array;
  private readonly repeatWeights: Float32Array;
  private readonly bias: Float64Array;
  private readonly evidenceRole: RootCauseModelArtifact["evidenceRole"];
  private readonly concepts: boolean;

  constructor(readonly artifact: RootCauseModelArtifact) {
    this.version = artifact.version;
    this.labels = artifact.labels;
    this.temperature = artifact.temperature;
    this.settings = artifact.features;
    this.index = new Map(artifact.vocabulary.map((term, i) => [term, i]));
    this.vectoriser = new Vectoriser(this.index, decodeFloat32(artifact.idf), artifact.features);
    this.failedWeights = decodeFloat32(artifact.failedWeights);
    this.repeatWeights = decodeFloat32(artifact.repeatWeights);
    this.bias = Float64Array.from(artifact.bias);
    this.evidenceRole = artifact.evidenceRole;
    this.concepts = artifact.concepts;
  }

  /** Reads one contact (once, at ingest) into its bounded summary. Abandoned contacts give zeros. */
  contactSummary(turns: readonly Pick<Turn, "speaker" | "text">[], language: string): ContactRootCauseSummary {
    const contribution = this.contribution(sentenceTerms(turns, language, this.settings, this.concepts));
    const round = (x: number) => Math.round(x * 1e6) / 1e6;
    const evidence: ContactRootCauseSummary["evidence"] = [];
    this.labels.forEach((cause, k) => {
      let best: { speaker: Turn["speaker"]; text: string; weight: number } | undefined;
      for (const s of contribution.sentences) {
        const weight = this.evidenceWeight(s.failed[k]!, s.repeat[k]!);
        if (weight > 0 && (!best || weight > best.weight)) best = { speaker: s.speaker, text: s.text, weight };
      }
      if (best) evidence.push({ cause, speaker: best.speaker, text: redact(best.text).slice(0, MAX_QUOTE), weight: round(best.weight) });
    });
    return {
      model: this.version,
      failed: Array.from(contribution.failed, round),
      repeat: Array.from(contribution.repeat, round),
      evidence: evidence.slice(0, MAX_CANDIDATES),
    };
  }

  /**
   * A chain's root cause from its contacts' summaries alone. Evidence: the candidates of the chosen
   * cause, strongest first; failed agents are named only for knowledge_gap (the agents' knowledge).
   */
  attribute(failed: readonly ContactRootCauseSummary[], repeat: ContactRootCauseSummary, failedAgents: readonly string[]): ChainAttribution {
    const scores = Float64Array.from(this.bias);
    for (const summary of failed) summary.failed.forEach((s, k) => (scores[k]! += s));
    repeat.repeat.forEach((s, k) => (scores[k]! += s));
    const probabilities = this.probabilities(scores);
    let best = 0;
    for (let k = 1; k < probabilities.length; k++) if (probabilities[k]! > probabilities[best]!) best = k;
    const cause = this.labels[best]!;
    const seen = new Set<string>();
    const evidence: Evidence[] = [...failed, repeat]
      .flatMap((s) => s.evidence)
      .filter((e) => e.cause === cause && e.weight > 0)
      .sort((a, b) => b.weight - a.weight)
      .filter((e) => !seen.has(e.text) && seen.add(e.text))
      .slice(0, MAX_EVIDENCE)
      .map(({ speaker, text }) => ({ speaker, text }));
    return {
      rootCause: cause,
      rootCauseConfidence: Math.round(probabilities[best]! * 1000) / 1000,
      rootCauseEvidence: evidence,
      failedAgents: cause === "knowledge_gap" ? [...new Set(failedAgents)] : [],
    };
  }

  /** Calibrated probabilities of raw chain scores, in label order. */
  probabilities(scores: ArrayLike<number>): Float64Array {
    return softmaxInPlace(Float64Array.from(scores), this.temperature);
  }

  /**
   * Raw chain scores computed the direct way, from the chain's feature vector
   * [Σ failed x_c] ⊕ [x_repeat] and the weights [W_f; W_r]. Attribution never does this (it adds
   * summaries); it is here to show that both give the same scores.
   */
  scoreChain(failed: readonly (readonly Pick<Turn, "speaker" | "text">[])[], repeat: readonly Pick<Turn, "speaker" | "text">[], language: string): Float64Array {
    const vector = (turns: readonly Pick<Turn, "speaker" | "text">[]) => this.vectoriser.fromCounts(contactTermCounts(sentenceTerms(turns, language, this.settings, this.concepts)));
    const V = this.index.size;
    const chain = concatBlocks([...failed.map((t) => ({ vector: vector(t), block: 0 })), { vector: vector(repeat), block: 1 }], V);
    const K = this.labels.length;
    const scores = Float64Array.from(this.bias);
    for (let j = 0; j < chain.indices.length; j++) {
      const i = chain.indices[j]!;
      const [weights, row] = i < V ? [this.failedWeights, i] : [this.repeatWeights, i - V];
      for (let k = 0; k < K; k++) scores[k]! += chain.values[j]! * weights[row * K + k]!;
    }
    return scores;
  }

  private evidenceWeight(failed: number, repeat: number): number {
    switch (this.evidenceRole) {
      case "failed":
        return failed;
      case "repeat":
        return repeat;
      case "mean":
        return (failed + repeat) / 2;
      default:
        return Math.max(failed, repeat);
    }
  }

  /**
   * Each sentence's share of the contact's partial scores: a term's value in the contact vector is
   * split over the sentences in proportion to its count there, so the sentences add up to the contact.
   */
  private contribution(parts: readonly SentenceTerms[]): ContactContribution {
    const K = this.labels.length;
    const total = contactTermCounts(parts);
    const x = this.vectoriser.fromCounts(total);
    const value = new Map<number, number>();
    for (let j = 0; j < x.indices.length; j++) value.set(x.indices[j]!, x.values[j]!);
    const failed = new Float64Array(K);
    const repeat = new Float64Array(K);
    const sentences = parts.map(({ speaker, text, counts }) => {
      const f = new Float64Array(K);
      const r = new Float64Array(K);
      for (const [term, n] of counts) {
        const i = this.index.get(term);
        if (i === undefined) continue;
        const v = (value.get(i)! * n) / total.get(term)!;
        for (let k = 0; k < K; k++) {
          f[k]! += v * this.failedWeights[i * K + k]!;
          r[k]! += v * this.repeatWeights[i * K + k]!;
        }
      }
      for (let k = 0; k < K; k++) {
        failed[k]! += f[k]!;
        repeat[k]! += r[k]!;
      }
      return { speaker, text, failed: f, repeat: r };
    });
    return { failed, repeat, sentences };
  }
}

// --- training -----------------------------------------------------------------------------------

export interface TrainRootCauseOptions {
  version: string;
  settings?: Partial<RootCauseTrainingSettings>;
  /** Fixed for a reproducible artifact. */
  now?: Date;
  data?: { sha256: string; sources: string[] };
}

/** Term counts of every contact of every chain, computed once and shared by folds. */
type PreparedChain = {
  chain: RootCauseChain;
  contacts: Map<string, number>[];
  /** The annotated evidence spans: their contact's role (0 failed, 1 repeat) and term counts. */
  spans: { block: number; counts: Map<string, number> }[];
  /** Sentences that hold no evidence span. */
  background: { block: number; counts: Map<string, number> }[];
};

function prepareChains(chains: readonly RootCauseChain[], settings: RootCauseTrainingSettings): PreparedChain[] {
  const { features, concepts } = settings;
  return chains.map((chain) => {
    const last = chain.contacts.length - 1;
    const spans = chain.evidence.map((e) => {
      const turn = chain.contacts[e.contact]!.turns[e.turn]!;
      return { block: e.contact < last ? 0 : 1, counts: contactTermCounts(sentenceTerms([{ speaker: turn.speaker, text: e.text }], chain.lang, features, concepts)) };
    });
    const background = chain.contacts.flatMap((c, i) =>
      sentenceTerms(c.turns, chain.lang, features, concepts)
        .filter((s) => !chain.evidence.some((e) => e.contact === i && (s.text.includes(e.text) || e.text.includes(s.text))))
        .map((s) => ({ block: i < last ? 0 : 1, counts: s.counts })),
    );
    return {
      chain,
      contacts: chain.contacts.map((c) => contactTermCounts(sentenceTerms(c.turns, chain.lang, features, concepts))),
      spans,
      background,
    };
  });
}

interface Fitted {
  vocabulary: string[];
  idf: Float64Array;
  failedWeights: Float32Array;
  repeatWeights: Float32Array;
  bias: Float64Array;
}

/** The SVMs on chain vectors of the given chains; returns the role weights (shared block folded in). */
function fit(prepared: readonly PreparedChain[], settings: RootCauseTrainingSettings): Fitted {
  const K = ROOT_CAUSES.length;
  const { terms, idf } = buildVocabulary(
    prepared.flatMap((p) => p.contacts.filter((c) => c.size > 0)),
    settings.minDocumentFrequency,
  );
  terms.forEach((t, i) => {
    if (t.charAt(2) === "@") idf[i] = Math.fround(idf[i]! * settings.conceptWeight);
  });
  const index = new Map(terms.map((t, i) => [t, i]));
  const vectoriser = new Vectoriser(index, idf, settings.features);
  const V = terms.length;
  const vectors = prepared.map((p) => chainVector(p.contacts.map((c) => vectoriser.fromCounts(c)), V, settings.sharedBlock));
  const targets = prepared.map((p) => ROOT_CAUSES.indexOf(p.chain.cause));
  const sentenceVector = (block: number, counts: Map<string, number>) => {
    const x = vectoriser.fromCounts(counts);
    return concatBlocks(settings.sharedBlock ? [{ vector: x, block }, { vector: x, block: 2 }] : [{ vector: x, block }], V);
  };
  for (let r = 0; r < settings.spanExamples; r++) {
    for (const p of prepared) {
      for (const span of p.spans) {
        vectors.push(sentenceVector(span.block, span.counts));
        targets.push(ROOT_CAUSES.indexOf(p.chain.cause));
      }
    }
  }
  if (settings.backgroundShare > 0) {
    const random = seededRandom(settings.seed + 101);
    for (const p of prepared) {
      for (const b of p.background) {
        if (random() >= settings.backgroundShare) continue;
        vectors.push(sentenceVector(b.block, b.counts));
        targets.push(-1);
      }
    }
  }
  const blocks = settings.sharedBlock ? 3 : 2;
  const scale = settings.blockScale;
  for (const x of vectors) for (let j = 0; j < x.indices.length; j++) x.values[j]! *= scale[Math.floor(x.indices[j]! / V)]!;
  const { weights, bias } = trainOneVsRest(vectors, targets, blocks * V, K, { c: settings.c, epochs: settings.svmEpochs, tolerance: settings.svmTolerance, seed: settings.seed });
  const failedWeights = new Float32Array(V * K);
  const repeatWeights = new Float32Array(V * K);
  for (let i = 0; i < V * K; i++) {
    const shared = settings.sharedBlock ? scale[2] * weights[2 * V * K + i]! : 0;
    failedWeights[i] = scale[0] * weights[i]! + shared;
    repeatWeights[i] = scale[1] * weights[V * K + i]! + shared;
  }
  return { vocabulary: terms, idf, failedWeights, repeatWeights, bias };
}

/** [Σ failed, block 0] ⊕ [repeat, block 1] (⊕ [Σ all, block 2] while training with a shared block). */
function chainVector(contacts: readonly SparseVector[], V: number, shared: boolean): SparseVector {
  const failed = contacts.slice(0, -1);
  const repeat = contacts.at(-1)!;
  const parts = [...failed.map((vector) => ({ vector, block: 0 })), { vector: repeat, block: 1 }];
  if (shared) parts.push(...contacts.map((vector) => ({ vector, block: 2 })));
  return concatBlocks(parts, V);
}

function toArtifact(fitted: Fitted, temperature: number, settings: RootCauseTrainingSettings, options: TrainRootCauseOptions, chains: readonly RootCauseChain[]): RootCauseModelArtifact {
  return {
    format: ROOT_CAUSE_MODEL_FORMAT,
    task: ROOT_CAUSE_TASK,
    algorithm: "linear-svm-ovr-additive",
    version: options.version,
    created: (options.now ?? new Date()).toISOString(),
    labels: [...ROOT_CAUSES],
    features: settings.features,
    vocabulary: fitted.vocabulary,
    idf: encodeFloat32(fitted.idf),
    failedWeights: encodeFloat32(fitted.failedWeights),
    repeatWeights: encodeFloat32(fitted.repeatWeights),
    bias: Array.from(fitted.bias, (b) => Math.fround(b)),
    temperature,
    evidenceRole: settings.evidenceRole,
    concepts: settings.concepts,
    manifest: {
      trainingData: {
        sha256: options.data?.sha256 ?? "",
        chains: chains.length,
        contacts: chains.reduce((n, c) => n + c.contacts.length, 0),
        sources: options.data?.sources ?? [],
      },
      trainingSettings: settings,
      metrics: { crossValidation: null, heldOut: null, heldOutName: null },
    },
  };
}

/** Chain indices per fold: stratified by language × cause, shuffled with the seed. */
export function chainFolds(chains: readonly RootCauseChain[], folds: number, seed: number): number[][] {
  const random = seededRandom(seed);
  const groups = new Map<string, number[]>();
  chains.forEach((c, i) => {
    const key = `${c.lang}|${c.cause}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out: number[][] = Array.from({ length: folds }, () => []);
  let next = 0;
  for (const key of [...groups.keys()].sort()) {
    for (const i of shuffleInPlace(groups.get(key)!, random)) out[next++ % folds]!.push(i);
  }
  return out.map((f) => f.sort((a, b) => a - b));
}

export interface CrossValidation {
  /** Out-of-fold raw scores per chain, in ROOT_CAUSES order. */
  scores: Float64Array[];
  /** Out-of-fold attributions per chain (with the fold model's summaries and the fitted temperature). */
  attributions: ChainAttribution[];
  temperature: number;
}

/**
 * k-fold cross-validation by chain: every chain is scored by a model that never saw it. The
 * out-of-fold scores fit the temperature; the attributions give honest training-set figures.
 */
export function crossValidateRootCause(chains: readonly RootCauseChain[], options: TrainRootCauseOptions, folds = 5): CrossValidation {
  const settings = RootCauseTrainingSettingsSchema.parse(options.settings ?? {});
  const prepared = prepareChains(chains, settings);
  return crossValidatePrepared(prepared, settings, options, folds);
}

function crossValidatePrepared(prepared: readonly PreparedChain[], settings: RootCauseTrainingSettings, options: TrainRootCauseOptions, folds: number): CrossValidation {
  const chains = prepared.map((p) => p.chain);
  const scores: Float64Array[] = new Array(chains.length);
  const models: RootCauseModel[] = new Array(chains.length);
  for (const held of chainFolds(chains, folds, settings.seed)) {
    const heldSet = new Set(held);
    const fitted = fit(prepared.filter((_, i) => !heldSet.has(i)), settings);
    const model = new RootCauseModel(toArtifact(fitted, 1, settings, options, chains));
    for (const i of held) {
      models[i] = model;
      const summaries = summariseChain(model, chains[i]!);
      scores[i] = chainScores(model, summaries);
    }
  }
  const temperature = fitTemperature(scores, chains.map((c) => ROOT_CAUSES.indexOf(c.cause)));
  const attributions = chains.map((chain, i) => {
    const model = models[i]!;
    const calibrated = new RootCauseModel({ ...model.artifact, temperature });
    const summaries = summariseChain(calibrated, chain);
    return calibrated.attribute(summaries.slice(0, -1), summaries.at(-1)!, failedAgentsOf(chain));
  });
  return { scores, attributions, temperature };
}

/** Trains on every chain given; the temperature comes from cross-validation on the same chains. */
export function trainRootCauseModel(chains: readonly RootCauseChain[], options: TrainRootCauseOptions): { artifact: RootCauseModelArtifact; crossValidation: CrossValidation } {
  const settings = RootCauseTrainingSettingsSchema.parse(options.settings ?? {});
  if (new Set(chains.map((c) => c.cause)).size < 2) throw new Error("training data needs chains of at least two causes");
  const prepared = prepareChains(chains, settings);
  const crossValidation = crossValidatePrepared(prepared, settings, options, settings.calibrationFolds);
  const fitted = fit(prepared, settings);
  const artifact = toArtifact(fitted, crossValidation.temperature, settings, options, chains);
  return { artifact, crossValidation };
}

/** The temperature that minimises the negative log-likelihood of out-of-fold scores. */
function fitTemperature(scores: readonly Float64Array[], targets: readonly number[]): number {
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.02; t <= 4.0001; t *= 1.05) {
    let loss = 0;
    scores.forEach((s, n) => {
      const p = softmaxInPlace(Float64Array.from(s), t);
      loss -= Math.log(Math.max(p[targets[n]!]!, 1e-12));
    });
    if (loss < bestLoss) {
      bestLoss = loss;
      best = t;
    }
  }
  return Math.round(best * 1000) / 1000;
}

// --- chains of the data set ---------------------------------------------------------------------

/** Summaries of a data chain's contacts, oldest first (the repeat last). */
export function summariseChain(model: RootCauseModel, chain: RootCauseChain): ContactRootCauseSummary[] {
  return chain.contacts.map((c) => model.contactSummary(c.turns, chain.lang));
}

/** The agents of a chain's failed contacts, oldest first, each once. */
export function failedAgentsOf(chain: RootCauseChain): string[] {
  return [...new Set(chain.contacts.slice(0, -1).flatMap((c) => (c.agent ? [c.agent.id] : [])))];
}

export function attributeDataChain(model: RootCauseModel, chain: RootCauseChain): ChainAttribution {
  const summaries = summariseChain(model, chain);
  return model.attribute(summaries.slice(0, -1), summaries.at(-1)!, failedAgentsOf(chain));
}

function chainScores(model: RootCauseModel, summaries: readonly ContactRootCauseSummary[]): Float64Array {
  const scores = Float64Array.from(model.artifact.bias);
  for (const s of summaries.slice(0, -1)) s.failed.forEach((v, k) => (scores[k]! += v));
  summaries.at(-1)!.repeat.forEach((v, k) => (scores[k]! += v));
  return scores;
}

// --- evaluation ---------------------------------------------------------------------------------

const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Whether an evidence sentence shows an annotated span: it contains the span (after
 * normalisation), or covers ≥ 60% of the span's words (characters for Chinese and Japanese) —
 * spans may run over a sentence end, and the quote is redacted.
 */
export function evidenceMatches(sentence: string, span: string): boolean {
  const s = normaliseText(sentence);
  const t = normaliseText(span).trim();
  if (t.length > 0 && s.includes(t)) return true;
  const units = (text: string) => (UNSPACED.test(text) ? [...text.replace(/[\s\p{P}]/gu, "")] : words(text));
  const spanUnits = units(t);
  if (spanUnits.length === 0) return false;
  const have = new Map<string, number>();
  for (const u of units(s)) have.set(u, (have.get(u) ?? 0) + 1);
  let covered = 0;
  for (const u of spanUnits) {
    const n = have.get(u) ?? 0;
    if (n > 0) {
      covered++;
      have.set(u, n - 1);
    }
  }
  return covered / spanUnits.length >= 0.6;
}

/** Accuracy, macro-F1, per-cause P/R/F1, per language, confusion and evidence hit rate. */
export function scoreAttributions(chains: readonly RootCauseChain[], attributions: readonly ChainAttribution[]): RootCauseMetrics {
  const overall = scorePredictions(
    chains.map((c) => c.cause),
    attributions.map((a) => a.rootCause),
  );
  const perLanguage: RootCauseMetrics["perLanguage"] = {};
  for (const lang of [...new Set(chains.map((c) => c.lang))].sort()) {
    const idx = chains.flatMap((c, i) => (c.lang === lang ? [i] : []));
    const e = scorePredictions(
      idx.map((i) => chains[i]!.cause),
      idx.map((i) => attributions[i]!.rootCause),
    );
    perLanguage[lang] = { accuracy: e.accuracy, macroF1: e.macroF1, n: e.n };
  }
  let correct = 0;
  let hits = 0;
  chains.forEach((chain, i) => {
    const a = attributions[i]!;
    if (a.rootCause !== chain.cause) return;
    correct++;
    if (a.rootCauseEvidence.some((e) => chain.evidence.some((span) => evidenceMatches(e.text, span.text)))) hits++;
  });
  const confusion: RootCauseMetrics["confusion"] = {};
  for (const g of ROOT_CAUSES) confusion[g] = Object.fromEntries(ROOT_CAUSES.map((p) => [p, overall.confusion[g]?.[p] ?? 0]));
  return {
    accuracy: overall.accuracy,
    macroF1: overall.macroF1,
    n: overall.n,
    perLabel: overall.perLabel,
    perLanguage,
    confusion,
    evidenceHitRate: correct ? hits / correct : null,
  };
}
