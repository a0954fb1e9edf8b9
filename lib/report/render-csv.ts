import { stringify } from "csv-stringify/sync";
import type { Report } from "./report-schema.ts";

export const CSV_COLUMNS = ["week", "reason", "root_cause", "team", "repeat_contacts", "chains", "cost", "currency"] as const;

/**
 * report.csv (SPEC 5): one row per breakdown row (reason × root cause × team of the failed
 * contact); a week without repeats gives the header only. Fields are quoted as RFC 4180 asks
 * (comma, quote or line break → quoted, quotes doubled); records end in "\n". Text cells that a
 * spreadsheet would run as a formula (=, +, -, @ …) are prefixed with an apostrophe: team names
 * come from input files.
 */
export function renderCsv(report: Report): string {
  const rows = report.breakdown.map((row) => ({
    week: report.week,
    reason: row.reason,
    root_cause: row.rootCause,
    team: row.team,
    repeat_contacts: row.repeatContacts,
    chains: row.chains,
    cost: row.cost.toFixed(2),
    currency: report.config.currency,
  }));
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    record_delimiter: "unix",
    escape_formulas: true,
  });
}
