import { z } from "zod";
import { scorePredictions } from "../classify/evaluate.ts";
import { fitTemperature } from "../classify/calibration.ts";
import { readJsonLines } from "../classify/dataset.ts";
import { softmaxInPlace, Vectoriser, type SparseVector } from "../classify/linear-model.ts";
import { TermIndex } from "../classify/hashed-vectoriser.ts";
import { Float32s, Float64s, MetricsSchema } from "../classify/model-artifact.ts";
import { readModelFile } from "../classify/model-file.ts";
import { seededRandom, shuffleInPlace } from "../classify/random.ts";
import { trainOneVsRest } from "../classify/svm.ts";
import { ChannelSchema } from "../config.ts";
import {
  ContactRootCauseSummarySchema,
  ROOT_CAUSES,
  RootCauseSchema,
  type ChainAttribution,
  type ContactRootCauseSummary,
  type Evidence,
  type RootCause,
} from "../contact/contact-record.ts";
import { SPEAKERS, type Turn } from "../contact/contact.ts";
import { ConfigurationError } from "../errors.ts";
import { normaliseText } from "../text/normalise.ts";
import { redact } from "../text/redact.ts";
import { words } from "../text/tokenize.ts";
import {
  buildVocabulary,
  ContactFeaturesSchema,
  concatBlocks,
  contactTermCounts,
  isConceptTerm,
  sentenceTerms,
  type ContactFeatures,
  type SentenceTerms,
} from "./chain-features.ts";

/**
 * The root-cause model of SPEC 3.2: a linear model over a repeat chain that is ADDITIVE over its
 * contacts, so that ingest reads each transcript once. When a contact is ingested it becomes a
 * bounded summary — its contribution to each cause's score as a failed contact and as the repeat
 * (8 numbers) and up to 4 redacted candidate evidence sentences — and a chain is attributed from
 * its contacts' summaries alone:
 *   scores = b + Σ_failed s_f(c) + s_r(repeat),   probabilities = softmax(scores / T).
 * This is exactly the linear model on the chain vector [Σ_failed x_c]_f| ⊕ [x_repeat]_r|.
 */

/** v2: terms are speaker-salted hashed keys, and the arrays live in the binary file beside the JSON. */
export const ROOT_CAUSE_MODEL_FORMAT = "recontact.root-cause-model/v2";
export const ROOT_CAUSE_TASK = "root_cause";
const MAX_QUOTE = 300;
const MAX_CANDIDATES = 4;
const MAX_EVIDENCE = 4;
type Speaker = Turn["speaker"];
type TurnText = Pick<Turn, "speaker" | "text">;

// --- training data ------------------------------------------------------------------------------

const DataContactSchema = z.object({
  contactId: z.string().min(1),
  startedAt: z.string(),
  channel: ChannelSchema,
  agent: z.object({ id: z.string().min(1), team: z.string().optional() }).nullable(),
  disposition: z.enum(["completed", "abandoned"]),
  turns: z.array(z.object({ speaker: z.enum(SPEAKERS), text: z.string() })),
});

/** One line of data/root-causes/*.jsonl: a repeat chain, oldest contact first; the last is the repeat. */
export const RootCauseChainSchema = z.object({
  id: z.string().min(1),
  lang: z.string().min(2),
  industry: z.string(),
  reason: z.string(),
  cause: RootCauseSchema,
  split: z.enum(["train", "test"]),
  contacts: z.array(DataContactSchema).min(2),
  /** Annotated cue spans: exact substrings of a turn. */
  evidence: z.array(z.object({ contact: z.number().int().nonnegative(), turn: z.number().int().nonnegative(), text: z.string().min(1) })),
});
export type RootCauseChain = z.infer<typeof RootCauseChainSchema>;

export interface RootCauseData {
  chains: RootCauseChain[];
  /** sha256 over the files' bytes, in the order given. */
  sha256: string;
  sources: string[];
}

export async function readRootCauseChains(paths: readonly string[]): Promise<RootCauseData> {
  const { rows, sha256 } = await readJsonLines(paths, RootCauseChainSchema);
  return { chains: rows, sha256, sources: [...paths] };
}

// --- artifact -----------------------------------------------------------------------------------

