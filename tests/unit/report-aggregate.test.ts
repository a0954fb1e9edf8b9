import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config.ts";
import type { ContactRecord } from "../../lib/contact/contact-record.ts";
import { buildReport, type WeekSource } from "../../lib/report/aggregate.ts";
import { renderCsv } from "../../lib/report/render-csv.ts";
import { ReportSchema } from "../../lib/report/report-schema.ts";
import { isoWeekOf } from "../../lib/time/iso-week.ts";

// Week 2026-W47 = Mon 16 Nov – Sun 22 Nov 2026 in Europe/Amsterdam (UTC+1 in November).
// Default costs: voice 6.00, chat 3.50, email 4.00, sms 2.00 (EUR); window 7 days.
const WEEK = "2026-W47";
const config = parseConfig({ timeZone: "Europe/Amsterdam" });

type Fields = Partial<ContactRecord> & Pick<ContactRecord, "customerKey" | "channel" | "reason" | "startedAt">;

/** A stored contact with dull defaults (inbound, completed, English, first of its own chain). */
function contact(contactId: string, fields: Fields): ContactRecord {
  return {
    contactId,
    week: isoWeekOf(fields.startedAt, config.timeZone),
    language: "en",
    initiation: "inbound",
    disposition: "completed",
    hasAgentTurn: true,
    reasonConfidence: 0.9,
    reasonTop: [],
    rootCauseSummary: { model: "test", failed: [0, 0, 0, 0], repeat: [0, 0, 0, 0], evidence: [] },
    format: "recontact.transcript/v1",
    sourceKey: `transcripts/${contactId}.json`,
    ingestedAt: "2026-11-23T00:00:00.000Z",
    role: "first",
    repeatOf: null,
    chainId: contactId,
    repeatedBy: null,
    ...fields,
  };
}

// --- the previous week, 2026-W46 (Mon 9 – Sun 15 Nov) ---
// p1 starts chain A; its repeat c3 falls in W47 (a repeat whose first contact is in the previous week).
const p1 = contact("p1", { customerKey: "A", channel: "chat", reason: "billing", startedAt: "2026-11-13T10:00:00Z", agentId: "a-4", team: "billing-1", chainId: "ch-A", repeatedBy: "c3" });
const p2 = contact("p2", { customerKey: "X", channel: "chat", reason: "other", startedAt: "2026-11-10T09:00:00Z", agentId: "a-2", team: "billing-1", chainId: "ch-X" });
const p3 = contact("p3", { customerKey: "Y", channel: "voice", reason: "billing", startedAt: "2026-11-09T09:00:00Z", agentId: "a-4", team: "billing-1", chainId: "ch-Y", repeatedBy: "p4" });
const p4 = contact("p4", { customerKey: "Y", channel: "voice", reason: "billing", startedAt: "2026-11-11T09:00:00Z", agentId: "a-4", team: "billing-1", role: "repeat", repeatOf: "p3", chainId: "ch-Y", rootCause: "knowledge_gap" });
const W46: WeekSource = { week: "2026-W46", contacts: [p1, p2, p3, p4], quarantined: 2 };

// --- 2026-W44: one resolved first contact; W45 has no data at all ---
const W44: WeekSource = {
  week: "2026-W44",
  contacts: [contact("q1", { customerKey: "Z", channel: "email", reason: "refund", startedAt: "2026-10-28T09:00:00Z", agentId: "a-5", team: "care" })],
  quarantined: 0,
};

// --- 2026-W38: more than 7 weeks back, must not reach the trend ---
const W38: WeekSource = {
  week: "2026-W38",
  contacts: [contact("old", { customerKey: "O", channel: "voice", reason: "billing", startedAt: "2026-09-16T09:00:00Z" })],
  quarantined: 5,
};

