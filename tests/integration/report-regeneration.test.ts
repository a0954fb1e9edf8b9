import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReportHandler } from "../../functions/report/handler.ts";
import { ReportSchema, type Report } from "../../lib/report/report-schema.ts";
import { reportKey } from "../../lib/use-cases/build-weekly-report.ts";
import { envelope, startLocalStack, type LocalStack } from "../support/local-stack.ts";

/**
 * SPEC 7: the Monday schedule reports the week that ended and re-runs the provisional weeks whose
 * repeat windows have closed since; the new report replaces the old one under the same keys.
 * s3rver has no bucket versioning (PutBucketVersioning answers NotImplemented), so that the old
 * version is kept is asserted on the CDK bucket (tests/infra/stacks.test.ts), not here.
 */
const BILLING = "My invoice is far too high this month, there is an unexpected charge on my bill.";
// 2026-W47 = Mon 16 – Sun 22 Nov (Europe/Amsterdam, UTC+1); its windows close Mon 30 Nov 00:00.
const FIRST_MONDAY = new Date("2026-11-23T05:00:00Z"); // Mon 23 Nov 06:00 local
const SECOND_MONDAY = new Date("2026-11-30T05:00:00Z"); // Mon 30 Nov 06:00 local

describe("scheduled report: provisional weeks are regenerated when their windows close", () => {
  let stack: LocalStack;
  let now = FIRST_MONDAY;
  const run = () => createReportHandler({ ...stack.runtime, clock: () => now })({ source: "aws.scheduler" });
  const stored = async (week: string): Promise<Report> => {
    const object = await stack.runtime.objects.get(reportKey(week, "report.json"));
    return ReportSchema.parse(JSON.parse(new TextDecoder().decode(object!.body)));
  };
  const html = async (week: string) => new TextDecoder().decode((await stack.runtime.objects.get(reportKey(week, "report.html")))!.body);

  beforeAll(async () => {
    stack = await startLocalStack({ timeZone: "Europe/Amsterdam", windowDays: 7 });
    await stack.upload("transcripts/a1.json", envelope({ contactId: "a1", customerId: "+31 6 1111 1111", startedAt: "2026-11-20T10:00:00Z", text: BILLING }));
    await stack.upload("transcripts/b1.json", envelope({ contactId: "b1", customerId: "+31 6 2222 2222", startedAt: "2026-11-19T10:00:00Z", text: BILLING }));
    await stack.settle(2);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("first writes the week as provisional, with every first contact resolved so far", async () => {
    const result = await run();
    expect(result.weeks.map((w) => w.week)).toEqual(["2026-W46", "2026-W47"]); // oldest first
    const w47 = await stored("2026-W47");
    expect(w47).toMatchObject({ provisional: true, provisionalUntil: "2026-11-29T23:00:00.000Z", generatedAt: FIRST_MONDAY.toISOString() });
    expect(w47.totals).toMatchObject({ contacts: 2, firstContacts: 2, fcrRate: 1 });
    expect(await html("2026-W47")).toContain('data-provisional="true"');
  });

  it("a week later replaces it with the final figures, and the new week compares against them", async () => {
    // Customer A comes back on Wed 25 Nov (2026-W48), within 7 days of a1: a1 is no longer resolved.
    await stack.upload("transcripts/a2.json", envelope({ contactId: "a2", customerId: "+31 6 1111 1111", startedAt: "2026-11-25T09:00:00Z", text: BILLING }));
    await stack.settle(3);
    // An earlier week's final report stands in for its contacts in the trend (none are stored for W45).
    const w45 = { ...(await stored("2026-W47")), week: "2026-W45", provisional: false, totals: { ...(await stored("2026-W47")).totals, contacts: 999 } };
    await stack.runtime.objects.put(reportKey("2026-W45", "report.json"), JSON.stringify(w45));

    now = SECOND_MONDAY;
    const result = await run();
    expect(result.weeks).toEqual([
      { week: "2026-W47", contacts: 2, provisional: false },
      { week: "2026-W48", contacts: 1, provisional: true },
    ]);
    const w47 = await stored("2026-W47");
    expect(w47).toMatchObject({ provisional: false, generatedAt: SECOND_MONDAY.toISOString() });
    expect(w47.totals).toMatchObject({ contacts: 2, firstContacts: 2, fcrRate: 0.5 });
    const page = await html("2026-W47");
    expect(page).toContain('data-provisional="false"');
    expect(page).not.toContain("Provisional until");

    const w48 = await stored("2026-W48");
    expect(w48.totals).toMatchObject({ contacts: 1, repeatContacts: 1 });
    expect(w48.previousTotals).toMatchObject({ fcrRate: 0.5 }); // the regenerated W47, not the provisional one
    expect(w48.trend.map((p) => [p.week, p.contacts])).toEqual([["2026-W45", 999], ["2026-W47", 2], ["2026-W48", 1]]);
    expect(w48.recommendations).toHaveLength(1);
    expect(w48.recommendations[0]).toMatchObject({ reason: w48.reasons[0]!.reason, repeatContacts: 1, cost: 6 });
  });
});