export const RootCauseMetricsSchema = MetricsSchema.extend({
  perLanguage: z.record(z.string(), z.object({ accuracy: z.number(), macroF1: z.number(), n: z.number().int() })),
  /** confusion[gold][predicted] = chains. */
  confusion: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** Share of correctly attributed chains whose returned evidence shows an annotated cue span. */
  evidenceHitRate: z.number().nullable(),
});
export type RootCauseMetrics = z.infer<typeof RootCauseMetricsSchema>;

export const RootCauseTrainingSettingsSchema = z.object({
  /** The SVMs' C (chosen by 5-fold cross-validation on the training chains). */
  c: z.number().positive().default(0.3),
  seed: z.number().int().default(13),
  /** A term is kept when it occurs in at least this many training contacts. */
  minDocumentFrequency: z.number().int().positive().default(3),
  features: ContactFeaturesSchema.default({
    text: { wordNgrams: 2, charNgramMin: 2, charNgramMax: 5, stemming: true },
    concepts: true,
    conceptWeight: 6,
  }),
  /**
   * Feature scale of the failed and the repeat block while training: a per-role regularisation
   * (the failed contacts' words are noisier: they are mostly the original request).
   */
  roleScale: z.tuple([z.number().positive(), z.number().positive()]).default([0.5, 1]),
  /** Also train on each annotated evidence span alone, as a short example of its chain's cause. */
  spanExamples: z.boolean().default(true),
  /** Also train on this share of the other sentences, as examples of no cause (negative for every cause). */
  backgroundShare: z.number().min(0).max(1).default(0.3),
  /** Folds over the training chains whose out-of-fold scores fit the temperature. */
  calibrationFolds: z.number().int().min(2).default(5),
  svmEpochs: z.number().int().positive().default(100),
  svmTolerance: z.number().positive().default(0.1),
});
export type RootCauseTrainingSettings = z.infer<typeof RootCauseTrainingSettingsSchema>;

/**
 * A root-cause model is data: a JSON file with a manifest (task, labels, feature settings, training
 * data hash, metrics, created), its arrays in the binary file beside it (lib/classify/model-file.ts),
 * validated on load — a malformed model is never half-used. Weights are float32, row-major
 * (term × cause), one matrix per role.
 */