// --- the report week, 2026-W47: 10 contacts, 7 customers, chains B and E start here, chain A continues ---
const c1 = contact("c1", { customerKey: "B", channel: "voice", reason: "billing", startedAt: "2026-11-16T09:00:00Z", agentId: "a-1", team: "billing-1", chainId: "ch-B", repeatedBy: "c2" });
const c2 = contact("c2", {
  customerKey: "B", channel: "voice", reason: "billing", startedAt: "2026-11-17T10:00:00Z", agentId: "a-1", team: "billing-1",
  role: "repeat", repeatOf: "c1", chainId: "ch-B", repeatedBy: "c4",
  rootCause: "knowledge_gap", rootCauseConfidence: 0.9, failedAgents: ["a-1"],
  rootCauseEvidence: [{ speaker: "customer", text: "The last agent told me something else. Call me on +31 6 1234 5678." }],
});
const c3 = contact("c3", {
  customerKey: "A", channel: "chat", reason: "billing", startedAt: "2026-11-16T11:00:00Z", agentId: "a-3", team: "care",
  role: "repeat", repeatOf: "p1", chainId: "ch-A",
  rootCause: "procedure_limit", rootCauseConfidence: 0.8, // no failedAgents: the agent of p1 (a-4) is looked up
  rootCauseEvidence: [{ speaker: "agent", text: "I'm not allowed to waive the fee, that needs supervisor approval." }],
});
const c4 = contact("c4", {
  customerKey: "B", channel: "voice", reason: "billing", startedAt: "2026-11-19T14:00:00Z", agentId: "a-3", team: "care",
  role: "repeat", repeatOf: "c2", chainId: "ch-B",
  rootCause: "knowledge_gap", rootCauseConfidence: 0.95, failedAgents: ["a-1"],
  rootCauseEvidence: [{ speaker: "customer", text: "You are the third person I talk to and nobody knows." }],
});
const c5 = contact("c5", { customerKey: "C", channel: "email", reason: "account_access", startedAt: "2026-11-17T08:30:00Z", agentId: "a-2", team: "billing-2", chainId: "ch-C" });
const c6 = contact("c6", { customerKey: "D", channel: "voice", reason: "account_access", startedAt: "2026-11-18T20:00:00Z", disposition: "abandoned", hasAgentTurn: false, role: "none", chainId: null });
const c7 = contact("c7", { customerKey: "E", channel: "chat", reason: "cancellation", startedAt: "2026-11-18T12:00:00Z", agentId: "a-2", team: "billing-2", chainId: "ch-E", repeatedBy: "c8" });
const c8 = contact("c8", {
  customerKey: "E", channel: "chat", reason: "cancellation", startedAt: "2026-11-20T15:00:00Z", agentId: "a-2", team: "billing-2", language: "ar",
  role: "repeat", repeatOf: "c7", chainId: "ch-E",
  rootCause: "missing_self_service", rootCauseConfidence: 0.6, failedAgents: ["a-2"],
  rootCauseEvidence: [{ speaker: "customer", text: "لم أستطع إلغاء الاشتراك في التطبيق" }],
});
const c9 = contact("c9", { customerKey: "F", channel: "voice", reason: "technical_issue", startedAt: "2026-11-20T09:00:00Z", agentId: "a-3", team: "care", initiation: "outbound", role: "none", chainId: null });
// A repeat with no attributed cause (counts as "other"), no agent, no team, its first contact unknown.
const c10 = contact("c10", { customerKey: "G", channel: "sms", reason: "product_info", startedAt: "2026-11-22T18:00:00Z", role: "repeat", repeatOf: "p-gone", chainId: "ch-G" });

const CURRENT: WeekSource = { week: WEEK, contacts: [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10], quarantined: 1 };
const MONDAY_AFTER = new Date("2026-11-23T05:00:00Z"); // Mon 23 Nov, 06:00 in Amsterdam

/** Point lookups over every contact of the fixture (what the store's getContact does). */
const ALL = new Map([CURRENT, W46, W44, W38].flatMap((w) => [...(w.contacts as ContactRecord[])]).map((c) => [c.contactId, c]));
const findContact = async (id: string) => ALL.get(id);

