import { describe, expect, it } from "vitest";
import { ROOT_CAUSES } from "../../lib/contact/contact-record.ts";
import { adviceFor, recommend, MAX_RECOMMENDATIONS, type Cell } from "../../lib/report/recommendations.ts";

/** SPEC 3.1: the default contact reasons. */
const REASONS = [
  "billing", "payment", "refund", "order_delivery", "account_access", "account_change",
  "cancellation", "technical_issue", "product_info", "complaint", "fraud_security", "other",
];

const cell = (fields: Partial<Cell> & Pick<Cell, "reason" | "rootCause" | "repeatContacts" | "cost">): Cell => ({
  chains: fields.repeatContacts,
  teams: [],
  agents: [],
  ...fields,
});

describe("recommendation catalogue", () => {
  it("has its own action for every default reason × root cause", () => {
    const actions = REASONS.flatMap((reason) => ROOT_CAUSES.map((cause) => adviceFor(reason, cause).action));
    expect(actions).toHaveLength(48);
    // Not one template with the reason filled in: every action differs from every other.
    expect(new Set(actions).size).toBe(48);
    for (const reason of REASONS) {
      for (const cause of ROOT_CAUSES) {
        const { topic, action } = adviceFor(reason, cause);
        expect(topic.length, `${reason} × ${cause}`).toBeGreaterThan(3);
        expect(action, `${reason} × ${cause}`).toMatch(/^[a-z]/);
        expect(action).not.toMatch(/[.]$/);
      }
    }
  });

  it("says what the brief's examples say", () => {
    expect(adviceFor("refund", "procedure_limit")).toEqual({
      topic: "Refund approvals",
      action: "consider raising the agent authority limit so a refund is approved in the first contact",
    });
    expect(adviceFor("order_delivery", "missing_self_service").topic).toBe("Order status");
    expect(adviceFor("order_delivery", "missing_self_service").action).toMatch(/^customers cannot see delivery status online/);
  });

  it("falls back to one action per cause for a reason of a custom taxonomy", () => {
    expect(adviceFor("warranty_claim", "procedure_limit")).toEqual({
      topic: "Warranty claim",
      action: "review the policy or approval step that keeps agents from resolving it in one contact",
    });
    // Inherited object keys are not reasons.
    expect(adviceFor("constructor", "other").topic).toBe("Constructor");
  });
});

describe("recommend", () => {
  it("ranks by cost, then repeats, and keeps the five largest cells", () => {
    const cells = [
      cell({ reason: "refund", rootCause: "procedure_limit", repeatContacts: 23, cost: 138 }),
      cell({ reason: "order_delivery", rootCause: "missing_self_service", repeatContacts: 31, cost: 108.5 }),
      cell({ reason: "billing", rootCause: "knowledge_gap", repeatContacts: 10, cost: 60 }),
      cell({ reason: "payment", rootCause: "other", repeatContacts: 12, cost: 60 }),
      cell({ reason: "complaint", rootCause: "procedure_limit", repeatContacts: 2, cost: 12 }),
      cell({ reason: "product_info", rootCause: "knowledge_gap", repeatContacts: 1, cost: 6 }),
      cell({ reason: "cancellation", rootCause: "other", repeatContacts: 0, cost: 0 }),
    ];
    const ranked = recommend(cells, 79, "unassigned");
    expect(ranked).toHaveLength(MAX_RECOMMENDATIONS);
    expect(ranked.map((r) => [r.rank, r.reason, r.rootCause])).toEqual([
      [1, "refund", "procedure_limit"],
      [2, "order_delivery", "missing_self_service"],
      [3, "payment", "other"], // same cost as billing, more repeats
      [4, "billing", "knowledge_gap"],
      [5, "complaint", "procedure_limit"],
    ]);
    expect(ranked[0]!.text).toBe("Refund approvals: 23 repeats from procedure limits — consider raising the agent authority limit so a refund is approved in the first contact.");
    expect(ranked[1]!.text).toMatch(/^Order status: 31 repeats from missing self-service — customers cannot see delivery status online/);
    expect(ranked[0]!.share).toBeCloseTo(23 / 79, 10);
  });

  it("names a team only when it holds at least half of the cell, never 'unassigned'", () => {
    const teams = (list: [string, number][]) => list.map(([team, repeatContacts]) => ({ team, repeatContacts }));
    const [concentrated, spread, unassigned] = [
      cell({ reason: "refund", rootCause: "procedure_limit", repeatContacts: 10, cost: 60, teams: teams([["care", 6], ["billing-1", 4]]) }),
      cell({ reason: "billing", rootCause: "procedure_limit", repeatContacts: 10, cost: 50, teams: teams([["care", 4], ["billing-1", 3], ["billing-2", 3]]) }),
      cell({ reason: "payment", rootCause: "procedure_limit", repeatContacts: 10, cost: 40, teams: teams([["unassigned", 7], ["care", 3]]) }),
    ];
    const ranked = recommend([concentrated, spread, unassigned], 30, "unassigned");
    expect(ranked.map((r) => r.team)).toEqual([{ team: "care", repeatContacts: 6 }, null, null]);
    expect(ranked[0]!.text).toMatch(/Mostly in team care \(6 of 10\)\.$/);
  });

  it("says 'all' when one team holds every repeat, and needs more than half otherwise", () => {
    const one = (repeatContacts: number, inTeam: number) =>
      recommend([cell({ reason: "refund", rootCause: "other", repeatContacts, cost: 1, teams: [{ team: "care", repeatContacts: inTeam }, { team: "x", repeatContacts: repeatContacts - inTeam }] })], repeatContacts, "unassigned")[0]!;
    expect(one(1, 1).text).toMatch(/ In team care\.$/);
    expect(one(3, 3).text).toMatch(/ All in team care\.$/);
    expect(one(4, 2).team).toBeNull();
  });

  it("names up to three agents, for knowledge-gap cells only", () => {
    const agents = ["a-1", "a-2", "a-3", "a-4"].map((agentId, i) => ({ agentId, knowledgeGapRepeats: 4 - i }));
    const ranked = recommend(
      [
        cell({ reason: "billing", rootCause: "knowledge_gap", repeatContacts: 10, cost: 60, agents }),
        cell({ reason: "refund", rootCause: "procedure_limit", repeatContacts: 5, cost: 30, agents }),
      ],
      15,
      "unassigned",
    );
    expect(ranked[0]!.agents.map((a) => a.agentId)).toEqual(["a-1", "a-2", "a-3"]);
    expect(ranked[0]!.text).toMatch(/Coach first: a-1 \(4\), a-2 \(3\), a-3 \(2\)\.$/);
    expect(ranked[1]!.agents).toEqual([]);
  });
});
