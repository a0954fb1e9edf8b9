import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { shippedRecipes, type Recipes } from "../../lib/review/trainers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The shipped recipes cut down to train in a few seconds: our own multilingual lines only, ten
 * per label and language (720), fewer features; 2–3 chains per cause and language, 2 folds.
 * Their models are much weaker than the shipped ones — tests compare them with each other.
 */
export function quickRecipes(): Recipes {
  const shipped = shippedRecipes(ROOT);
  return {
    reason: {
      ...shipped.reason,
      publicTrain: [],
      ownWeight: 1,
      maxPerLabel: 10,
      settings: { maxFeatures: 20_000, features: { wordNgrams: 1, charNgramMin: 3, charNgramMax: 4, stemming: true } },
    },
    "root-cause": { ...shipped["root-cause"], maxPerLabel: 3, settings: { calibrationFolds: 2, svmEpochs: 20 } },
  };
}

/** Lines of our own English training data that the quick recipe leaves out (beyond ten per label). */
export async function unusedEnglishLines(): Promise<{ text: string; label: string }[]> {
  const lines = (await readFile(join(ROOT, "data/reasons-multilingual/en.train.jsonl"), "utf8")).split("\n").filter((l) => l.trim());
  const seen = new Map<string, number>();
  const unused: { text: string; label: string }[] = [];
  for (const line of lines) {
    const { text, label } = JSON.parse(line) as { text: string; label: string };
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    if (n >= 10) unused.push({ text, label });
  }
  return unused;
}