function report(overrides: Partial<Parameters<typeof buildReport>[0]> = {}) {
  return buildReport({ week: WEEK, current: CURRENT, history: [W38, W46, W44], config, now: MONDAY_AFTER, findContact, ...overrides });
}

describe("buildReport on a hand-built week", () => {
  it("computes every totals field", async () => {
    // contacts: c1…c10 = 10 (abandoned c6 and outbound c9 included)
    // customers: A, B, C, D, E, F, G = 7
    // first contacts: c1, c5, c7 = 3; repeats: c2, c3, c4, c8, c10 = 5 → repeat rate 5/10
    // FCR: of c1 (repeated by c2), c5 (not repeated), c7 (repeated by c8) → 1/3
    // abandoned: c6; quarantined: 1 (from WeekData)
    // cost: c2 voice 6 + c3 chat 3.5 + c4 voice 6 + c8 chat 3.5 + c10 sms 2 = 21
    expect((await report()).totals).toEqual({
      contacts: 10,
      customers: 7,
      firstContacts: 3,
      repeatContacts: 5,
      repeatRate: 0.5,
      fcrRate: 1 / 3,
      quarantined: 1,
      awaitingContactRecord: 0,
      abandoned: 1,
      repeatCost: 21,
    });
  });

  it("takes previousTotals from the week before", async () => {
    // W46: p1…p4 = 4 contacts, customers A, X, Y = 3, firsts p1, p2, p3 = 3, repeat p4 = 1 → 1/4
    // FCR: p1 (repeated by c3 next week), p2 (not), p3 (repeated by p4) → 1/3; cost p4 voice = 6
    expect((await report()).previousTotals).toEqual({
      contacts: 4,
      customers: 3,
      firstContacts: 3,
      repeatContacts: 1,
      repeatRate: 0.25,
      fcrRate: 1 / 3,
      quarantined: 2,
      awaitingContactRecord: 0,
      abandoned: 0,
      repeatCost: 6,
    });
    expect((await report({ history: [W44] })).previousTotals).toBeNull();
    // A week read from the store with nothing in it is no week to compare with, nor a point of the trend.
    const empty = await report({ history: [W44, { week: "2026-W46", contacts: [], quarantined: 0 }] });
    expect(empty.previousTotals).toBeNull();
    expect(empty.trend.map((p) => p.week)).toEqual(["2026-W44", "2026-W47"]);
  });

  it("states the week bounds and stays provisional until the last window has closed", async () => {
    const r = await report();
    // Mon 16 Nov 00:00 CET = 15 Nov 23:00 UTC; end = Mon 23 Nov 00:00 CET; + 7 days = Mon 30 Nov 00:00 CET
    expect(r.weekStart).toBe("2026-11-15T23:00:00.000Z");
    expect(r.weekEnd).toBe("2026-11-22T23:00:00.000Z");
    expect(r.provisionalUntil).toBe("2026-11-29T23:00:00.000Z");
    expect(r.provisional).toBe(true);
    expect(r.generatedAt).toBe("2026-11-23T05:00:00.000Z");
    expect((await report({ now: new Date("2026-11-29T22:59:59Z") })).provisional).toBe(true);
    expect((await report({ now: new Date("2026-11-29T23:00:00Z") })).provisional).toBe(false);
    expect(r.config).toEqual({ windowDays: 7, sameReasonOnly: true, timeZone: "Europe/Amsterdam", currency: "EUR" });
  });

  it("counts repeats and chains by root cause, in taxonomy order", async () => {
    // procedure_limit: c3 (chain A, chat 3.5); knowledge_gap: c2 + c4 (both chain B, voice 6 + 6);
    // missing_self_service: c8 (chain E, chat 3.5); other: c10 has no cause (chain G, sms 2). Shares of 5.
    expect((await report()).rootCauses).toEqual([
      { cause: "procedure_limit", chains: 1, repeatContacts: 1, share: 0.2, cost: 3.5 },
      { cause: "knowledge_gap", chains: 1, repeatContacts: 2, share: 0.4, cost: 12 },
      { cause: "missing_self_service", chains: 1, repeatContacts: 1, share: 0.2, cost: 3.5 },
      { cause: "other", chains: 1, repeatContacts: 1, share: 0.2, cost: 2 },
    ]);
  });

  it("sorts reasons by repeats, then contacts, then name", async () => {
    // billing: c1–c4 = 4 contacts, repeats c2, c3, c4 = 3 (knowledge_gap 2 × procedure_limit 1)
    // cancellation: c7, c8 = 2, repeat c8; product_info: c10 = 1, repeat c10 (no cause → other)
    // account_access: c5, c6 = 2, none; technical_issue: c9 = 1, none
    expect((await report()).reasons).toEqual([
      // cost: billing c2 voice 6 + c3 chat 3.5 + c4 voice 6 = 15.5; cancellation c8 chat 3.5; product_info c10 sms 2
      { reason: "billing", contacts: 4, repeatContacts: 3, repeatRate: 0.75, topRootCause: "knowledge_gap", cost: 15.5 },
      { reason: "cancellation", contacts: 2, repeatContacts: 1, repeatRate: 0.5, topRootCause: "missing_self_service", cost: 3.5 },
      { reason: "product_info", contacts: 1, repeatContacts: 1, repeatRate: 1, topRootCause: "other", cost: 2 },
      { reason: "account_access", contacts: 2, repeatContacts: 0, repeatRate: 0, topRootCause: null, cost: 0 },
      { reason: "technical_issue", contacts: 1, repeatContacts: 0, repeatRate: 0, topRootCause: null, cost: 0 },
    ]);
  });

  it("blames the agents whose contacts failed", async () => {
    // c2 → failedAgents [a-1] (knowledge gap); c4 → [a-1] (knowledge gap); c8 → [a-2];
    // c3 has no failedAgents → its repeatOf p1 (previous week) was handled by a-4; c10 → p-gone unknown.
    // a-1: contacts c1, c2 = 2, caused 2, both knowledge gap
    // a-2: contacts c5, c7, c8 = 3, caused 1; team billing-2 (this week) wins over billing-1 (p2, W46)
    // a-4: no contact this week, caused c3 (procedure limit); team billing-1 from W46
    // a-3: contacts c3, c4, c9 = 3, caused none
    // order: knowledge-gap desc, caused desc, id → a-1, a-2, a-4, a-3
    expect((await report()).agents).toEqual([
      { agentId: "a-1", team: "billing-1", contacts: 2, repeatsCaused: 2, knowledgeGapRepeats: 2 },
      { agentId: "a-2", team: "billing-2", contacts: 3, repeatsCaused: 1, knowledgeGapRepeats: 0 },
      { agentId: "a-4", team: "billing-1", contacts: 0, repeatsCaused: 1, knowledgeGapRepeats: 0 },
      { agentId: "a-3", team: "care", contacts: 3, repeatsCaused: 0, knowledgeGapRepeats: 0 },
    ]);
  });

  it("aggregates teams; contacts without a team are not in teams", async () => {
    // billing-1: contacts c1, c2 = 2; caused c2 (a-1), c3 (p1 of billing-1), c4 (a-1) = 3, 2 knowledge gap
    // billing-2: contacts c5, c7, c8 = 3; caused c8 (a-2) = 1
    // care: contacts c3, c4, c9 = 3; caused 0. c6 and c10 have no team.
    expect((await report()).teams).toEqual([
      { team: "billing-1", contacts: 2, repeatsCaused: 3, knowledgeGapRepeats: 2 },
      { team: "billing-2", contacts: 3, repeatsCaused: 1, knowledgeGapRepeats: 0 },
      { team: "care", contacts: 3, repeatsCaused: 0, knowledgeGapRepeats: 0 },
    ]);
  });

  it("splits contacts and repeat cost by channel", async () => {
    // voice: c1, c2, c4, c6, c9 = 5, repeats c2, c4 → 2/5, 12; chat: c3, c7, c8 = 3, repeats c3, c8 → 2/3, 7
    // email: c5 = 1, none; sms: c10 = 1, repeat → 1/1, 2
    expect((await report()).channels).toEqual([
      { channel: "voice", contacts: 5, repeatContacts: 2, repeatRate: 0.4, cost: 12 },
      { channel: "chat", contacts: 3, repeatContacts: 2, repeatRate: 2 / 3, cost: 7 },
      { channel: "email", contacts: 1, repeatContacts: 0, repeatRate: 0, cost: 0 },
      { channel: "sms", contacts: 1, repeatContacts: 1, repeatRate: 1, cost: 2 },
    ]);
  });

  it("draws the trend from the weeks that have data, oldest first, at most 7 weeks back", async () => {
    // W40…W47 are eligible; W44, W46 and W47 have data (W45 none, W38 too old).
    // W44: q1 first, not repeated → 0 repeats / 1 contact, FCR 1/1
    expect((await report()).trend).toEqual([
      { week: "2026-W44", contacts: 1, repeatRate: 0, fcrRate: 1 },
      { week: "2026-W46", contacts: 4, repeatRate: 0.25, fcrRate: 1 / 3 },
      { week: "2026-W47", contacts: 10, repeatRate: 0.5, fcrRate: 1 / 3 },
    ]);
  });

  it("quotes at most two redacted examples per cause, most confident first", async () => {
    // knowledge_gap: c4 (0.95) before c2 (0.9); c2's phone number is redacted; c10 has no evidence.
    expect((await report()).examples).toEqual([
      { cause: "procedure_limit", contactId: "c3", quote: "I'm not allowed to waive the fee, that needs supervisor approval.", language: "en" },
      { cause: "knowledge_gap", contactId: "c4", quote: "You are the third person I talk to and nobody knows.", language: "en" },
      { cause: "knowledge_gap", contactId: "c2", quote: "The last agent told me something else. Call me on [PHONE].", language: "en" },
      { cause: "missing_self_service", contactId: "c8", quote: "لم أستطع إلغاء الاشتراك في التطبيق", language: "ar" },
    ]);
  });

  it("quotes a sentence once, from its most confident repeat, whatever the order", async () => {
    // c12 continues chain B with the same evidence as c4 but more confidence: it replaces c4, c2 stays.
    const c12 = contact("c12", {
      customerKey: "B", channel: "voice", reason: "billing", startedAt: "2026-11-21T09:00:00Z", agentId: "a-3", team: "care",
      role: "repeat", repeatOf: "c4", chainId: "ch-B", rootCause: "knowledge_gap", rootCauseConfidence: 0.99, failedAgents: ["a-3"],
      rootCauseEvidence: c4.rootCauseEvidence!,
    });
    const contacts = [...(CURRENT.contacts as ContactRecord[]), c12];
    for (const order of [contacts, [...contacts].reverse()]) {
      const r = await report({ current: { ...CURRENT, contacts: order } });
      expect(r.examples.filter((e) => e.cause === "knowledge_gap").map((e) => e.contactId)).toEqual(["c12", "c2"]);
    }
  });

  it("breaks repeats down by reason, root cause and the team of the failed contact", async () => {
    // c2 repeats c1 (billing-1) and c4 repeats c2 (billing-1): billing × knowledge_gap × billing-1 = 2, chain B, 6 + 6
    // c3 repeats p1 (billing-1, previous week); c8 repeats c7 (billing-2);
    // c10 repeats an unknown contact and has no team of its own → "unassigned"
    expect((await report()).breakdown).toEqual([
      { reason: "billing", rootCause: "knowledge_gap", team: "billing-1", repeatContacts: 2, chains: 1, cost: 12 },
      { reason: "billing", rootCause: "procedure_limit", team: "billing-1", repeatContacts: 1, chains: 1, cost: 3.5 },
      { reason: "cancellation", rootCause: "missing_self_service", team: "billing-2", repeatContacts: 1, chains: 1, cost: 3.5 },
      { reason: "product_info", rootCause: "other", team: "unassigned", repeatContacts: 1, chains: 1, cost: 2 },
    ]);
  });

  it("is a valid report and does not depend on the order of history", async () => {
    const r = await report();
    expect(ReportSchema.parse(r)).toEqual(r);
    expect(await report({ history: [W44, W46, W38] })).toEqual(r);
    expect(await report({ current: { ...CURRENT, contacts: [...(CURRENT.contacts as ContactRecord[])].reverse() } })).toEqual(r);
  });

  it("uses a flat configured cost per contact", async () => {
    const flat = parseConfig({ timeZone: "Europe/Amsterdam", costPerContact: 5, currency: "USD" });
    const r = await report({ config: flat });
    expect(r.totals.repeatCost).toBe(25); // 5 repeats × 5
    expect(r.config.currency).toBe("USD");
  });

  it("reports an empty week with zeros, nulls and empty lists", async () => {
    const r = await buildReport({ week: WEEK, current: { week: WEEK, contacts: [], quarantined: 0 }, history: [], config, now: MONDAY_AFTER });
    expect(r.totals).toEqual({
      contacts: 0, customers: 0, firstContacts: 0, repeatContacts: 0,
      repeatRate: null, fcrRate: null, quarantined: 0, awaitingContactRecord: 0, abandoned: 0, repeatCost: 0,
    });
    expect(r.previousTotals).toBeNull();
    expect([r.rootCauses, r.reasons, r.agents, r.teams, r.channels, r.examples, r.breakdown]).toEqual([[], [], [], [], [], [], []]);
    expect(r.trend).toEqual([{ week: WEEK, contacts: 0, repeatRate: null, fcrRate: null }]);
  });
});

