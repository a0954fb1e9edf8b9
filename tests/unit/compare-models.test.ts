import { describe, expect, it } from "vitest";
import { compareModels, formatComparison, type HeldOutPrediction } from "../../lib/review/compare-models.ts";

const rules = { tolerance: 0.01, maxLabelF1Drop: 0.15, heldOutShare: 0.2 };
const LABELS = ["billing", "refund", "payment", "other"];

/** `n` test rows per label, all right for both models unless a mutation says otherwise. */
function rows(n: number, from: HeldOutPrediction["from"] = "test"): HeldOutPrediction[] {
  return LABELS.flatMap((gold) => Array.from({ length: n }, () => ({ gold, live: gold, candidate: gold, from })));
}

const compare = (heldOut: HeldOutPrediction[], corrections: Parameters<typeof compareModels>[0]["corrections"] = []) =>
  compareModels({ task: "reason", candidate: "cand", live: { version: "live", source: "registry" }, now: new Date("2026-11-30T00:00:00Z"), rules, heldOut, corrections });

describe("candidate vs live (SPEC 8 promotion rules)", () => {
  it("promotes a candidate that is exactly as good", () => {
    const c = compare(rows(10));
    expect(c.decision).toBe("promote");
    expect(c.overall.macroF1Delta).toBe(0);
    expect(c.perLabel.map((p) => p.label)).toEqual([...LABELS].sort());
  });

  it("promotes a candidate within the tolerance and refuses one beyond it", () => {
    // 100 rows per label; one more mistake lowers macro-F1 by about 0.25 points.
    const within = rows(100);
    within[0]!.candidate = "refund";
    expect(compare(within).decision).toBe("promote");
    const beyond = rows(100);
    for (let i = 0; i < 12; i++) beyond[i]!.candidate = "refund";
    const c = compare(beyond);
    expect(c.decision).toBe("refuse");
    expect(c.reasons.filter((r) => r.startsWith("FAILED")).join(" ")).toMatch(/all held-out data.*shipped test split/s);
  });

  it("refuses a candidate that wins on the held-out labels but loses on the shipped test split", () => {
    // Contradictory labels: the candidate learnt them (right on the held-out ones), and forgot the gold data.
    const test = rows(20);
    for (const r of test.filter((r) => r.gold === "billing").slice(0, 6)) r.candidate = "refund";
    const labels = Array.from({ length: 200 }, (): HeldOutPrediction => ({ gold: "refund", live: "billing", candidate: "refund", from: "label" }));
    const c = compare([...test, ...labels]);
    expect(c.overall.macroF1Delta).toBeGreaterThan(0);
    expect(c.shippedTest.macroF1Delta).toBeLessThan(-rules.tolerance);
    expect(c.decision).toBe("refuse");
    expect(c.reviewLabels?.n).toBe(200);
  });

  it("refuses a label collapse even when the average improves", () => {
    const heldOut = rows(10);
    // The live model confuses billing, refund and payment (4 in 10 each, in a cycle)…
    const cycle: Record<string, string> = { billing: "refund", refund: "payment", payment: "billing" };
    for (const gold of Object.keys(cycle)) for (const r of heldOut.filter((r) => r.gold === gold).slice(0, 4)) r.live = cycle[gold]!;
    // …the candidate gets those right and loses 3 in 10 of "other": F1 1.0 → 0.82 (recall 0.7).
    for (const r of heldOut.filter((r) => r.gold === "other").slice(0, 3)) r.candidate = "billing";
    const c = compare(heldOut);
    expect(c.overall.macroF1Delta).toBeGreaterThan(0.2);
    expect(c.reasons.find((r) => r.includes("collapsing"))).toMatch(/^FAILED: labels collapsing: other F1 100.0% → 82.3%/);
    expect(c.decision).toBe("refuse");
  });

  it("tells which corrections the candidate now gets right, held out and trained on", () => {
    const c = compare(rows(5), [
      { contactId: "a", week: "2026-W47", gold: "refund", reviewed: "billing", live: "billing", candidate: "refund", heldOut: true },
      { contactId: "b", week: "2026-W47", gold: "payment", reviewed: "billing", live: "billing", candidate: "billing", heldOut: true },
      { contactId: "c", week: "2026-W47", gold: "other", reviewed: "refund", live: "refund", candidate: "other", heldOut: false },
    ]);
    expect(c.corrections.heldOut).toEqual({ right: 1, wrong: 1 });
    expect(c.corrections.trainedOn).toEqual({ right: 1, wrong: 0 });
    expect(c.corrections.items.map((i) => i.now)).toEqual(["right", "wrong", "right"]);
    const text = formatComparison(c);
    expect(text).toContain("corrections the candidate gets right: 1 of 2 held out, 1 of 1 trained on");
    expect(text).toContain("decision: PROMOTE");
  });
});
