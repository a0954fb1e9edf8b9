/**
 * Rebuilds the shipped root-cause model (SPEC 3.2) and its model card, bit for bit:
 *   npx tsx scripts/train-root-cause-model.ts
 * Trains on the train split of data/root-causes/*.jsonl (settings were chosen by 5-fold
 * cross-validation on that split alone), then scores the held-out test split once — the trained
 * model and, for comparison, the rule-based first version (lib/root-cause/cues.ts, signals.ts, rule-baseline.ts,
 * attribute.ts) — and writes models/root-cause/model.json and models/root-cause/README.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { writeModelFile } from "../lib/classify/model-file.ts";
import { join } from "node:path";
import { ROOT_CAUSES, type ChainAttribution, type ContactRecord } from "../lib/contact/contact-record.ts";
import { attributeFromSignals } from "../lib/root-cause/rule-baseline.ts";
import { CUE_CONCEPTS } from "../lib/root-cause/chain-features.ts";
import {
  attributeDataChain,
  readRootCauseChains,
  RootCauseModel,
  scoreAttributions,
  trainRootCauseModel,
  type RootCauseChain,
  type RootCauseMetrics,
} from "../lib/root-cause/chain-model.ts";
import { rootCauseSignals } from "../lib/root-cause/signals.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const VERSION = "root-cause-2026.11.2";
/** Fixed so that a rebuild gives the same bytes; bump with VERSION. */
const CREATED = new Date("2026-11-23T00:00:00Z");
const LANGUAGES = ["en", "nl", "ar", "fa", "ko", "zh"] as const;
const TARGETS = { accuracy: 0.8, macroF1: 0.75, language: 0.7, recall: 0.65, evidence: 0.9 };

const files = LANGUAGES.map((l) => join(ROOT, `data/root-causes/${l}.jsonl`));
const data = await readRootCauseChains(files);
const train = data.chains.filter((c) => c.split === "train");
const test = data.chains.filter((c) => c.split === "test");
const sources = files.map((f) => `${f.slice(ROOT.length)} (split = train)`);

const started = performance.now();
const artifact = trainRootCauseModel(train, { version: VERSION, now: CREATED, data: { sha256: data.sha256, sources } });
const trainingSeconds = (performance.now() - started) / 1000;
const model = new RootCauseModel(artifact);

// The test split, scored once: the trained model, attributing from per-contact summaries as ingest does…
const attributions = test.map((chain) => attributeDataChain(model, chain));
const heldOut = scoreAttributions(test, attributions);
// …and the rule-based first version on the same chains, through its own per-contact signals.
const rules = scoreAttributions(test, test.map(ruleAttribution));
const rulesTrain = scoreAttributions(train, train.map(ruleAttribution));
const crossValidation = artifact.manifest.metrics.crossValidation!;

artifact.manifest.metrics.heldOut = heldOut;
artifact.manifest.metrics.heldOutName = "data/root-causes/*.jsonl, split = test (6 languages)";
await mkdir(join(ROOT, "models/root-cause"), { recursive: true });
await writeModelFile(join(ROOT, "models/root-cause/model.json"), artifact);

/** The rule-based attribution of a chain: cue signals per contact, then the baseline rule. */
function ruleAttribution(chain: RootCauseChain): ChainAttribution {
  const signals = chain.contacts.map((c) => rootCauseSignals(c.turns, chain.lang));
  const lastFailed = chain.contacts.at(-2)?.agent?.id;
  return attributeFromSignals(signals.slice(0, -1), signals.at(-1)!, lastFailed ? [lastFailed] : []);
}

// --- the model card -----------------------------------------------------------------------------

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);

function summaryTable(rows: { name: string; m: RootCauseMetrics }[]): string {
  const langs = LANGUAGES.join(" | ");
  return [
    `| | n | accuracy | macro-F1 | ${langs} | evidence hit rate |`,
    `|---|---:|---:|---:|${LANGUAGES.map(() => "---:").join("|")}|---:|`,
    ...rows.map(({ name, m }) => `| ${name} | ${m.n} | ${pct(m.accuracy)} | ${pct(m.macroF1)} | ${LANGUAGES.map((l) => pct(m.perLanguage[l]?.accuracy ?? null)).join(" | ")} | ${pct(m.evidenceHitRate)} |`),
  ].join("\n");
}