describe("transcripts waiting for their contact trace record", () => {
  it("are counted in the week's totals, apart from contacts", async () => {
    const r = await buildReport({ week: WEEK, current: { week: WEEK, contacts: [], quarantined: 0, awaitingContactRecord: 3 }, history: [], config, now: MONDAY_AFTER });
    expect(r.totals).toMatchObject({ contacts: 0, awaitingContactRecord: 3 });
  });
});

describe("what to fix first", () => {
  it("ranks the reason × root-cause cells by cost, then volume, with the cell's team", async () => {
    // billing × knowledge_gap: c2 + c4 (voice 6 + 6 = 12, chain B), failed at a-1 → team billing-1 (2 of 2);
    //   a-1 caused both knowledge-gap repeats but has 2 contacts (< 3): too few to be named for coaching.
    // billing × procedure_limit: c3 (chat 3.5), failed contact p1 looked up → team billing-1;
    // cancellation × missing_self_service: c8 (chat 3.5), a-2 → billing-2. Tie at 3.5 and 1 repeat → by reason.
    // product_info × other: c10 (sms 2), team unassigned → no team named. Shares of the 5 repeats.
    const r = await report();
    expect(r.recommendations.map(({ topic, action, text, ...rest }) => rest)).toEqual([
      { rank: 1, reason: "billing", rootCause: "knowledge_gap", repeatContacts: 2, chains: 1, cost: 12, share: 0.4, team: { team: "billing-1", repeatContacts: 2 }, agents: [] },
      { rank: 2, reason: "billing", rootCause: "procedure_limit", repeatContacts: 1, chains: 1, cost: 3.5, share: 0.2, team: { team: "billing-1", repeatContacts: 1 }, agents: [] },
      { rank: 3, reason: "cancellation", rootCause: "missing_self_service", repeatContacts: 1, chains: 1, cost: 3.5, share: 0.2, team: { team: "billing-2", repeatContacts: 1 }, agents: [] },
      { rank: 4, reason: "product_info", rootCause: "other", repeatContacts: 1, chains: 1, cost: 2, share: 0.2, team: null, agents: [] },
    ]);
    expect(r.recommendations[0]!.text).toBe(
      "Bill explanations: 2 repeats from agent knowledge gaps — give agents a line-by-line guide to the invoice and to the charges customers most often query. All in team billing-1.",
    );
    expect(r.recommendations[2]!.text).toBe(
      "Online cancellation: 1 repeat from missing self-service — offer cancellation online with an immediate written confirmation. In team billing-2.",
    );
  });

  it("names the agents with enough contacts who caused the knowledge-gap repeats of that reason", async () => {
    // a-1 gets a third contact this week (an abandoned-free, unrepeated billing call): now comparable.
    const extra = contact("c11", { customerKey: "H", channel: "voice", reason: "billing", startedAt: "2026-11-21T10:00:00Z", agentId: "a-1", team: "billing-1", chainId: "ch-H" });
    const r = await report({ current: { ...CURRENT, contacts: [...(CURRENT.contacts as ContactRecord[]), extra] } });
    expect(r.recommendations[0]).toMatchObject({ reason: "billing", rootCause: "knowledge_gap", agents: [{ agentId: "a-1", knowledgeGapRepeats: 2 }] });
    expect(r.recommendations[0]!.text).toMatch(/Coach first: a-1 \(2\)\.$/);
  });
});

