import { DateTime } from "luxon";
import { CHANNELS, costOfContact, type Channel, type Config } from "../config.ts";
import { ROOT_CAUSES, type ContactRecord, type RootCause } from "../contact/contact-record.ts";
import { redact } from "../text/redact.ts";
import { shiftWeek, weekBounds } from "../time/iso-week.ts";
import { REPORT_SCHEMA_VERSION, ReportSchema, type Report, type Totals } from "./report-schema.ts";

/** The stored contacts of one ISO week (every role) and how many inputs of that week were quarantined. */
export interface WeekData {
  readonly week: string;
  readonly contacts: readonly ContactRecord[];
  readonly quarantined: number;
  /** Transcripts received in the week that still wait for their contact trace record. */
  readonly awaitingContactRecord?: number;
}

export interface BuildReportInput {
  /** ISO week label of the report, e.g. "2026-W47". */
  readonly week: string;
  readonly current: WeekData;
  /** Up to 8 earlier weeks, in any order; a week that is absent had no data. */
  readonly history: readonly WeekData[];
  readonly config: Config;
  /** The clock: decides `generatedAt` and whether the week is still provisional. */
  readonly now: Date;
}

/** Weeks in the trend: the report's week and up to this many before it. */
const TREND_WEEKS_BEFORE = 7;
const EXAMPLES_PER_CAUSE = 2;
const UNASSIGNED_TEAM = "unassigned";

/**
 * SPEC 5: the weekly report, a pure function of the week's contacts, the earlier weeks' contacts
 * (for links that cross a week boundary, the trend and the week-over-week change) and the clock.
 */
export function buildReport(input: BuildReportInput): Report {
  const { week, current, history, config, now } = input;
  const contacts = current.contacts;
  const repeats = contacts.filter(isRepeat);
  const lookup = indexContacts(current, history);
  const historyByWeek = new Map(history.map((data) => [data.week, data]));

  const { start, end } = weekBounds(week, config.timeZone);
  const provisionalUntil = DateTime.fromJSDate(end, { zone: config.timeZone })
    .plus({ days: config.windowDays })
    .toJSDate();

  const previous = historyByWeek.get(shiftWeek(week, -1));

  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    week,
    weekStart: start.toISOString(),
    weekEnd: end.toISOString(),
    generatedAt: now.toISOString(),
    provisional: now.getTime() < provisionalUntil.getTime(),
    provisionalUntil: provisionalUntil.toISOString(),
    config: {
      windowDays: config.windowDays,
      sameReasonOnly: config.sameReasonOnly,
      timeZone: config.timeZone,
      currency: config.currency,
    },
    totals: computeTotals(current, config),
    previousTotals: previous ? computeTotals(previous, config) : null,
    rootCauses: rootCauseRows(repeats, config),
    reasons: reasonRows(contacts),
    ...agentAndTeamRows(contacts, repeats, lookup),
    channels: channelRows(contacts, config),
    trend: trendPoints(week, current, historyByWeek, config),
    examples: exampleRows(repeats),
    breakdown: breakdownRows(repeats, lookup, config),
  };
  return ReportSchema.parse(report);
}

/** Totals of one week (SPEC 5): volume, customers, first contacts, repeats, FCR, cost. */
export function computeTotals(data: WeekData, config: Config): Totals {
  const contacts = data.contacts;
  const firsts = contacts.filter((c) => c.role === "first");
  const repeats = contacts.filter(isRepeat);
  return {
    contacts: contacts.length,
    customers: new Set(contacts.map((c) => c.customerKey)).size,
    firstContacts: firsts.length,
    repeatContacts: repeats.length,
    repeatRate: ratio(repeats.length, contacts.length),
    fcrRate: ratio(firsts.filter((c) => c.repeatedBy === null).length, firsts.length),
    quarantined: data.quarantined,
    awaitingContactRecord: data.awaitingContactRecord ?? 0,
    abandoned: contacts.filter((c) => c.disposition === "abandoned").length,
    repeatCost: costOf(repeats, config),
  };
}

// --- rows --------------------------------------------------------------------------------------

function rootCauseRows(repeats: readonly ContactRecord[], config: Config): Report["rootCauses"] {
  const byCause = groupBy(repeats, causeOf);
  return ROOT_CAUSES.flatMap((cause) => {
    const group = byCause.get(cause);
    if (!group) return [];
    return [
      {
        cause,
        chains: chainCount(group),
        repeatContacts: group.length,
        share: ratio(group.length, repeats.length),
        cost: costOf(group, config),
      },
    ];
  });
}

