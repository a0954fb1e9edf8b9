import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ContactRecord } from "../../lib/contact/contact-record.ts";
import { isHeldOut, latestLabels, LABEL_SCHEMA, type ReasonLabel } from "../../lib/review/label.ts";
import { isSampled, reviewQueue } from "../../lib/review/review-queue.ts";
import { highlight } from "../../lib/review/transcript-view.ts";

const options = { threshold: 0.6, sampleRate: 0, sampleSeed: "seed" };

function record(contactId: string, startedAt: string, reason: string, confidence: number, extra: Partial<ContactRecord> = {}): ContactRecord {
  return {
    contactId,
    customerKey: "0".repeat(64),
    channel: "voice",
    startedAt,
    week: "2026-W47",
    language: "en",
    initiation: "inbound",
    disposition: "completed",
    hasAgentTurn: true,
    reason,
    reasonConfidence: confidence,
    reasonTop: [{ label: reason, confidence }],
    rootCauseSummary: { model: "m", failed: [0, 0, 0, 0], repeat: [0, 0, 0, 0], evidence: [] },
    format: "envelope",
    sourceKey: `transcripts/${contactId}.json`,
    ingestedAt: startedAt,
    role: "first",
    repeatOf: null,
    chainId: contactId,
    repeatedBy: null,
    ...extra,
  };
}

function label(contactId: string, verdict: "accepted" | "corrected", gold: string, at = "2026-11-20T10:00:00Z"): ReasonLabel {
  return {
    schema: LABEL_SCHEMA,
    task: "reason",
    contactId,
    week: "2026-W47",
    verdict,
    predicted: { label: "billing", confidence: 0.9 },
    label: gold,
    text: "…",
    lang: "en",
    reviewer: "ann",
    reviewedAt: at,
  };
}

describe("review queue (SPEC 8)", () => {
  it("lists reasons and repeat root causes under the threshold, newest first, and nothing confident", () => {
    const contacts = [
      record("old-unsure", "2026-11-16T09:00:00Z", "refund", 0.41),
      record("sure", "2026-11-17T09:00:00Z", "billing", 0.93),
      record("at-threshold", "2026-11-18T09:00:00Z", "billing", 0.6),
      record("new-unsure", "2026-11-19T09:00:00Z", "payment", 0.2),
      record("repeat", "2026-11-20T09:00:00Z", "billing", 0.95, { role: "repeat", repeatOf: "sure", rootCause: "knowledge_gap", rootCauseConfidence: 0.35 }),
      record("confident-repeat", "2026-11-20T10:00:00Z", "billing", 0.95, { role: "repeat", repeatOf: "sure", rootCause: "other", rootCauseConfidence: 0.8 }),
    ];
    const queue = reviewQueue(contacts, [], options);
    expect(queue.map((i) => i.id)).toEqual(["root-cause:repeat", "reason:new-unsure", "reason:old-unsure"]);
    expect(queue.every((i) => i.why === "low-confidence" && i.status === "pending")).toBe(true);
    expect(queue[0]!.predicted).toEqual({ label: "knowledge_gap", confidence: 0.35 });
  });

  it("leaves out contacts with nothing to review (no customer words: no top predictions)", () => {
    const silent = record("silent", "2026-11-19T09:00:00Z", "other", 0, { reasonTop: [], disposition: "abandoned" });
    expect(reviewQueue([silent], [], options)).toEqual([]);
  });

  it("keeps reviewed items with the analyst's label and the model's original prediction", () => {
    const corrected = record("c1", "2026-11-19T09:00:00Z", "refund", 1, { reviewed: { reason: "refund" } });
    const [item] = reviewQueue([corrected], [label("c1", "corrected", "refund")], options);
    expect(item).toMatchObject({ status: "corrected", why: "reviewed", predicted: { label: "billing", confidence: 0.9 }, review: { label: "refund", reviewer: "ann" } });
  });

  it("samples confident predictions at about the rate, the same ones on every read", () => {
    const contacts = Array.from({ length: 4000 }, (_, i) => record(`c-${i}`, `2026-11-19T09:00:00Z`, "billing", 0.95));
    const sampled = reviewQueue(contacts, [], { ...options, sampleRate: 0.05 });
    expect(sampled.length).toBeGreaterThan(0.035 * 4000);
    expect(sampled.length).toBeLessThan(0.065 * 4000);
    expect(sampled.every((i) => i.why === "sample")).toBe(true);
    expect(reviewQueue(contacts, [], { ...options, sampleRate: 0.05 }).map((i) => i.id)).toEqual(sampled.map((i) => i.id));
    // Another seed samples other contacts.
    const other = reviewQueue(contacts, [], { ...options, sampleRate: 0.05, sampleSeed: "other" });
    expect(other.map((i) => i.id)).not.toEqual(sampled.map((i) => i.id));
  });

  it("samples nothing at rate 0 and everything at rate 1", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.constantFrom("reason", "root-cause" as const), (id, task) => {
        expect(isSampled(task, id, { sampleRate: 0, sampleSeed: "s" })).toBe(false);
        expect(isSampled(task, id, { sampleRate: 1, sampleSeed: "s" })).toBe(true);
      }),
    );
  });
});

describe("labels", () => {
  it("keeps the latest label of each task and contact", () => {
    const labels = latestLabels([label("a", "corrected", "refund"), label("b", "accepted", "billing"), label("a", "accepted", "billing")]);
    expect(labels.map((l) => [l.contactId, l.verdict])).toEqual([
      ["b", "accepted"],
      ["a", "accepted"],
    ]);
  });

  it("holds out a share of the labels by a hash of the contact id: stable, and close to the share", () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `contact-${i}`);
    const held = ids.filter((id) => isHeldOut({ task: "reason", contactId: id }, 0.2));
    expect(held.length / ids.length).toBeGreaterThan(0.18);
    expect(held.length / ids.length).toBeLessThan(0.22);
    expect(ids.filter((id) => isHeldOut({ task: "reason", contactId: id }, 0.2))).toEqual(held);
    // A larger share holds out a superset: raising it never moves a label back into training.
    const more = new Set(ids.filter((id) => isHeldOut({ task: "reason", contactId: id }, 0.3)));
    expect(held.every((id) => more.has(id))).toBe(true);
  });
});

describe("evidence highlighting", () => {
  it("marks every occurrence of the evidence and nothing else", () => {
    const segments = highlight("I was charged twice. Why was I charged twice?", ["charged twice"]);
    expect(segments).toEqual([
      { text: "I was ", mark: false },
      { text: "charged twice", mark: true },
      { text: ". Why was I ", mark: false },
      { text: "charged twice", mark: true },
      { text: "?", mark: false },
    ]);
  });

  it("always gives back the text, whatever the needles (overlapping ones included)", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 4 }), (text, needles) => {
        const segments = highlight(text, [...needles, text.slice(1, 9), text.slice(4, 12)]);
        expect(segments.map((s) => s.text).join("")).toBe(text);
        for (const s of segments) if (s.mark) expect(s.text.length).toBeGreaterThan(0);
      }),
    );
  });
});