describe("streaming and history", () => {
  /** The same contacts, handed out one at a time by an async generator, as the store pages them. */
  async function* stream<T>(items: readonly T[]): AsyncIterable<T> {
    for (const item of items) {
      await Promise.resolve();
      yield item;
    }
  }

  it("gives the same report from an async stream as from an array", async () => {
    const streamed = await report({
      current: { ...CURRENT, contacts: stream(CURRENT.contacts as ContactRecord[]) },
      history: [W38, W46, W44].map((w) => ({ ...w, contacts: stream(w.contacts as ContactRecord[]) })),
    });
    expect(streamed).toEqual(await report());
  });

  it("takes earlier weeks from the summaries of their final reports without reading their contacts", async () => {
    const full = await report();
    const w46 = await buildReport({ week: "2026-W46", current: W46, history: [W44], config, now: MONDAY_AFTER, findContact });
    const w44 = await buildReport({ week: "2026-W44", current: W44, history: [], config, now: MONDAY_AFTER, findContact });
    const summary = (r: typeof full) => ({
      week: r.week,
      totals: r.totals,
      agentTeams: new Map(r.agents.flatMap((a) => (a.team === null ? [] : [[a.agentId, a.team] as const]))),
    });
    const fromSummaries = await report({ history: [summary(w46), summary(w44)] });
    expect(fromSummaries).toEqual(full);
  });

  it("reports no recommendations and no estimates for an empty week", async () => {
    const r = await buildReport({ week: WEEK, current: { week: WEEK, contacts: [], quarantined: 0 }, history: [], config, now: MONDAY_AFTER });
    expect(r.recommendations).toEqual([]);
    expect(r.estimatedCounts).toEqual([]);
  });
});

describe("report.csv of the hand-built week", () => {
  it("has the SPEC columns and one row per reason × root cause × team", async () => {
    expect(renderCsv(await report()).split("\n")).toEqual([
      "week,reason,root_cause,team,repeat_contacts,chains,cost,currency",
      "2026-W47,billing,knowledge_gap,billing-1,2,1,12.00,EUR",
      "2026-W47,billing,procedure_limit,billing-1,1,1,3.50,EUR",
      "2026-W47,cancellation,missing_self_service,billing-2,1,1,3.50,EUR",
      "2026-W47,product_info,other,unassigned,1,1,2.00,EUR",
      "",
    ]);
  });
});