export const RootCauseModelArtifactSchema = z
  .object({
    format: z.literal(ROOT_CAUSE_MODEL_FORMAT),
    version: z.string().min(1),
    manifest: z.object({
      task: z.literal(ROOT_CAUSE_TASK),
      /** Inference is the same whatever the trainer: softmax((b + Σ s_f + s_r) / T). */
      algorithm: z.literal("additive-linear-svm-ovr"),
      labels: z.array(RootCauseSchema).length(ROOT_CAUSES.length),
      features: ContactFeaturesSchema,
      created: z.string(),
      trainingData: z.object({ sha256: z.string(), chains: z.number().int(), contacts: z.number().int(), sources: z.array(z.string()) }),
      trainingSettings: z.record(z.string(), z.unknown()),
      metrics: z.object({
        /** Out-of-fold figures on the training chains. */
        crossValidation: RootCauseMetricsSchema.nullable(),
        heldOut: RootCauseMetricsSchema.nullable(),
        heldOutName: z.string().nullable(),
      }),
    }),
    /** Term keys (lib/root-cause/chain-features.ts), ascending; feature i is terms[i]. */
    terms: Float64s,
    /** Per term; concept features carry their extra weight here. */
    idf: Float32s,
    failedWeights: Float32s,
    repeatWeights: Float32s,
    bias: z.array(z.number()),
    temperature: z.number().positive(),
  })
  .superRefine((m, ctx) => {
    const vocab = m.terms.length;
    const K = m.manifest.labels.length;
    if (m.idf.length !== vocab) ctx.addIssue({ code: "custom", path: ["idf"], message: `expected ${vocab} values` });
    for (const key of ["failedWeights", "repeatWeights"] as const) {
      if (m[key].length !== vocab * K) ctx.addIssue({ code: "custom", path: [key], message: `expected ${vocab * K} values` });
    }
    if (m.bias.length !== K) ctx.addIssue({ code: "custom", path: ["bias"], message: `expected ${K} values` });
    if (new Set(m.manifest.labels).size !== K) ctx.addIssue({ code: "custom", path: ["manifest", "labels"], message: "duplicate labels" });
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

/** Reads, validates and loads a root-cause model file. */
export async function readRootCauseModel(path: string): Promise<RootCauseModel> {
  return new RootCauseModel(parseRootCauseModel(await readModelFile(path), path));
}

// --- per-contact summary ------------------------------------------------------------------------

// The per-contact summary lives with the stored record (lib/contact/contact-record.ts).
export { ContactRootCauseSummarySchema, type ContactRootCauseSummary };

// --- the loaded model ---------------------------------------------------------------------------

interface SentenceContribution {
  speaker: Speaker;
  text: string;
  failed: Float64Array;
  repeat: Float64Array;
}

export class RootCauseModel {
  readonly version: string;
  readonly labels: readonly RootCause[];
  readonly temperature: number;
  private readonly features: ContactFeatures;
  private readonly index: TermIndex;
  private readonly vectoriser: Vectoriser;
  private readonly failedWeights: Float32Array;
  private readonly repeatWeights: Float32Array;
  private readonly bias: Float64Array;

  constructor(readonly artifact: RootCauseModelArtifact) {
    this.version = artifact.version;
    this.labels = artifact.manifest.labels;
    this.temperature = artifact.temperature;
    this.features = artifact.manifest.features;
    this.index = new TermIndex(artifact.terms);
    this.vectoriser = new Vectoriser(this.index, artifact.idf);
    this.failedWeights = artifact.failedWeights;
    this.repeatWeights = artifact.repeatWeights;
    this.bias = Float64Array.from(artifact.bias);
  }

  /**
   * Reads one contact, once, at ingest, when nothing else of its chain need be known. A contact
   * with no turns (abandoned) gives zeros and no evidence: it adds nothing to a chain.
   */
  contactSummary(turns: readonly TurnText[], language: string): ContactRootCauseSummary {
    const { failed, repeat, sentences } = this.contributions(sentenceTerms(turns, language, this.features));
    const evidence: ContactRootCauseSummary["evidence"] = [];
    this.labels.forEach((cause, k) => {
      let best: { speaker: Speaker; text: string; weight: number } | undefined;
      for (const s of sentences) {
        const weight = Math.max(s.failed[k]!, s.repeat[k]!);
        if (weight > 0 && (!best || weight > best.weight)) best = { speaker: s.speaker, text: s.text, weight };
      }
      if (best) evidence.push({ cause, speaker: best.speaker, text: redact(best.text).slice(0, MAX_QUOTE), weight: round6(best.weight) });
    });
    return { model: this.version, failed: Array.from(failed, round6), repeat: Array.from(repeat, round6), evidence };
  }

  /**
   * A repeat chain's root cause from its contacts' summaries alone: the failed contacts (oldest
   * first, abandoned ones included — they add zeros) and the repeat. Evidence is the chosen cause's
   * candidate sentences, strongest first; `failedAgents` (the failed contacts' agents) is kept only
   * for knowledge_gap, the cause that is about the agents.
   */
  attribute(failed: readonly ContactRootCauseSummary[], repeat: ContactRootCauseSummary, failedAgents: readonly string[]): ChainAttribution {
    const probabilities = this.probabilities(this.chainScores(failed, repeat));
    let best = 0;
    for (let k = 1; k < probabilities.length; k++) if (probabilities[k]! > probabilities[best]!) best = k;
    const cause = this.labels[best]!;
    const seen = new Set<string>();
    const evidence: Evidence[] = [...failed, repeat]
      .flatMap((s) => s.evidence.filter((e) => e.cause === cause))
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

  /** Raw chain scores from summaries: b + Σ_failed s_f + s_r, in label order. */
  chainScores(failed: readonly ContactRootCauseSummary[], repeat: ContactRootCauseSummary): Float64Array {
    const scores = Float64Array.from(this.bias);
    for (const summary of failed) summary.failed.forEach((s, k) => (scores[k]! += s));
    repeat.repeat.forEach((s, k) => (scores[k]! += s));
    return scores;
  }

  /** Calibrated probabilities of raw chain scores, in label order. */
  probabilities(scores: ArrayLike<number>): Float64Array {
    return softmaxInPlace(Float64Array.from(scores), this.temperature);
  }

  /**
   * Raw chain scores the direct way, from the transcripts: the chain vector
   * [Σ_failed x_c] ⊕ [x_repeat] times [W_f; W_r], plus b. Attribution never does this (it adds
   * summaries); it is here to show that both ways give the same scores.
   */
  scoreChainTranscripts(failed: readonly (readonly TurnText[])[], repeat: readonly TurnText[], language: string): Float64Array {
    const vector = (turns: readonly TurnText[]) => this.vectoriser.fromCounts(contactTermCounts(sentenceTerms(turns, language, this.features)));
    const V = this.index.size;
    const K = this.labels.length;
    const chain = concatBlocks([...failed.map((t) => ({ vector: vector(t), block: 0 })), { vector: vector(repeat), block: 1 }], V);
    const scores = Float64Array.from(this.bias);
    for (let j = 0; j < chain.indices.length; j++) {
      const i = chain.indices[j]!;
      const [weights, row] = i < V ? [this.failedWeights, i] : [this.repeatWeights, i - V];
      for (let k = 0; k < K; k++) scores[k]! += chain.values[j]! * weights[row * K + k]!;
    }
    return scores;
  }

  /**
   * A contact's partial scores and each sentence's share of them: a term's value in the contact
   * vector is split over its sentences in proportion to its count there, so sentences add up to
   * the contact exactly.
   */
  private contributions(parts: readonly SentenceTerms[]): { failed: Float64Array; repeat: Float64Array; sentences: SentenceContribution[] } {
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
        const i = this.index.indexOf(term);
        if (i < 0) continue;
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

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

// --- training -----------------------------------------------------------------------------------

export interface TrainRootCauseOptions {
  version: string;
  settings?: Partial<RootCauseTrainingSettings>;
  /** `created`; fix it for a reproducible artifact. */
  now?: Date;
  /** Recorded in the manifest. */
  data?: { sha256: string; sources: string[] };
}

/** What training needs of a chain, computed once and shared by the folds. */
interface PreparedChain {
  chain: RootCauseChain;
  /** Term counts per contact, oldest first. */
  contacts: Map<number, number>[];
  /** Sentences with their role (0 failed, 1 repeat): the annotated spans, and the other sentences. */
  spans: { block: number; counts: Map<number, number> }[];
  background: { block: number; counts: Map<number, number> }[];
}

function prepareChains(chains: readonly RootCauseChain[], features: ContactFeatures): PreparedChain[] {
  return chains.map((chain) => {
    const last = chain.contacts.length - 1;
    const role = (contact: number) => (contact < last ? 0 : 1);
    const perContact = chain.contacts.map((c) => sentenceTerms(c.turns, chain.lang, features));
    const spans = chain.evidence.map((e) => {
      const speaker = chain.contacts[e.contact]!.turns[e.turn]!.speaker;
      return { block: role(e.contact), counts: contactTermCounts(sentenceTerms([{ speaker, text: e.text }], chain.lang, features)) };
    });
    const background = perContact.flatMap((sentences, i) =>
      sentences
        .filter((s) => !chain.evidence.some((e) => e.contact === i && (s.text.includes(e.text) || e.text.includes(s.text))))
        .map((s) => ({ block: role(i), counts: s.counts })),
    );
    return { chain, contacts: perContact.map(contactTermCounts), spans, background };
  });
}

interface Fitted {
  terms: Float64Array;
  idf: Float64Array;
  failedWeights: Float32Array;
  repeatWeights: Float32Array;
  bias: Float64Array;
}

/**
 * One-vs-rest linear SVMs on chain vectors [Σ failed]_f| ⊕ [repeat]_r|, with two kinds of extra
 * examples from the annotations: each evidence span alone (in its contact's role) as an example
 * of the chain's cause, and a share of the other sentences as examples of no cause. They teach
 * the model which words are cues and that the topic of a call (a parcel, a bill) is not.
 */
function fit(prepared: readonly PreparedChain[], settings: RootCauseTrainingSettings): Fitted {
  const K = ROOT_CAUSES.length;
  const { terms, idf } = buildVocabulary(
    prepared.flatMap((p) => p.contacts.filter((c) => c.size > 0)),
    settings.minDocumentFrequency,
  );
  terms.forEach((t, i) => {
    if (isConceptTerm(t)) idf[i] = Math.fround(idf[i]! * settings.features.conceptWeight);
  });
  const V = terms.length;
  const vectoriser = new Vectoriser(new TermIndex(terms), idf);
  const vectors: SparseVector[] = [];
  const targets: number[] = [];
  for (const p of prepared) {
    const contacts = p.contacts.map((c) => vectoriser.fromCounts(c));
    vectors.push(concatBlocks([...contacts.slice(0, -1).map((vector) => ({ vector, block: 0 })), { vector: contacts.at(-1)!, block: 1 }], V));
    targets.push(ROOT_CAUSES.indexOf(p.chain.cause));
  }
  const sentence = (block: number, counts: Map<number, number>) => concatBlocks([{ vector: vectoriser.fromCounts(counts), block }], V);
  if (settings.spanExamples) {
    for (const p of prepared) {
      for (const span of p.spans) {
        vectors.push(sentence(span.block, span.counts));
        targets.push(ROOT_CAUSES.indexOf(p.chain.cause));
      }
    }
  }
  const random = seededRandom(settings.seed + 101);
  for (const p of prepared) {
    for (const b of p.background) {
      if (random() >= settings.backgroundShare) continue;
      vectors.push(sentence(b.block, b.counts));
      targets.push(-1); // no label: a negative example for every cause
    }
  }
  const [failedScale, repeatScale] = settings.roleScale;
  for (const x of vectors) for (let j = 0; j < x.indices.length; j++) x.values[j]! *= x.indices[j]! < V ? failedScale : repeatScale;
  const { weights, bias } = trainOneVsRest(vectors, targets, 2 * V, K, {
    c: settings.c,
    epochs: settings.svmEpochs,
    tolerance: settings.svmTolerance,
    seed: settings.seed,
  });
  // The scales move into the weights: at inference contact vectors are used as they are.
  const failedWeights = new Float32Array(V * K);
  const repeatWeights = new Float32Array(V * K);
  for (let i = 0; i < V * K; i++) {
    failedWeights[i] = failedScale * weights[i]!;
    repeatWeights[i] = repeatScale * weights[V * K + i]!;
  }
  return { terms, idf, failedWeights, repeatWeights, bias };
}

function toArtifact(
  fitted: Fitted,
  temperature: number,
  settings: RootCauseTrainingSettings,
  options: TrainRootCauseOptions,
  chains: readonly RootCauseChain[],
): RootCauseModelArtifact {
  return {
    format: ROOT_CAUSE_MODEL_FORMAT,
    version: options.version,
    manifest: {
      task: ROOT_CAUSE_TASK,
      algorithm: "additive-linear-svm-ovr",
      labels: [...ROOT_CAUSES],
      features: settings.features,
      created: (options.now ?? new Date()).toISOString(),
      trainingData: {
        sha256: options.data?.sha256 ?? "",
        chains: chains.length,
        contacts: chains.reduce((n, c) => n + c.contacts.length, 0),
        sources: options.data?.sources ?? [],
      },
      trainingSettings: settings,
      metrics: { crossValidation: null, heldOut: null, heldOutName: null },
    },
    terms: fitted.terms,
    idf: Float32Array.from(fitted.idf),
    failedWeights: fitted.failedWeights,
    repeatWeights: fitted.repeatWeights,
    bias: Array.from(fitted.bias, (b) => Math.fround(b)),
    temperature,
  };
}

/** Chain indices per fold, stratified by language × cause, shuffled with the seed. */
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
  /** Out-of-fold attributions, one per chain, with the temperature fitted on all folds' scores. */
  attributions: ChainAttribution[];
  metrics: RootCauseMetrics;
  temperature: number;
}

/**
 * k-fold cross-validation by chain: each chain is attributed, from its summaries, by a model that
 * never saw it. The out-of-fold scores fit the temperature (so it is fitted on held-out chains).
 */
export function crossValidateRootCause(chains: readonly RootCauseChain[], options: TrainRootCauseOptions, folds = 5): CrossValidation {
  const settings = RootCauseTrainingSettingsSchema.parse(options.settings ?? {});
  return crossValidatePrepared(prepareChains(chains, settings.features), settings, options, folds);
}

function crossValidatePrepared(prepared: readonly PreparedChain[], settings: RootCauseTrainingSettings, options: TrainRootCauseOptions, folds: number): CrossValidation {
  const chains = prepared.map((p) => p.chain);
  const scores: Float64Array[] = new Array(chains.length);
  const summaries: ContactRootCauseSummary[][] = new Array(chains.length);
  const foldModels: { held: number[]; artifact: RootCauseModelArtifact }[] = [];
  for (const held of chainFolds(chains, folds, settings.seed)) {
    const heldSet = new Set(held);
    const artifact = toArtifact(fit(prepared.filter((_, i) => !heldSet.has(i)), settings), 1, settings, options, chains);
    const model = new RootCauseModel(artifact);
    for (const i of held) {
      summaries[i] = summariseChain(model, chains[i]!);
      scores[i] = model.chainScores(summaries[i]!.slice(0, -1), summaries[i]!.at(-1)!);
    }
    foldModels.push({ held, artifact });
  }
  const temperature = fitTemperature(scores, chains.map((c) => ROOT_CAUSES.indexOf(c.cause)), 1.05);
  const attributions: ChainAttribution[] = new Array(chains.length);
  for (const { held, artifact } of foldModels) {
    // A summary does not depend on the temperature; only the attribution's confidence does.
    const model = new RootCauseModel({ ...artifact, temperature });
    for (const i of held) attributions[i] = model.attribute(summaries[i]!.slice(0, -1), summaries[i]!.at(-1)!, failedAgentsOf(chains[i]!));
  }
  return { attributions, metrics: scoreAttributions(chains, attributions), temperature };
}

/**
 * Trains on every chain given, deterministically (the same chains, settings and `now` give the
 * same artifact, byte for byte). The temperature and the manifest's cross-validation figures come
 * from k-fold cross-validation on the same chains.
 */
export function trainRootCauseModel(chains: readonly RootCauseChain[], options: TrainRootCauseOptions): RootCauseModelArtifact {
  const settings = RootCauseTrainingSettingsSchema.parse(options.settings ?? {});
  if (new Set(chains.map((c) => c.cause)).size < 2) throw new Error("training data needs chains of at least two causes");
  const prepared = prepareChains(chains, settings.features);
  const cv = crossValidatePrepared(prepared, settings, options, settings.calibrationFolds);
  const artifact = toArtifact(fit(prepared, settings), cv.temperature, settings, options, chains);
  artifact.manifest.metrics.crossValidation = cv.metrics;
  return artifact;
}

// --- data chains --------------------------------------------------------------------------------

/** Summaries of a data chain's contacts, oldest first (the repeat last). */
export function summariseChain(model: RootCauseModel, chain: RootCauseChain): ContactRootCauseSummary[] {
  return chain.contacts.map((c) => model.contactSummary(c.turns, chain.lang));
}

/** The agents of a chain's failed contacts, oldest first, each once. */
export function failedAgentsOf(chain: RootCauseChain): string[] {
  return [...new Set(chain.contacts.slice(0, -1).flatMap((c) => (c.agent ? [c.agent.id] : [])))];
}

/** Attributes a data chain the way ingest does: summaries first, then the chain from them. */
export function attributeDataChain(model: RootCauseModel, chain: RootCauseChain): ChainAttribution {
  const summaries = summariseChain(model, chain);
  return model.attribute(summaries.slice(0, -1), summaries.at(-1)!, failedAgentsOf(chain));
}

// --- evaluation ---------------------------------------------------------------------------------

const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const SPAN_OVERLAP = 0.6;

/**
 * Whether an evidence sentence shows an annotated cue span: after normalisation it contains the
 * span, or ≥ 60% of the span's words (characters, for Chinese and Japanese) — a span may run over
 * a sentence end, and a quote is redacted.
 */
export function evidenceMatches(sentence: string, span: string): boolean {
  const s = normaliseText(sentence);
  const t = normaliseText(span).trim();
  if (t.length > 0 && s.includes(t)) return true;
  const units = (text: string) => (UNSPACED.test(text) ? [...text.replace(/[\s\p{P}\p{S}]/gu, "")] : words(text));
  const wanted = units(t);
  if (wanted.length === 0) return false;
  const have = new Map<string, number>();
  for (const u of units(s)) have.set(u, (have.get(u) ?? 0) + 1);
  let covered = 0;
  for (const u of wanted) {
    const n = have.get(u) ?? 0;
    if (n > 0) {
      covered++;
      have.set(u, n - 1);
    }
  }
  return covered / wanted.length >= SPAN_OVERLAP;
}

/** Accuracy, macro-F1, per-cause P/R/F1, per language, confusion and evidence hit rate. */
export function scoreAttributions(chains: readonly RootCauseChain[], attributions: readonly Pick<ChainAttribution, "rootCause" | "rootCauseEvidence">[]): RootCauseMetrics {
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
  const perLabel: RootCauseMetrics["perLabel"] = {};
  for (const cause of ROOT_CAUSES) perLabel[cause] = overall.perLabel[cause] ?? { precision: 0, recall: 0, f1: 0, support: 0 };
  return { accuracy: overall.accuracy, macroF1: overall.macroF1, n: overall.n, perLabel, perLanguage, confusion, evidenceHitRate: correct ? hits / correct : null };
}
