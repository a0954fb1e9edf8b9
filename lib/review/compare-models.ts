import { scorePredictions } from "../classify/evaluate.ts";
import type { RetrainConfig } from "../config.ts";

/** One held-out example as both models saw it. */
export interface HeldOutPrediction {
  gold: string;
  live: string;
  candidate: string;
  /** "test": the shipped test split; "label": an analyst's label held out of training. */
  from: "test" | "label";
}

/** An analyst's correction and what each model now predicts for it. */
export interface CorrectionOutcome {
  contactId: string;
  week: string;
  gold: string;
  /** What the model predicted when the analyst reviewed it. */
  reviewed: string;
  live: string;
  candidate: string;
  heldOut: boolean;
}

interface Scores {
  accuracy: number;
  macroF1: number;
  n: number;
}

export interface SetComparison {
  n: number;
  live: Scores;
  candidate: Scores;
  macroF1Delta: number;
}

export interface Comparison {
  schema: "recontact.comparison/v1";
  task: string;
  candidate: string;
  live: { version: string; source: string };
  created: string;
  rules: { tolerance: number; maxLabelF1Drop: number; heldOutShare: number };
  /** All held-out data: the shipped test split and the held-out labels. */
  overall: SetComparison;
  shippedTest: SetComparison;
  reviewLabels: SetComparison | null;
  perLabel: { label: string; support: number; live: number; candidate: number; delta: number }[];
  corrections: {
    heldOut: { right: number; wrong: number };
    trainedOn: { right: number; wrong: number };
    items: (CorrectionOutcome & { now: "right" | "wrong" })[];
  };
  decision: "promote" | "refuse";
  /** Why, one sentence per rule; a refusal lists every rule that failed. */
  reasons: string[];
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function compareSet(rows: readonly HeldOutPrediction[]): SetComparison {
  const gold = rows.map((r) => r.gold);
  const live = scorePredictions(gold, rows.map((r) => r.live));
  const candidate = scorePredictions(gold, rows.map((r) => r.candidate));
  const scores = (e: Scores): Scores => ({ accuracy: round(e.accuracy), macroF1: round(e.macroF1), n: e.n });
  return { n: rows.length, live: scores(live), candidate: scores(candidate), macroF1Delta: round(candidate.macroF1 - live.macroF1) };
}

/**
 * SPEC 8: the candidate and the live model on the same held-out data, and the decision. The
 * candidate is promoted only if it is not worse by more than the tolerance in macro-F1 — on all
 * held-out data and on the shipped test split alone (the fixed gold, which labels that contradict
 * each other cannot move) — and no label collapses (loses more than maxLabelF1Drop of F1, or is
 * never predicted right any more while the live model did get it right).
 */
export function compareModels(input: {
  task: string;
  candidate: string;
  live: { version: string; source: string };
  now: Date;
  rules: Pick<RetrainConfig, "tolerance" | "maxLabelF1Drop" | "heldOutShare">;
  heldOut: readonly HeldOutPrediction[];
  corrections: readonly CorrectionOutcome[];
}): Comparison {
  const { rules, heldOut } = input;
  const overall = compareSet(heldOut);
  const testRows = heldOut.filter((r) => r.from === "test");
  const labelRows = heldOut.filter((r) => r.from === "label");
  const shippedTest = compareSet(testRows);
  const reviewLabels = labelRows.length ? compareSet(labelRows) : null;

  const gold = heldOut.map((r) => r.gold);
  const live = scorePredictions(gold, heldOut.map((r) => r.live));
  const candidate = scorePredictions(gold, heldOut.map((r) => r.candidate));
  const perLabel = [...new Set(gold)].sort().map((label) => {
    const l = live.perLabel[label]!.f1;
    const c = candidate.perLabel[label]!.f1;
    return { label, support: live.perLabel[label]!.support, live: round(l), candidate: round(c), delta: round(c - l) };
  });

  const reasons: string[] = [];
  let ok = true;
  const check = (passed: boolean, reason: string) => {
    ok &&= passed;
    reasons.push(`${passed ? "ok" : "FAILED"}: ${reason}`);
  };
  const within = (set: SetComparison, name: string) =>
    check(
      set.macroF1Delta >= -rules.tolerance - 1e-9,
      `macro-F1 on ${name} ${pct(set.candidate.macroF1)} vs live ${pct(set.live.macroF1)} (${set.macroF1Delta >= 0 ? "+" : ""}${(100 * set.macroF1Delta).toFixed(1)} points; tolerance ${(100 * rules.tolerance).toFixed(1)})`,
    );
  within(overall, `all held-out data (n = ${overall.n})`);
  within(shippedTest, `the shipped test split (n = ${shippedTest.n})`);
  const collapsed = perLabel.filter((p) => p.delta < -rules.maxLabelF1Drop - 1e-9 || (p.live > 0 && p.candidate === 0));
  check(
    collapsed.length === 0,
    collapsed.length === 0
      ? `no label lost more than ${(100 * rules.maxLabelF1Drop).toFixed(0)} points of F1`
      : `labels collapsing: ${collapsed.map((p) => `${p.label} F1 ${pct(p.live)} → ${pct(p.candidate)}`).join(", ")}`,
  );

  const items = input.corrections.map((c) => ({ ...c, now: c.candidate === c.gold ? ("right" as const) : ("wrong" as const) }));
  const tally = (heldOutOnly: boolean) => {
    const of = items.filter((i) => i.heldOut === heldOutOnly);
    return { right: of.filter((i) => i.now === "right").length, wrong: of.filter((i) => i.now === "wrong").length };
  };
  return {
    schema: "recontact.comparison/v1",
    task: input.task,
    candidate: input.candidate,
    live: input.live,
    created: input.now.toISOString(),
    rules: { tolerance: rules.tolerance, maxLabelF1Drop: rules.maxLabelF1Drop, heldOutShare: rules.heldOutShare },
    overall,
    shippedTest,
    reviewLabels,
    perLabel,
    corrections: { heldOut: tally(true), trainedOn: tally(false), items },
    decision: ok ? "promote" : "refuse",
    reasons,
  };
}

/** The comparison as a terminal table: per-label F1 of both models, the deltas, the decision. */
export function formatComparison(c: Comparison): string {
  const f = (x: number) => (100 * x).toFixed(1).padStart(6);
  const d = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}`.padStart(6);
  const lines = [
    `${c.task}: candidate ${c.candidate} vs live ${c.live.version} (${c.live.source})`,
    "",
    `${"held-out set".padEnd(28)}      n   live   cand  delta (macro-F1, %)`,
    ...(
      [
        ["all held-out", c.overall],
        ["shipped test split", c.shippedTest],
        ...(c.reviewLabels ? [["held-out review labels", c.reviewLabels] as const] : []),
      ] as const
    ).map(([name, s]) => `${name.padEnd(28)} ${String(s.n).padStart(6)} ${f(s.live.macroF1)} ${f(s.candidate.macroF1)} ${d(s.macroF1Delta)}`),
    "",
    `${"label".padEnd(28)} support  live F1  cand F1  delta`,
    ...c.perLabel.map((p) => `${p.label.padEnd(28)} ${String(p.support).padStart(7)}  ${f(p.live)}   ${f(p.candidate)} ${d(p.delta)}`),
    "",
    `corrections the candidate gets right: ${c.corrections.heldOut.right} of ${c.corrections.heldOut.right + c.corrections.heldOut.wrong} held out, ${c.corrections.trainedOn.right} of ${c.corrections.trainedOn.right + c.corrections.trainedOn.wrong} trained on`,
    ...c.reasons,
    `decision: ${c.decision.toUpperCase()}`,
  ];
  return lines.join("\n");
}
