/**
 * Text-classifier benchmark (issue 4): accuracy on public benchmarks and our own multilingual
 * transcripts, and speed against natural's BayesClassifier measured in the same run.
 *   npm run bench:classifier
 * Each public test split is scored once here, to report it; nothing is tuned on it.
 */
import { execFile } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import BayesClassifier from "natural/lib/natural/classifiers/bayes_classifier.js";
import { classifyReason } from "../lib/classify/classify-contact.ts";
import { readDataset, type Example } from "../lib/classify/dataset.ts";
import { evaluateClassifier } from "../lib/classify/evaluate.ts";
import { LinearModel } from "../lib/classify/linear-model.ts";
import { readModelArtifact } from "../lib/classify/model-artifact.ts";
import { trainModel } from "../lib/classify/train.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const data = (p: string) => join(ROOT, "data", p);
const pct = (x: number) => (100 * x).toFixed(2);
const rows: string[][] = [];
const row = (...cells: (string | number)[]) => rows.push(cells.map(String));

async function benchmark(name: string, trainFiles: string[], testFiles: string[], filter: (e: Example) => boolean = () => true) {
  const train = await readDataset(trainFiles);
  const test = await readDataset(testFiles);
  train.examples = train.examples.filter(filter);
  const held = test.examples.filter(filter);
  const started = performance.now();
  const model = new LinearModel(trainModel(train, { task: name, version: "bench" }));
  const seconds = (performance.now() - started) / 1000;
  const e = evaluateClassifier(model, held);
  row(name, `${train.examples.length} → ${held.length}`, new Set(held.map((x) => x.label)).size, pct(e.accuracy), pct(e.macroF1), seconds.toFixed(1));
  return { model, train, held, seconds };
}

process.stdout.write(`# recontact classifier benchmark\n\ncommand: npm run bench:classifier · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · load average at start ${loadavg()[0]!.toFixed(1)} (times and ratios are only comparable at a similar load)\n\n`);

const banking = await benchmark("banking77", [data("benchmarks/banking77/train.jsonl")], [data("benchmarks/banking77/test.jsonl")]);
await benchmark("clinc150 in-scope", [data("benchmarks/clinc150/train.jsonl")], [data("benchmarks/clinc150/test.jsonl")], (e) => e.label !== "oos");
for (const lang of ["ar", "da", "de", "en", "id", "it", "ja", "nl", "tr", "zh"]) {
  await benchmark(`xsid ${lang}`, [data(`benchmarks/xsid/${lang}.train.jsonl`)], [data(`benchmarks/xsid/${lang}.test.jsonl`)]);
}

// The shipped default model on our own held-out transcripts.
const shipped = new LinearModel(await readModelArtifact(join(ROOT, "models/reason/model.json")));
for (const lang of ["en", "nl", "ar", "fa", "ko", "zh"]) {
  const held = (await readDataset([data(`reasons-multilingual/${lang}.test.jsonl`)])).examples;
  const e = evaluateClassifier(shipped, held);
  row(`own transcripts ${lang} (shipped model)`, `– → ${held.length}`, new Set(held.map((x) => x.label)).size, pct(e.accuracy), pct(e.macroF1), "–");
}

process.stdout.write(`| data (train → test) | lines | labels | accuracy % | macro-F1 % | train s |\n|---|---|---:|---:|---:|---:|\n`);
for (const r of rows) process.stdout.write(`| ${r.join(" | ")} |\n`);

// Speed, against natural's BayesClassifier on the same Banking77 data and texts, same process.
const texts = banking.held.map((e) => e.text);
let t = performance.now();
const bayes = new BayesClassifier();
for (const e of banking.train.examples) bayes.addDocument(e.text, e.label);
bayes.train();
const bayesTrain = (performance.now() - t) / 1000;
// Steady state, as in a warm Lambda container: one untimed pass each, then the timed pass.
const throughput = (classify: (text: string) => unknown) => {
  for (const text of texts) classify(text);
  const started = performance.now();
  for (const text of texts) classify(text);
  return texts.length / ((performance.now() - started) / 1000);
};
const bayesPerSecond = throughput((text) => bayes.classify(text));
const oursPerSecond = throughput((text) => banking.model.predict(text));

// The whole `recontact classify` command on the same texts (process start and model load included).
const cli = promisify(execFile);
const input = texts.map((text) => JSON.stringify({ text })).join("\n");
const modelPath = join(ROOT, "models/reason/model.json");
t = performance.now();
const child = cli(process.execPath, [join(ROOT, "bin/recontact.js"), "classify", "--model", modelPath], { maxBuffer: 64 * 2 ** 20 });
child.child.stdin!.end(input);
await child;
const commandPerSecond = texts.length / ((performance.now() - t) / 1000);

// Model load in a fresh process (the shipped model), measured inside that process.
const { stdout: loadOut } = await cli(process.execPath, ["--import", "tsx", "-e", `
  const t0 = performance.now();
  const { readModelArtifact } = await import(${JSON.stringify(join(ROOT, "lib/classify/model-artifact.ts"))});
  const { LinearModel } = await import(${JSON.stringify(join(ROOT, "lib/classify/linear-model.ts"))});
  const t1 = performance.now();
  new LinearModel(await readModelArtifact(${JSON.stringify(modelPath)}));
  console.log(JSON.stringify({ modules: performance.now() - t0 - (performance.now() - t1), load: performance.now() - t1 }));
`], { cwd: ROOT });
const load = JSON.parse(loadOut.trim().split("\n").at(-1)!) as { load: number };

// p99 of classifying a 2,000-word transcript with the shipped model (customer's opening turns).
const words = banking.held.flatMap((e) => e.text.split(/\s+/));
const latencies: number[] = [];
for (let r = 0; r < 300; r++) {
  const turns = [];
  let n = 0;
  for (let i = 0; n < 2000; i++) {
    const text = words.slice((r * 97 + i * 23) % (words.length - 30), ((r * 97 + i * 23) % (words.length - 30)) + 25).join(" ");
    turns.push({ speaker: i % 2 ? ("customer" as const) : ("agent" as const), text });
    n += 25;
  }
  const t0 = performance.now();
  classifyReason(shipped, turns, "en");
  latencies.push(performance.now() - t0);
}
latencies.sort((a, b) => a - b);

process.stdout.write(`
| speed (Banking77, ${texts.length} test texts) | natural BayesClassifier | recontact | ratio |
|---|---:|---:|---:|
| training on ${banking.train.examples.length} texts, s | ${bayesTrain.toFixed(2)} | ${banking.seconds.toFixed(2)} | ${(banking.seconds / bayesTrain).toFixed(1)}× the time |
| classify, texts/s in process (after a warm-up pass) | ${Math.round(bayesPerSecond)} | ${Math.round(oursPerSecond)} | ${(oursPerSecond / bayesPerSecond).toFixed(1)}× |
| \`recontact classify\` command (start + load + ${texts.length} texts), texts/s | – | ${Math.round(commandPerSecond)} | ${(commandPerSecond / bayesPerSecond).toFixed(1)}× Bayes in process |
| shipped model load in a fresh process, ms | – | ${load.load.toFixed(0)} | |
| classify a 2,000-word transcript, p50 / p99 ms (300 runs) | – | ${latencies[150]!.toFixed(2)} / ${latencies[296]!.toFixed(2)} | |
`);
