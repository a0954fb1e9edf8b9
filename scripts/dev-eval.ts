/**
 * Tuning without touching a test split: trains on a seeded, stratified 90% of a TRAINING file and
 * scores the other 10%.   npx tsx scripts/dev-eval.ts <train.jsonl> '<settings json>'
 */
import { readDataset } from "../lib/classify/dataset.ts";
import { evaluateClassifier } from "../lib/classify/evaluate.ts";
import { LinearModel } from "../lib/classify/linear-model.ts";
import { seededRandom, shuffleInPlace } from "../lib/classify/random.ts";
import { trainModel } from "../lib/classify/train.ts";
import { featureCount } from "../lib/classify/model-artifact.ts";

const [file, settingsJson] = process.argv.slice(2);
const data = await readDataset([file!]);
const random = seededRandom(2024);
const byLabel = new Map<string, number[]>();
data.examples.forEach((e, i) => byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), i]));
const dev = new Set<number>();
for (const idx of byLabel.values()) for (const i of shuffleInPlace([...idx], random).slice(0, Math.max(1, Math.round(idx.length / 10)))) dev.add(i);
const train = { ...data, examples: data.examples.filter((_, i) => !dev.has(i)) };
const held = data.examples.filter((_, i) => dev.has(i));
const t = performance.now();
const artifact = trainModel(train, { task: "dev", version: "dev", settings: JSON.parse(settingsJson ?? "{}") });
const trainS = (performance.now() - t) / 1000;
const model = new LinearModel(artifact);
const t2 = performance.now();
const e = evaluateClassifier(model, held);
const perS = held.length / ((performance.now() - t2) / 1000);
console.log(JSON.stringify({ settings: settingsJson, dev: e.accuracy.toFixed(4), macroF1: e.macroF1.toFixed(4), trainS: trainS.toFixed(1), features: featureCount(artifact), predPerS: Math.round(perS), T: artifact.temperature }));
