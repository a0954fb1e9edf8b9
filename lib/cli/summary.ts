import Table from "cli-table3";
import type { Report } from "../report/report-schema.ts";

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);

/** The closing table of a run: per week contacts, repeats, repeat rate, FCR and the top root cause. */
export function summaryTable(weeks: readonly { week: string; report: Report }[]): string {
  const table = new Table({
    head: ["week", "contacts", "repeats", "repeat rate", "FCR", "top root cause", "quarantined"],
    style: { head: [], border: [] },
  });
  for (const { week, report } of weeks) {
    const top = [...report.rootCauses].sort((a, b) => b.repeatContacts - a.repeatContacts)[0];
    table.push([
      week,
      report.totals.contacts,
      report.totals.repeatContacts,
      pct(report.totals.repeatRate),
      `${pct(report.totals.fcrRate)}${report.provisional ? " (provisional)" : ""}`,
      top ? `${top.cause} (${top.repeatContacts})` : "–",
      report.totals.quarantined,
    ]);
  }
  return table.toString();
}
