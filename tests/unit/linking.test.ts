import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config.ts";
import type { LinkInput } from "../../lib/linking/eligibility.ts";
import { link } from "../../lib/linking/link.ts";

const config = parseConfig({ windowDays: 7, timeZone: "Europe/Amsterdam" });
const DAY = 86_400_000;

/** A readable contact: customer, reason and a start time; everything else an ordinary inbound call. */
function contact(id: string, startedAt: string, reason = "billing", extra: Partial<LinkInput> = {}): LinkInput {
  return {
    contactId: id,
    customerKey: "alice",
    startedAt: new Date(startedAt).toISOString(),
    channel: "voice",
    reason,
    initiation: "inbound",
    disposition: "completed",
    agentId: "a-1",
    hasAgentTurn: true,
    ...extra,
  };
}

describe("link (SPEC 4)", () => {
  it("chains repeats of the same reason, each pointing to the chain's previous contact", () => {
    const links = link(
      [contact("c1", "2026-11-02T09:00Z"), contact("c2", "2026-11-05T09:00Z"), contact("c3", "2026-11-11T09:00Z")],
      config,
    );
    expect(links.get("c1")).toEqual({ role: "first", repeatOf: null, chainId: "c1", repeatedBy: "c2" });
    expect(links.get("c2")).toEqual({ role: "repeat", repeatOf: "c1", chainId: "c1", repeatedBy: "c3" });
    // The window slides from the chain's latest contact: c3 is 9 days after c1, 6 after c2.
    expect(links.get("c3")).toEqual({ role: "repeat", repeatOf: "c2", chainId: "c1", repeatedBy: null });
  });

  it("links exactly at the window's end and not one minute later", () => {
    const base = Date.parse("2026-11-02T09:00Z");
    const at = (ms: number) => new Date(base + ms).toISOString();
    const edge = link([contact("a", at(0)), contact("b", at(7 * DAY))], config);
    expect(edge.get("b")?.role).toBe("repeat");
    const past = link([contact("a", at(0)), contact("b", at(7 * DAY + 60_000))], config);
    expect(past.get("b")?.role).toBe("first");
  });

  it("keeps chains of different reasons apart, and joins them when sameReasonOnly is false", () => {
    const contacts = [contact("b1", "2026-11-02T09:00Z", "billing"), contact("r1", "2026-11-03T09:00Z", "refund"), contact("b2", "2026-11-04T09:00Z", "billing")];
    const links = link(contacts, config);
    expect(links.get("r1")?.role).toBe("first");
    expect(links.get("b2")).toMatchObject({ role: "repeat", repeatOf: "b1" });
    const any = link(contacts, parseConfig({ sameReasonOnly: false }));
    expect(any.get("r1")).toMatchObject({ role: "repeat", repeatOf: "b1" });
    expect(any.get("b2")).toMatchObject({ role: "repeat", repeatOf: "r1", chainId: "b1" });
  });

  it("never links different customers", () => {
    const links = link([contact("a", "2026-11-02T09:00Z"), contact("b", "2026-11-03T09:00Z", "billing", { customerKey: "bob" })], config);
    expect(links.get("b")?.role).toBe("first");
  });

  it("lets company-initiated contacts, transfer legs and abandoned calls neither start nor continue a chain", () => {
    const links = link(
      [
        contact("in1", "2026-11-02T09:00Z"),
        contact("cb", "2026-11-03T09:00Z", "billing", { initiation: "callback" }),
        contact("out", "2026-11-03T10:00Z", "billing", { initiation: "outbound" }),
        contact("qcb", "2026-11-03T11:00Z", "billing", { initiation: "queue_callback" }),
        contact("tr", "2026-11-02T09:10Z", "billing", { initiation: "transfer", previousContactId: "in1" }),
        contact("ab", "2026-11-04T09:00Z", "billing", { disposition: "abandoned", agentId: undefined, hasAgentTurn: false }),
        contact("in2", "2026-11-05T09:00Z"),
      ],
      config,
    );
    for (const id of ["cb", "out", "qcb", "tr", "ab"]) expect(links.get(id)).toEqual({ role: "none", repeatOf: null, chainId: null, repeatedBy: null });
    expect(links.get("in2")).toMatchObject({ role: "repeat", repeatOf: "in1" });
  });

  it("leaves out channels that are not configured", () => {
    const links = link([contact("v", "2026-11-02T09:00Z"), contact("e", "2026-11-03T09:00Z", "billing", { channel: "email" })], parseConfig({ channels: ["voice"] }));
    expect(links.get("e")?.role).toBe("none");
  });

  it("treats an unanswered after-hours voice contact as volume: the next contact is the real first", () => {
    // Saturday 22:00 in Amsterdam, a voicemail: no agent, no agent turn.
    const links = link(
      [contact("vm", "2026-11-07T21:00Z", "billing", { agentId: undefined, hasAgentTurn: false }), contact("mon", "2026-11-09T09:00Z")],
      config,
    );
    expect(links.get("vm")?.role).toBe("none");
    expect(links.get("mon")?.role).toBe("first");
  });

  it("reads business hours in local time across the daylight-saving change", () => {
    // Sunday 2026-10-25 is the switch to winter time in Amsterdam. Monday 07:30 UTC is 08:30 local
    // (open); the same UTC clock time a week earlier, Monday 2026-10-19, is 09:30 local (open too),
    // but 06:30 UTC on 2026-10-26 is 07:30 local (closed) while it would be open in summer time.
    const unanswered = { agentId: undefined, hasAgentTurn: false } as const;
    const closed = link([contact("early", "2026-10-26T06:30Z", "billing", unanswered)], config);
    expect(closed.get("early")?.role).toBe("none");
    const summer = link([contact("early-summer", "2026-10-19T06:30Z", "billing", unanswered)], config);
    expect(summer.get("early-summer")?.role).toBe("first");
  });

  it("measures the window in elapsed time across the daylight-saving Sunday", () => {
    // Amsterdam moves to summer time on Sunday 2026-03-29. Saturday 09:00 local (08:00 UTC) and
    // the next Saturday 09:30 local (07:30 UTC) are 7 days 30 minutes apart on the wall clock
    // but 6 days 23.5 hours apart in elapsed time: a repeat. One more hour is past the window.
    const links = link([contact("sat", "2026-03-28T08:00Z"), contact("next-sat", "2026-04-04T07:30Z")], config);
    expect(links.get("next-sat")).toMatchObject({ role: "repeat", repeatOf: "sat" });
    const later = link([contact("sat", "2026-03-28T08:00Z"), contact("next-sat", "2026-04-04T08:30Z")], config);
    expect(later.get("next-sat")?.role).toBe("first");
  });

  it("crosses ISO weeks: a Sunday contact repeated on Tuesday", () => {
    const links = link([contact("sun", "2026-11-15T10:00Z"), contact("tue", "2026-11-17T10:00Z")], config);
    expect(links.get("tue")).toMatchObject({ role: "repeat", repeatOf: "sun", chainId: "sun" });
  });

  it("is a function of the set of contacts: any order and duplicates give the same links", () => {
    const reasons = ["billing", "refund", "payment"];
    const arbitraryContact = fc.record({
      id: fc.integer({ min: 0, max: 40 }),
      customer: fc.constantFrom("alice", "bob", "carol"),
      reason: fc.constantFrom(...reasons),
      minutes: fc.integer({ min: 0, max: 60 * 24 * 30 }),
      initiation: fc.constantFrom("inbound", "inbound", "inbound", "outbound", "callback"),
      abandoned: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbitraryContact, { selector: (c) => c.id, maxLength: 30 }), fc.integer(), (specs, seed) => {
        const contacts = specs.map((s) =>
          contact(`c${s.id}`, new Date(Date.parse("2026-11-02T00:00Z") + s.minutes * 60_000).toISOString(), s.reason, {
            customerKey: s.customer,
            initiation: s.initiation as LinkInput["initiation"],
            disposition: s.abandoned ? "abandoned" : "completed",
          }),
        );
        const reference = link(contacts, config);
        const shuffled = fc.sample(fc.shuffledSubarray(contacts, { minLength: contacts.length }), { seed, numRuns: 1 })[0]!;
        const withDuplicates = [...shuffled, ...shuffled.slice(0, Math.ceil(shuffled.length / 3))];
        expect(link(withDuplicates, config)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });
});
