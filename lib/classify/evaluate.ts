import type { Classifier } from "./classifier.ts";
import type { Example } from "./dataset.ts";
import type { Metrics } from "./model-artifact.ts";

export interface Evaluation extends Metrics {
  labels: string[];
  /** confusion[gold][predicted] = count. */
  confusion: Record<string, Record<string, number>>;
}

/** Accuracy, macro-F1 over the labels present in the gold data, per-label P/R/F1, confusion. */
export function scorePredictions(gold: readonly string[], predicted: readonly string[]): Evaluation {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of labels) confusion[g] = Object.fromEntries(labels.map((p) => [p, 0]));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    confusion[g]![p]!++;
    if (g === p) correct++;
  });
  const perLabel: Metrics["perLabel"] = {};
  const goldLabels = new Set(gold);
  for (const label of labels) {
    const tp = confusion[label]![label]!;
    const support = gold.filter((g) => g === label).length;
    const predictedCount = predicted.filter((p) => p === label).length;
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perLabel[label] = { precision, recall, f1, support };
  }
  const present = labels.filter((l) => goldLabels.has(l));
  const macroF1 = present.reduce((sum, l) => sum + perLabel[l]!.f1, 0) / Math.max(1, present.length);
  return { accuracy: gold.length ? correct / gold.length : 0, macroF1, n: gold.length, perLabel, labels, confusion };
}

export function evaluateClassifier(classifier: Classifier, examples: readonly Example[]): Evaluation {
  const predicted = examples.map((e) => classifier.predict(e.text, e.lang).label);
  return scorePredictions(
    examples.map((e) => e.label),
    predicted,
  );
}

export function formatEvaluation(evaluation: Evaluation): string {
  const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
  const lines = [
    `accuracy ${pct(evaluation.accuracy)}%   macro-F1 ${pct(evaluation.macroF1)}%   n ${evaluation.n}`,
    "",
    `${"label".padEnd(28)} precision  recall     F1  support`,
  ];
  for (const [label, m] of Object.entries(evaluation.perLabel)) {
    lines.push(`${label.padEnd(28)} ${pct(m.precision)}%   ${pct(m.recall)}% ${pct(m.f1)}%  ${String(m.support).padStart(7)}`);
  }
  return lines.join("\n");
}