function perCauseTable(rows: { name: string; m: RootCauseMetrics }[]): string {
  return [
    `| cause | support | ${rows.map((r) => `${r.name} P / R / F1`).join(" | ")} |`,
    `|---|---:|${rows.map(() => "---:").join("|")}|`,
    ...ROOT_CAUSES.map((c) => {
      const cells = rows.map(({ m }) => {
        const p = m.perLabel[c]!;
        return `${pct(p.precision)} / ${pct(p.recall)} / ${pct(p.f1)}`;
      });
      return `| ${c} | ${rows[0]!.m.perLabel[c]!.support} | ${cells.join(" | ")} |`;
    }),
  ].join("\n");
}

function confusionTable(m: RootCauseMetrics): string {
  return [
    `| gold ↓ / predicted → | ${ROOT_CAUSES.map((c) => c).join(" | ")} |`,
    `|---|${ROOT_CAUSES.map(() => "---:").join("|")}|`,
    ...ROOT_CAUSES.map((g) => `| ${g} | ${ROOT_CAUSES.map((p) => (g === p ? `**${m.confusion[g]![p]}**` : String(m.confusion[g]![p]))).join(" | ")} |`),
  ].join("\n");
}

function calibrationTable(): string {
  const bins = [0, 0.5, 0.7, 0.9, 1.0001];
  const rows: string[] = [];
  for (let b = 0; b + 1 < bins.length; b++) {
    const idx = attributions.flatMap((a, i) => (a.rootCauseConfidence >= bins[b]! && a.rootCauseConfidence < bins[b + 1]! ? [i] : []));
    if (idx.length === 0) continue;
    const mean = idx.reduce((s, i) => s + attributions[i]!.rootCauseConfidence, 0) / idx.length;
    const correct = idx.filter((i) => attributions[i]!.rootCause === test[i]!.cause).length / idx.length;
    rows.push(`| ${bins[b]!.toFixed(1)}–${Math.min(1, bins[b + 1]!).toFixed(1)} | ${idx.length} | ${pct(mean)} | ${pct(correct)} |`);
  }
  return ["| confidence | chains | mean confidence | accuracy |", "|---|---:|---:|---:|", ...rows].join("\n");
}

function acceptanceTable(): string {
  const minLanguage = Math.min(...LANGUAGES.map((l) => heldOut.perLanguage[l]!.accuracy));
  const minRecall = Math.min(...ROOT_CAUSES.map((c) => heldOut.perLabel[c]!.recall));
  const row = (what: string, target: number, value: number) => `| ${what} | ≥ ${pct(target)} | ${pct(value)} | ${value >= target ? "met" : "**not met**"} |`;
  return [
    "| criterion (test split) | target | trained model | |",
    "|---|---:|---:|---|",
    row("accuracy", TARGETS.accuracy, heldOut.accuracy),
    row("macro-F1", TARGETS.macroF1, heldOut.macroF1),
    row("accuracy of the weakest language", TARGETS.language, minLanguage),
    row("recall of the weakest cause", TARGETS.recall, minRecall),
    row("evidence hit rate (correct chains)", TARGETS.evidence, heldOut.evidenceHitRate ?? 0),
  ].join("\n");
}