function reasonRows(contacts: readonly ContactRecord[]): Report["reasons"] {
  const rows = [...groupBy(contacts, (c) => c.reason)].map(([reason, group]) => {
    const repeats = group.filter(isRepeat);
    return {
      reason,
      contacts: group.length,
      repeatContacts: repeats.length,
      repeatRate: ratio(repeats.length, group.length),
      topRootCause: mostFrequentCause(repeats),
    };
  });
  return rows.sort(
    (a, b) => b.repeatContacts - a.repeatContacts || b.contacts - a.contacts || compareText(a.reason, b.reason),
  );
}

/** One agent or team held responsible for a repeat: whoever handled a contact of the chain that failed. */
interface Failure {
  readonly agentId: string | null;
  readonly team: string | null;
}

function agentAndTeamRows(
  contacts: readonly ContactRecord[],
  repeats: readonly ContactRecord[],
  lookup: ContactLookup,
): Pick<Report, "agents" | "teams"> {
  const agents = new Map<string, { contacts: number; repeatsCaused: number; knowledgeGapRepeats: number }>();
  const teams = new Map<string, { contacts: number; repeatsCaused: number; knowledgeGapRepeats: number }>();
  const row = <K>(map: Map<K, { contacts: number; repeatsCaused: number; knowledgeGapRepeats: number }>, key: K) => {
    let entry = map.get(key);
    if (!entry) map.set(key, (entry = { contacts: 0, repeatsCaused: 0, knowledgeGapRepeats: 0 }));
    return entry;
  };

  for (const contact of contacts) {
    if (contact.agentId !== undefined) row(agents, contact.agentId).contacts++;
    if (contact.team !== undefined) row(teams, contact.team).contacts++;
  }

  for (const repeat of repeats) {
    const knowledgeGap = causeOf(repeat) === "knowledge_gap";
    const failures = failuresOf(repeat, lookup);
    // An agent (or team) that failed twice in one chain still caused this repeat once.
    const failedAgents = new Set(failures.flatMap((f) => (f.agentId === null ? [] : [f.agentId])));
    const failedTeams = new Set(failures.flatMap((f) => (f.team === null ? [] : [f.team])));
    for (const agentId of failedAgents) {
      const entry = row(agents, agentId);
      entry.repeatsCaused++;
      if (knowledgeGap) entry.knowledgeGapRepeats++;
    }
    for (const team of failedTeams) {
      const entry = row(teams, team);
      entry.repeatsCaused++;
      if (knowledgeGap) entry.knowledgeGapRepeats++;
    }
  }

  const byBlame = <T extends { repeatsCaused: number; knowledgeGapRepeats: number }>(
    a: T,
    b: T,
    nameA: string,
    nameB: string,
  ) => b.knowledgeGapRepeats - a.knowledgeGapRepeats || b.repeatsCaused - a.repeatsCaused || compareText(nameA, nameB);

  return {
    agents: [...agents]
      .map(([agentId, counts]) => ({ agentId, team: lookup.teamOfAgent(agentId), ...counts }))
      .sort((a, b) => byBlame(a, b, a.agentId, b.agentId)),
    teams: [...teams]
      .map(([team, counts]) => ({ team, ...counts }))
      .sort((a, b) => byBlame(a, b, a.team, b.team)),
  };
}

/**
 * Who failed before a repeat: the chain attribution's `failedAgents` when present, otherwise the
 * agent of the contact it repeats (found among this week's and earlier weeks' contacts).
 */
function failuresOf(repeat: ContactRecord, lookup: ContactLookup): Failure[] {
  if (repeat.failedAgents !== undefined) {
    return repeat.failedAgents.map((agentId) => ({ agentId, team: lookup.teamOfAgent(agentId) }));
  }
  const failed = repeat.repeatOf === null ? undefined : lookup.byId.get(repeat.repeatOf);
  if (!failed) return [];
  const agentId = failed.agentId ?? null;
  const team = failed.team ?? (agentId === null ? null : lookup.teamOfAgent(agentId));
  return agentId === null && team === null ? [] : [{ agentId, team }];
}

function channelRows(contacts: readonly ContactRecord[], config: Config): Report["channels"] {
  const byChannel = groupBy(contacts, (c) => c.channel);
  return CHANNELS.flatMap((channel: Channel) => {
    const group = byChannel.get(channel);
    if (!group) return [];
    const repeats = group.filter(isRepeat);
    return [
      {
        channel,
        contacts: group.length,
        repeatContacts: repeats.length,
        repeatRate: ratio(repeats.length, group.length),
        cost: costOf(repeats, config),
      },
    ];
  });
}

