import type { Config } from "../config.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { buildReport, type WeekData } from "../report/aggregate.ts";
import type { Report } from "../report/report-schema.ts";
import { renderCsv } from "../report/render-csv.ts";
import { renderHtml } from "../report/render-html.ts";
import { previousWeek, shiftWeek } from "../time/iso-week.ts";

/** Weeks a report reads: its own and the 7 before, for the trend. */
export const TREND_WEEKS = 8;

export interface ReportDeps {
  config: Config;
  objects: ObjectStore;
  contacts: ContactStore;
  clock: () => Date;
}

export const reportKey = (week: string, file: "report.json" | "report.html" | "report.csv") => `reports/${week}/${file}`;

/**
 * Aggregates one ISO week from the store (the week itself and up to 7 weeks before it, for the
 * trend) and writes report.json, report.html and report.csv under reports/<week>/. Writing the
 * same week again replaces its report (S3 versioning keeps the earlier ones).
 */
export async function buildWeeklyReport(week: string, deps: ReportDeps): Promise<Report> {
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => shiftWeek(week, -i));
  const data: WeekData[] = await Promise.all(
    weeks.map(async (w) => {
      const [contacts, quarantined, awaiting] = await Promise.all([
        deps.contacts.contactsOfWeek(w),
        deps.contacts.quarantineOfWeek(w),
        deps.contacts.pendingOfWeek(w),
      ]);
      return { week: w, contacts, quarantined: quarantined.length, awaitingContactRecord: awaiting.length };
    }),
  );
  const [current, ...history] = data;
  const report = buildReport({ week, current: current!, history, config: deps.config, now: deps.clock() });
  await Promise.all([
    deps.objects.put(reportKey(week, "report.json"), `${JSON.stringify(report, null, 2)}\n`, { contentType: "application/json" }),
    deps.objects.put(reportKey(week, "report.html"), renderHtml(report), { contentType: "text/html; charset=utf-8" }),
    deps.objects.put(reportKey(week, "report.csv"), renderCsv(report), { contentType: "text/csv; charset=utf-8" }),
  ]);
  return report;
}

/**
 * The weekly schedule's work: the week that just ended, and the earlier weeks whose repeat
 * windows may have closed since their last (provisional) report.
 */
export function scheduledWeeks(now: Date, config: Config): string[] {
  const last = previousWeek(now, config.timeZone);
  const reopened = Math.ceil(config.windowDays / 7);
  return Array.from({ length: reopened + 1 }, (_, i) => shiftWeek(last, -i));
}
