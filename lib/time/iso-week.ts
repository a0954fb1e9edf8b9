import { DateTime } from "luxon";

/** ISO week label such as "2026-W47" of an instant, in the configured time zone. */
export function isoWeekOf(instant: string | Date, timeZone: string): string {
  const dt = toZoned(instant, timeZone);
  return formatWeek(dt.weekYear, dt.weekNumber);
}

export function formatWeek(weekYear: number, weekNumber: number): string {
  return `${weekYear}-W${String(weekNumber).padStart(2, "0")}`;
}

const WEEK_LABEL = /^(\d{4})-W(\d{2})$/;

export function isWeekLabel(label: string): boolean {
  const match = WEEK_LABEL.exec(label);
  if (!match) return false;
  const dt = DateTime.fromObject({ weekYear: Number(match[1]), weekNumber: Number(match[2]), weekday: 1 });
  return dt.isValid && formatWeek(dt.weekYear, dt.weekNumber) === label;
}

/** Monday 00:00 and the next Monday 00:00 of an ISO week in a time zone, as UTC instants. */
export function weekBounds(label: string, timeZone: string): { start: Date; end: Date } {
  const match = WEEK_LABEL.exec(label);
  if (!match) throw new RangeError(`not an ISO week label: ${label}`);
  const start = DateTime.fromObject(
    { weekYear: Number(match[1]), weekNumber: Number(match[2]), weekday: 1 },
    { zone: timeZone },
  ).startOf("day");
  return { start: start.toJSDate(), end: start.plus({ weeks: 1 }).toJSDate() };
}

export function shiftWeek(label: string, weeks: number): string {
  const { start } = weekBounds(label, "UTC");
  const dt = DateTime.fromJSDate(start, { zone: "UTC" }).plus({ weeks });
  return formatWeek(dt.weekYear, dt.weekNumber);
}

/** The ISO week that ended most recently before `now` (what Monday's schedule reports on). */
export function previousWeek(now: Date, timeZone: string): string {
  return shiftWeek(isoWeekOf(now, timeZone), -1);
}

export function toZoned(instant: string | Date, timeZone: string): DateTime {
  const dt = typeof instant === "string" ? DateTime.fromISO(instant, { zone: timeZone }) : DateTime.fromJSDate(instant, { zone: timeZone });
  if (!dt.isValid) throw new RangeError(`invalid instant or time zone: ${String(instant)} ${timeZone}`);
  return dt;
}