function trendPoints(
  week: string,
  current: WeekData,
  historyByWeek: ReadonlyMap<string, WeekData>,
  config: Config,
): Report["trend"] {
  const points: Report["trend"] = [];
  for (let back = TREND_WEEKS_BEFORE; back >= 0; back--) {
    const label = shiftWeek(week, -back);
    const data = back === 0 ? current : historyByWeek.get(label);
    if (!data) continue;
    const totals = computeTotals(data, config);
    points.push({ week: label, contacts: totals.contacts, repeatRate: totals.repeatRate, fcrRate: totals.fcrRate });
  }
  return points;
}

function exampleRows(repeats: readonly ContactRecord[]): Report["examples"] {
  const withEvidence = repeats.filter((r) => (r.rootCauseEvidence?.length ?? 0) > 0);
  const byCause = groupBy(withEvidence, causeOf);
  return ROOT_CAUSES.flatMap((cause) =>
    [...(byCause.get(cause) ?? [])]
      .sort(
        (a, b) =>
          (b.rootCauseConfidence ?? 0) - (a.rootCauseConfidence ?? 0) || compareText(a.contactId, b.contactId),
      )
      .slice(0, EXAMPLES_PER_CAUSE)
      .map((r) => ({
        cause,
        contactId: r.contactId,
        // Evidence is redacted at ingest; redacting again costs little and guards the report.
        quote: redact(r.rootCauseEvidence![0]!.text),
        language: r.language,
      })),
  );
}

function breakdownRows(repeats: readonly ContactRecord[], lookup: ContactLookup, config: Config): Report["breakdown"] {
  const rows = new Map<string, { reason: string; rootCause: RootCause; team: string; group: ContactRecord[] }>();
  for (const repeat of repeats) {
    const failed = repeat.repeatOf === null ? undefined : lookup.byId.get(repeat.repeatOf);
    const team = failed?.team ?? repeat.team ?? UNASSIGNED_TEAM;
    const rootCause = causeOf(repeat);
    const key = JSON.stringify([repeat.reason, rootCause, team]);
    let entry = rows.get(key);
    if (!entry) rows.set(key, (entry = { reason: repeat.reason, rootCause, team, group: [] }));
    entry.group.push(repeat);
  }
  return [...rows.values()]
    .map(({ reason, rootCause, team, group }) => ({
      reason,
      rootCause,
      team,
      repeatContacts: group.length,
      chains: chainCount(group),
      cost: costOf(group, config),
    }))
    .sort(
      (a, b) =>
        b.repeatContacts - a.repeatContacts ||
        compareText(a.reason, b.reason) ||
        ROOT_CAUSES.indexOf(a.rootCause) - ROOT_CAUSES.indexOf(b.rootCause) ||
        compareText(a.team, b.team),
    );
}

// --- helpers -----------------------------------------------------------------------------------

interface ContactLookup {
  readonly byId: ReadonlyMap<string, ContactRecord>;
  /** The team of the agent's most recent contact that names a team, or null. */
  teamOfAgent(agentId: string): string | null;
}

function indexContacts(current: WeekData, history: readonly WeekData[]): ContactLookup {
  const byId = new Map<string, ContactRecord>();
  const latestTeam = new Map<string, { at: number; team: string }>();
  // Earlier weeks first, so that the report week's record of a contact wins.
  for (const contact of [...history.flatMap((w) => w.contacts), ...current.contacts]) {
    byId.set(contact.contactId, contact);
    if (contact.agentId === undefined || contact.team === undefined) continue;
    const at = Date.parse(contact.startedAt);
    const known = latestTeam.get(contact.agentId);
    if (!known || at > known.at || (at === known.at && compareText(contact.team, known.team) > 0)) {
      latestTeam.set(contact.agentId, { at, team: contact.team });
    }
  }
  return { byId, teamOfAgent: (agentId) => latestTeam.get(agentId)?.team ?? null };
}

function isRepeat(contact: ContactRecord): boolean {
  return contact.role === "repeat";
}

/** A repeat whose chain has no attributed cause (yet) counts as "other". */
function causeOf(contact: ContactRecord): RootCause {
  return contact.rootCause ?? "other";
}

function mostFrequentCause(repeats: readonly ContactRecord[]): RootCause | null {
  let best: RootCause | null = null;
  let bestCount = 0;
  const counts = groupBy(repeats, causeOf);
  for (const cause of ROOT_CAUSES) {
    const count = counts.get(cause)?.length ?? 0;
    if (count > bestCount) [best, bestCount] = [cause, count];
  }
  return best;
}

function chainCount(repeats: readonly ContactRecord[]): number {
  return new Set(repeats.map((r) => r.chainId ?? r.contactId)).size;
}

function costOf(contacts: readonly ContactRecord[], config: Config): number {
  const total = contacts.reduce((sum, c) => sum + costOfContact(config, c.channel), 0);
  return Math.round(total * 100) / 100;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Code-point order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