/** Up to three wrongly attributed test chains, each of a different confusion where possible. */
function errorExamples(): string {
  const wrong = test.flatMap((chain, i) => (attributions[i]!.rootCause !== chain.cause ? [{ chain, a: attributions[i]! }] : []));
  const picked: typeof wrong = [];
  for (const w of wrong) if (picked.length < 3 && !picked.some((p) => p.chain.cause === w.chain.cause && p.a.rootCause === w.a.rootCause)) picked.push(w);
  for (const w of wrong) if (picked.length < 3 && !picked.includes(w)) picked.push(w);
  const quote = (text: string) => `“${text.length > 160 ? `${text.slice(0, 157)}…` : text}”`;
  const list = picked.map(({ chain, a }) => {
    const cue = chain.evidence[0];
    const said = a.rootCauseEvidence[0];
    return [
      `- \`${chain.id}\` (${chain.lang}, ${chain.industry}, ${chain.reason}, ${chain.contacts.length} contacts): gold **${chain.cause}**, attributed **${a.rootCause}** with confidence ${a.rootCauseConfidence}.`,
      `  Annotated cue: ${cue ? quote(cue.text) : "(none)"}. Its best evidence for ${a.rootCause}: ${said ? quote(said.text) : "(no sentence)"}.`,
    ].join("\n");
  });
  return [
    `${wrong.length} of ${test.length} test chains are attributed wrongly: ${wrong.map(({ chain, a }) => `\`${chain.id}\` (${chain.cause} → ${a.rootCause})`).join(", ")}.`,
    "",
    ...list,
  ].join("\n");
}

const s = artifact.manifest.trainingSettings as Record<string, unknown>;
const features = artifact.manifest.features;
const conceptCount = Object.keys(CUE_CONCEPTS).length;
const conceptNames = Object.keys(CUE_CONCEPTS).map((c) => `\`${c}\``).join(", ");
const card = `# Root-cause model \`${VERSION}\`

Attributes a root cause of SPEC 3.2 (${ROOT_CAUSES.map((c) => `\`${c}\``).join(", ")}) to every repeat
chain, with a calibrated confidence, up to four redacted evidence sentences and, for
\`knowledge_gap\`, the failed contacts' agents. Rebuild it bit for bit with
\`npx tsx scripts/train-root-cause-model.ts\` (well under 30 s; the time is printed, not written here, so
this card is the same byte for byte too).

## How it works
The model is **additive over contacts**, so ingest never re-reads a transcript to attribute a chain:

1. At ingest, each contact is read once into a \`ContactRootCauseSummary\`
   (\`lib/root-cause/chain-model.ts\`): 8 numbers — its contribution to each cause's score as a
   *failed* contact, \`s_f(c) = W_f·x_c\`, and as the *repeat*, \`s_r(c) = W_r·x_c\` — and up to
   4 candidate evidence sentences (the sentence contributing most to each cause, redacted).
2. A chain is attributed from its summaries alone: \`scores = b + Σ_failed s_f(c) + s_r(repeat)\`,
   \`probabilities = softmax(scores / T)\`. This is the linear model on the chain vector
   \`[Σ_failed x_c]_f ⊕ [x_repeat]_r\`. Abandoned contacts have no turns, so they add zeros: a
   chain whose failed contact was abandoned is decided by its other contacts and the repeat's words.

| | |
|---|---|
| task | \`${artifact.manifest.task}\` |
| algorithm | one-vs-rest linear SVMs (squared hinge, C = ${s.c}, dual coordinate descent as in LIBLINEAR) on chain vectors; softmax over the summed margins with a temperature T = ${artifact.temperature} fitted on out-of-fold scores (5-fold cross-validation over the training chains) |
| contact vector \`x_c\` | TF-IDF (sublinear tf), L2-normalised per contact, of word 1–${features.text.wordNgrams}-grams (Porter-stemmed in English and Dutch) and character ${features.text.charNgramMin}–${features.text.charNgramMax}-grams, each prefixed by speaker (\`a:\` agent, \`c:\` customer, \`s:\` system); terms in ≥ ${s.minDocumentFrequency} training contacts |
| cue concepts | ${conceptCount} cross-language concept features (${conceptNames}), matched from a phrase table in all six languages (\`CUE_CONCEPTS\` in \`lib/root-cause/chain-features.ts\`), speaker-prefixed like the n-grams (\`a:@approval\`), idf × ${features.conceptWeight}. One concept feature learns from all 312 training chains, where an n-gram of one language learns from 52 |
| extra training examples | each annotated evidence span alone, as an example of its chain's cause in its contact's role; ${pct(s.backgroundShare as number)} of the other sentences as examples of no cause (negative for all four); failed-contact features scaled × ${(s.roleScale as number[])[0]} while training (stronger regularisation of the failed role, whose words are mostly the original request) |
| size | ${artifact.terms.length.toLocaleString("en")} terms × 4 causes × 2 roles |
| training data | ${train.length} chains (${artifact.manifest.trainingData.contacts} contacts), the train split of \`data/root-causes/{${LANGUAGES.join(",")}}.jsonl\`; see \`data/root-causes/README.md\` |
| data files sha256 | \`${data.sha256}\` |
| held-out data | ${test.length} chains, the test split of the same files: every test chain differs from every training chain of its cause in industry or reason |

## Held-out figures (test split, scored once)

${summaryTable([
  { name: "trained model", m: heldOut },
  { name: "rule-based cues (first version)", m: rules },
])}

${acceptanceTable()}

Per cause:

${perCauseTable([
  { name: "trained model", m: heldOut },
  { name: "rule-based", m: rules },
])}

Confusion matrix of the trained model (test split):

${confusionTable(heldOut)}

Confusion matrix of the rule-based cues (test split):

${confusionTable(rules)}

Calibration on the test split (is a confidence of 0.8 right 80% of the time?):

${calibrationTable()}

Evidence hit rate: the share of correctly attributed chains where one of the returned evidence
sentences contains an annotated cue span (after normalisation), or ≥ 60% of its words
(characters in Chinese).

The rule-based version learns nothing, so its training-split figures are fair too: accuracy
${pct(rulesTrain.accuracy)}, macro-F1 ${pct(rulesTrain.macroF1)}. Its cue table (\`lib/root-cause/cues.ts\`) was also tried as three
extra features of the trained model; cross-validation moved by −1.9 to +1.0 points depending on C,
not measurably better, so no hand rule of the first version is kept.

## Cross-validation on the training split (what the settings were chosen on)

${summaryTable([{ name: "trained model, 5-fold CV", m: crossValidation }])}

These figures are optimistic: the cue-concept phrase table was written while reading the
training chains' annotated evidence (never the test split's), so each fold's held-out chains
had already shaped the table.

## What it gets wrong

${errorExamples()}

Patterns behind the errors (read from the fresh test chains of 2026-11-23 after scoring them
once; nothing was changed after):
- \`other\` read as \`missing_self_service\` (6 of 22): outages and third-party faults that
  customers meet in the app ("the app won't let me log in", en-rc2-001) carry the self-service
  words, while what makes them \`other\` — the agent saying it is a wider incident — is one
  sentence the model weighs less than the customer's app complaints.
- \`knowledge_gap\` ↔ \`other\` (7 of 22, most in Arabic and Chinese): both are chains where
  the second agent says something other than the first; what separates them is whether the first
  answer was wrong or the world changed since. The model sees it mainly through correction
  phrases, and the phrase table lacks some dialect forms.
- \`knowledge_gap\` read as \`missing_self_service\` (3 of 22, nl and fa): the first agent's
  wrong instruction was about where to do something online, so the repeat talks about the portal.
- Confidence is over-confident between 0.7 and 0.9 (see the calibration table): the temperature
  was fitted on out-of-fold training scores, which are optimistic (below).

## Known limits
- Data: ${train.length + test.length} hand-written, fictional chains from a few authors, cleaner than
  real transcripts (no ASR errors, polite fluent agents); the repeat nearly always refers back
  explicitly. Expect lower figures on real contacts; the review queue should see low-confidence
  attributions.
- ${test.length} test chains (16–18 per language, 4–5 per language × cause): one chain moves a
  language's accuracy by ~6 points, so per-language figures are rough.
- The cue-concept table was written by one person from the training chains' annotated evidence; a
  phrasing it lacks is left to the n-grams, which learn from only 52 training chains per language.
  Languages outside the six get all languages' phrases and no n-grams of their own.
- Evidence is one sentence per cause per contact; a cue spread over two sentences is quoted by
  one half. Sentences are split on punctuation, so unpunctuated ASR text gives long "sentences"
  (quotes are cut at 300 characters).
- Summaries are tied to the model version (\`model\` field): after a model update the chains'
  earlier contacts must be summarised again (from the transcripts in S3) before their scores are
  added to a new contact's.
- Confidence is calibrated on out-of-fold training chains (one temperature for all languages);
  the cross-validation figures are optimistic, so test confidences run high in the 0.7–0.9 range.
- The acceptance figures of issue #7 are not met on this test split (see the table above).
  The test split has now been looked at; a further round of tuning needs a fresh held-out set
  to report on honestly.
`;
await writeFile(join(ROOT, "models/root-cause/README.md"), card);

const section = (title: string) => card.split(title)[1]!.split("\n## ")[0]!;
process.stdout.write(`# Root-cause model ${VERSION}: trained in ${trainingSeconds.toFixed(1)} s on ${train.length} chains\n`);
process.stdout.write(section("## Held-out figures (test split, scored once)"));
process.stdout.write(`\n## Cross-validation on the training split${section("## Cross-validation on the training split")}`);
process.stdout.write(`\n## What it gets wrong${section("## What it gets wrong")}`);
