/**
 * Chooses the own-data weight of the default reason model without touching its test split:
 * 20% of our own TRAINING transcripts (by a hash of their id) are a dev set.
 *   npx tsx scripts/dev-reason-weight.ts
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readDataset, type Example } from "../lib/classify/dataset.ts";
import { evaluateClassifier } from "../lib/classify/evaluate.ts";
import { LinearModel } from "../lib/classify/linear-model.ts";
import { trainModel } from "../lib/classify/train.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const LANGS = ["en", "nl", "ar", "fa", "ko", "zh"];
const own: { example: Example; dev: boolean }[] = [];
for (const lang of LANGS) {
  for (const line of (await readFile(join(ROOT, `data/reasons-multilingual/${lang}.train.jsonl`), "utf8")).trim().split("\n")) {
    const j = JSON.parse(line) as { id: string; text: string; label: string; lang: string; kind: string };
    const bucket = createHash("sha256").update(j.id).digest()[0]! % 5;
    own.push({ example: { text: j.text, label: j.label, lang: j.lang }, dev: j.kind === "transcript" && bucket === 0 });
  }
}
const publicTrain = (await readDataset([join(ROOT, "data/reasons/train.jsonl")])).examples;
const ownTrain = own.filter((o) => !o.dev).map((o) => o.example);
const dev = own.filter((o) => o.dev).map((o) => o.example);
// Variants as [name, public share (every n-th line; 0 = none), own-data repeats], or the defaults.
const VARIANTS: [string, number, number][] = process.env.VARIANTS ? JSON.parse(process.env.VARIANTS) : [["public all, own ×4", 1, 4], ["public all, own ×8", 1, 8], ["public 1/3, own ×4", 3, 4]];
for (const [name, publicShare, weight] of VARIANTS) {
  const examples = [...(publicShare ? publicTrain.filter((_, i) => i % publicShare === 0) : []), ...Array.from({ length: weight }, () => ownTrain).flat()];
  const model = new LinearModel(trainModel({ examples, sha256: "", sources: [] }, { task: "dev", version: "dev", settings: { maxFeatures: Number(process.env.MAX_FEATURES ?? 150_000) } }));
  const perLang = LANGS.map((l) => `${l} ${evaluateClassifier(model, dev.filter((d) => d.lang === l)).accuracy.toFixed(3)}`).join("  ");
  console.log(`${name.padEnd(22)} dev ${evaluateClassifier(model, dev).accuracy.toFixed(3)} (n ${dev.length})  ${perLang}`);
}
