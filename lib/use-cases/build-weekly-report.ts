import { z } from "zod";
import type { Config } from "../config.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { buildReport, TREND_WEEKS_BEFORE, type HistoryWeek, type WeekSource, type WeekSummary } from "../report/aggregate.ts";
import { REPORT_SCHEMA_VERSION, TotalsSchema, type Report } from "../report/report-schema.ts";
import { renderCsv } from "../report/render-csv.ts";
import { renderHtml } from "../report/render-html.ts";
import { previousWeek, shiftWeek } from "../time/iso-week.ts";

/** Weeks a report covers: its own and the ones before it in the trend. */
export const TREND_WEEKS = TREND_WEEKS_BEFORE + 1;

export interface ReportDeps {
  config: Config;
  objects: ObjectStore;
  contacts: Pick<ContactStore, "streamContactsOfWeek" | "quarantineOfWeek" | "pendingOfWeek" | "getContact">;
  clock: () => Date;
}

export const reportKey = (week: string, file: "report.json" | "report.html" | "report.csv") => `reports/${week}/${file}`;

/**
 * What an earlier week's report.json must hold to stand in for reading that week's contacts again:
 * a final report (no window still open) of this schema, with its totals and agents' teams.
 */
const FinalReportSummarySchema = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    week: z.string(),
    provisional: z.literal(false),
    totals: TotalsSchema,
    agents: z.array(z.object({ agentId: z.string(), team: z.string().nullable() }).loose()),
  })
  .loose();

/**
 * Aggregates one ISO week and writes report.json, report.html and report.csv under
 * reports/<week>/. Only the week's own contacts are read (streamed through the byWeek index);
 * the trend takes the earlier weeks from their final reports, and reads a week's contacts only
 * when it has none (never reported, or still provisional when it was). Writing the same week
 * again replaces its report; S3 versioning keeps the earlier ones.
 */
export async function buildWeeklyReport(week: string, deps: ReportDeps): Promise<Report> {
  const earlier = Array.from({ length: TREND_WEEKS_BEFORE }, (_, i) => shiftWeek(week, -(i + 1)));
  const history: HistoryWeek[] = await Promise.all(
    earlier.map(async (w) => (await storedSummary(w, deps.objects)) ?? (await weekSource(w, deps))),
  );
  const report = await buildReport({
    week,
    current: await weekSource(week, deps),
    history,
    config: deps.config,
    now: deps.clock(),
    findContact: (contactId) => deps.contacts.getContact(contactId),
  });
  await Promise.all([
    deps.objects.put(reportKey(week, "report.json"), `${JSON.stringify(report, null, 2)}\n`, { contentType: "application/json" }),
    deps.objects.put(reportKey(week, "report.html"), renderHtml(report), { contentType: "text/html; charset=utf-8" }),
    deps.objects.put(reportKey(week, "report.csv"), renderCsv(report), { contentType: "text/csv; charset=utf-8" }),
  ]);
  return report;
}

async function weekSource(week: string, deps: ReportDeps): Promise<WeekSource> {
  const [quarantined, awaiting] = await Promise.all([deps.contacts.quarantineOfWeek(week), deps.contacts.pendingOfWeek(week)]);
  return { week, contacts: deps.contacts.streamContactsOfWeek(week), quarantined: quarantined.length, awaitingContactRecord: awaiting.length };
}

/** The week's final report as a summary, or undefined when there is none to trust. */
async function storedSummary(week: string, objects: ObjectStore): Promise<WeekSummary | undefined> {
  const object = await objects.get(reportKey(week, "report.json"));
  if (!object) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(object.body));
  } catch {
    return undefined;
  }
  const parsed = FinalReportSummarySchema.safeParse(json);
  if (!parsed.success || parsed.data.week !== week) return undefined;
  const agentTeams = new Map(parsed.data.agents.flatMap((a) => (a.team === null ? [] : [[a.agentId, a.team] as const])));
  return { week, totals: parsed.data.totals, agentTeams };
}

/**
 * The weekly schedule's work, oldest first: the earlier weeks whose repeat windows may have closed
 * since their last (provisional) report, then the week that just ended, whose trend and
 * "against last week" figures then read the regenerated reports.
 */
export function scheduledWeeks(now: Date, config: Config): string[] {
  const last = previousWeek(now, config.timeZone);
  const reopened = Math.ceil(config.windowDays / 7);
  return Array.from({ length: reopened + 1 }, (_, i) => shiftWeek(last, i - reopened));
}
