import { DateTime } from "luxon";
import { CHANNELS, costOfContact, type Channel, type Config } from "../config.ts";
import { ROOT_CAUSES, type ContactRecord, type RootCause } from "../contact/contact-record.ts";
import { redact } from "../text/redact.ts";
import { shiftWeek, weekBounds } from "../time/iso-week.ts";
import { DistinctCounter } from "./distinct-counter.ts";
import { recommend, type Cell } from "./recommendations.ts";
import { REPORT_SCHEMA_VERSION, ReportSchema, type Report, type Totals } from "./report-schema.ts";

/** One week's stored contacts, read as a stream in any order, and its inputs that are not contacts. */
export interface WeekSource {
  readonly week: string;
  readonly contacts: AsyncIterable<ContactRecord> | Iterable<ContactRecord>;
  readonly quarantined: number;
  /** Transcripts received in the week that still wait for their contact trace record. */
  readonly awaitingContactRecord?: number;
}

/** An earlier week as its own final report summed it up, so its contacts need not be read again. */
export interface WeekSummary {
  readonly week: string;
  readonly totals: Totals;
  /** Agent → team, as that report knew them. */
  readonly agentTeams: ReadonlyMap<string, string>;
}

export type HistoryWeek = WeekSource | WeekSummary;

/** What the report needs of the contact a repeat follows, for repeats stored without `failedAgents`. */
export type FailedContact = Pick<ContactRecord, "agentId" | "team">;

export interface BuildReportInput {
  /** ISO week label of the report, e.g. "2026-W47". */
  readonly week: string;
  readonly current: WeekSource;
  /** Up to 7 earlier weeks, in any order; a week that is absent had no data. */
  readonly history: readonly HistoryWeek[];
  readonly config: Config;
  /** The clock: decides `generatedAt` and whether the week is still provisional. */
  readonly now: Date;
  /**
   * Point lookup of a contact by id. Only repeats whose chain attribution did not record its
   * failed agents (records written before attribution did) need it; without it they blame nobody.
   */
  readonly findContact?: (contactId: string) => Promise<FailedContact | undefined>;
}

/** Weeks in the trend: the report's week and up to this many before it. */
export const TREND_WEEKS_BEFORE = 7;
const EXAMPLES_PER_CAUSE = 2;
export const UNASSIGNED_TEAM = "unassigned";
/** Agents with fewer contacts in the week are not ranked: one contact says nothing about anyone. */
export const MIN_AGENT_CONTACTS = 3;

/**
 * SPEC 5: the weekly report. Reads each week's contacts once, as a stream, never holding them:
 * counts per reason, cause, channel, team and agent, the two best examples per cause, and distinct
 * counters of customers and chains, exact up to 100,000 values each and a 16 KiB HyperLogLog
 * sketch beyond. The only memory that grows with the week is the chain ids of its repeats (for
 * exact chain counts per cause and per breakdown row), until those counters reach their limit:
 * 50 MiB of live heap at 1,000,000 contacts against 40 MiB at 100,000 (npm run bench:report). Order of contacts and of weeks does
 * not matter. Earlier weeks come either as contacts or as the summary of their own final report.
 */
export async function buildReport(input: BuildReportInput): Promise<Report> {
  const { week, current, history, config, now } = input;
  const teams = new AgentTeams();
  const currentWeek = new WeekTally(config, teams);
  const historyTotals = new Map<string, Totals>();

  for (const data of history) {
    if (isSummary(data)) {
      if (hasInput(data.totals)) historyTotals.set(data.week, data.totals);
      teams.seed(data.agentTeams, weekBounds(data.week, config.timeZone).start.getTime());
      continue;
    }
    const totals = new TotalsTally(config);
    for await (const contact of data.contacts) {
      totals.add(contact);
      teams.see(contact);
    }
    const result = totals.result(data);
    if (hasInput(result)) historyTotals.set(data.week, result);
  }
  for await (const contact of current.contacts) currentWeek.add(contact);
  await currentWeek.resolvePending(input.findContact);

  const { start, end } = weekBounds(week, config.timeZone);
  const provisionalUntil = DateTime.fromJSDate(end, { zone: config.timeZone }).plus({ days: config.windowDays }).toJSDate();
  const totals = currentWeek.totals.result(current);
  const estimatedCounts: string[] = [];
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
    totals,
    previousTotals: historyTotals.get(shiftWeek(week, -1)) ?? null,
    ...currentWeek.rows(estimatedCounts),
    trend: trendPoints(week, totals, historyTotals),
    estimatedCounts,
  };
  if (currentWeek.totals.customers.estimated) estimatedCounts.unshift("totals.customers");
  return ReportSchema.parse(report);
}

/** A week without any input is a gap in the trend (and no "last week" to compare with), not a week of zeros. */
function hasInput(totals: Totals): boolean {
  return totals.contacts > 0 || totals.quarantined > 0 || totals.awaitingContactRecord > 0;
}

function isSummary(week: HistoryWeek): week is WeekSummary {
  return "totals" in week;
}

function trendPoints(week: string, current: Totals, history: ReadonlyMap<string, Totals>): Report["trend"] {
  const points: Report["trend"] = [];
  for (let back = TREND_WEEKS_BEFORE; back >= 0; back--) {
    const label = shiftWeek(week, -back);
    const totals = back === 0 ? current : history.get(label);
    if (totals) points.push({ week: label, contacts: totals.contacts, repeatRate: totals.repeatRate, fcrRate: totals.fcrRate });
  }
  return points;
}

// --- tallies -----------------------------------------------------------------------------------

/** Contacts per channel: cost is computed once at the end, so it does not depend on the order of sums. */
class ChannelCounts {
  private readonly counts = new Map<Channel, number>();

  add(channel: Channel, n = 1): void {
    this.counts.set(channel, (this.counts.get(channel) ?? 0) + n);
  }

  merge(other: ChannelCounts): void {
    for (const [channel, n] of other.counts) this.add(channel, n);
  }

  cost(config: Config): number {
    let total = 0;
    for (const [channel, n] of this.counts) total += n * costOfContact(config, channel);
    return Math.round(total * 100) / 100;
  }
}

/** Repeat contacts of a group: how many, their cost, and (optionally) how many chains they belong to. */
class RepeatTally {
  repeats = 0;
  readonly channels = new ChannelCounts();
  readonly chains: DistinctCounter | null;

  constructor(countChains: boolean) {
    this.chains = countChains ? new DistinctCounter() : null;
  }

  add(repeat: Pick<ContactRecord, "channel" | "chainId" | "contactId">): void {
    this.repeats++;
    this.channels.add(repeat.channel);
    this.chains?.add(repeat.chainId ?? repeat.contactId);
  }

  merge(other: RepeatTally): void {
    this.repeats += other.repeats;
    this.channels.merge(other.channels);
    if (other.chains) this.chains?.merge(other.chains);
  }
}

/** Totals of one week (SPEC 5): volume, customers, first contacts, repeats, FCR, cost. */
class TotalsTally {
  contacts = 0;
  readonly customers = new DistinctCounter();
  firsts = 0;
  resolvedFirsts = 0;
  abandoned = 0;
  readonly repeats = new RepeatTally(false);

  constructor(private readonly config: Config) {}

  add(contact: ContactRecord): void {
    this.contacts++;
    this.customers.add(contact.customerKey);
    if (contact.role === "first") {
      this.firsts++;
      if (contact.repeatedBy === null) this.resolvedFirsts++;
    }
    if (contact.role === "repeat") this.repeats.add(contact);
    if (contact.disposition === "abandoned") this.abandoned++;
  }

  result(data: Pick<WeekSource, "quarantined" | "awaitingContactRecord">): Totals {
    return {
      contacts: this.contacts,
      customers: this.customers.size,
      firstContacts: this.firsts,
      repeatContacts: this.repeats.repeats,
      repeatRate: ratio(this.repeats.repeats, this.contacts),
      fcrRate: ratio(this.resolvedFirsts, this.firsts),
      quarantined: data.quarantined,
      awaitingContactRecord: data.awaitingContactRecord ?? 0,
      abandoned: this.abandoned,
      repeatCost: this.repeats.channels.cost(this.config),
    };
  }
}

/** The team of each agent's most recent contact that names one (one entry per agent). */
class AgentTeams {
  private readonly latest = new Map<string, { at: number; team: string }>();

  see(contact: Pick<ContactRecord, "agentId" | "team" | "startedAt">): void {
    if (contact.agentId !== undefined && contact.team !== undefined) this.offer(contact.agentId, contact.team, Date.parse(contact.startedAt));
  }

  /** Teams from an earlier week's report, as of that week's start (any contact read later is newer). */
  seed(agentTeams: ReadonlyMap<string, string>, at: number): void {
    for (const [agentId, team] of agentTeams) this.offer(agentId, team, at);
  }

  teamOf(agentId: string): string | null {
    return this.latest.get(agentId)?.team ?? null;
  }

  private offer(agentId: string, team: string, at: number): void {
    const known = this.latest.get(agentId);
    if (!known || at > known.at || (at === known.at && compareText(team, known.team) > 0)) this.latest.set(agentId, { at, team });
  }
}

/** Repeats that failed at the same agents; `team` when a lookup found the failed contact's own team. */
interface Failure {
  agents: string[];
  team?: string | undefined;
  repeats: number;
  knowledgeGap: number;
}

interface Blame {
  contacts: number;
  repeatsCaused: number;
  knowledgeGapRepeats: number;
}

/** A repeat stored without `failedAgents`: resolved through a point lookup of the contact it repeats. */
interface PendingRepeat {
  readonly repeatOf: string | null;
  readonly knowledgeGap: boolean;
  readonly reason: string;
  readonly cause: RootCause;
  readonly team: string | undefined;
  readonly tally: RepeatTally;
}

type Example = Report["examples"][number] & { readonly confidence: number };

/**
 * The report week's tallies. Memory: one entry per reason, cause, channel, team, agent and set of
 * failed agents; the two best examples per cause; distinct counters bounded as DistinctCounter
 * says (chain ids are held per cause and per reason × cause × failed agent). Repeats without recorded failed agents are kept until their lookups (none in data written
 * by the current ingest, which records them for every repeat).
 */
class WeekTally {
  readonly totals: TotalsTally;
  private readonly causes = new Map<RootCause, RepeatTally>();
  private readonly reasons = new Map<string, { contacts: number; tally: RepeatTally; causes: number[] }>();
  private readonly channels = new Map<Channel, { contacts: number; tally: RepeatTally }>();
  private readonly agents = new Map<string, Blame>();
  private readonly teamContacts = new Map<string, number>();
  /** Repeats by the set of agents that failed before them: teams are known only once every week is read. */
  private readonly failures = new Map<string, Failure>();
  /** Reason × cause × (last failed agent | team of the repeat): the breakdown before agents are mapped to teams. */
  private readonly cells = new Map<string, { reason: string; cause: RootCause; agentId: string | null; team: string | null; tally: RepeatTally }>();
  private readonly knowledgeGapsByReason = new Map<string, Map<string, number>>();
  private readonly examples = new Map<RootCause, Example[]>();
  private readonly pending: PendingRepeat[] = [];

  constructor(
    private readonly config: Config,
    private readonly teams: AgentTeams,
  ) {
    this.totals = new TotalsTally(config);
  }

  add(contact: ContactRecord): void {
    this.totals.add(contact);
    this.teams.see(contact);
    const reason = getOrAdd(this.reasons, contact.reason, () => ({ contacts: 0, tally: new RepeatTally(false), causes: ROOT_CAUSES.map(() => 0) }));
    reason.contacts++;
    const channel = getOrAdd(this.channels, contact.channel, () => ({ contacts: 0, tally: new RepeatTally(false) }));
    channel.contacts++;
    if (contact.agentId !== undefined) this.blame(contact.agentId).contacts++;
    if (contact.team !== undefined) this.teamContacts.set(contact.team, (this.teamContacts.get(contact.team) ?? 0) + 1);
    if (contact.role !== "repeat") return;

    // A repeat whose chain has no attributed cause (yet) counts as "other".
    const cause = contact.rootCause ?? "other";
    const knowledgeGap = cause === "knowledge_gap";
    reason.tally.add(contact);
    reason.causes[ROOT_CAUSES.indexOf(cause)]!++;
    channel.tally.add(contact);
    getOrAdd(this.causes, cause, () => new RepeatTally(true)).add(contact);
    this.offerExample(contact, cause);

    if (contact.failedAgents === undefined) {
      const tally = new RepeatTally(true);
      tally.add(contact);
      this.pending.push({ repeatOf: contact.repeatOf, knowledgeGap, reason: contact.reason, cause, team: contact.team, tally });
      return;
    }
    // An agent who failed twice in one chain still caused this repeat once.
    const failed = [...new Set(contact.failedAgents)].sort(compareText);
    for (const agentId of failed) this.countFailure(agentId, contact.reason, knowledgeGap);
    const key = JSON.stringify(failed);
    const failure = getOrAdd(this.failures, key, (): Failure => ({ agents: failed, repeats: 0, knowledgeGap: 0 }));
    failure.repeats++;
    if (knowledgeGap) failure.knowledgeGap++;
    const lastAgent = contact.failedAgents.at(-1) ?? null;
    this.cell(contact.reason, cause, lastAgent, lastAgent === null ? (contact.team ?? null) : null).add(contact);
  }

  /** Looks up the failed contacts of the repeats that did not record their failed agents. */
  async resolvePending(findContact: BuildReportInput["findContact"]): Promise<void> {
    for (const repeat of this.pending) {
      const failed = repeat.repeatOf === null ? undefined : await findContact?.(repeat.repeatOf);
      const agentId = failed?.agentId ?? null;
      if (agentId !== null) this.countFailure(agentId, repeat.reason, repeat.knowledgeGap);
      if (agentId !== null || failed?.team !== undefined) {
        const key = JSON.stringify(["looked up", agentId, failed?.team ?? null]);
        const failure = getOrAdd(this.failures, key, () => ({ agents: agentId === null ? [] : [agentId], team: failed?.team, repeats: 0, knowledgeGap: 0 }));
        failure.repeats++;
        if (repeat.knowledgeGap) failure.knowledgeGap++;
      }
      // The breakdown names the failed contact's own team, else the repeat's.
      this.cell(repeat.reason, repeat.cause, null, failed?.team ?? repeat.team ?? null).merge(repeat.tally);
    }
    this.pending.length = 0;
  }

  rows(estimated: string[]): Pick<Report, "rootCauses" | "reasons" | "agents" | "teams" | "channels" | "examples" | "breakdown" | "recommendations"> {
    const { config } = this;
    const totalRepeats = this.totals.repeats.repeats;
    const note = (path: string, counter: DistinctCounter | null) => {
      if (counter?.estimated && !estimated.includes(path)) estimated.push(path);
      return counter?.size ?? 0;
    };

    const rootCauses = ROOT_CAUSES.flatMap((cause) => {
      const tally = this.causes.get(cause);
      if (!tally) return [];
      return [{ cause, chains: note("rootCauses.chains", tally.chains), repeatContacts: tally.repeats, share: ratio(tally.repeats, totalRepeats), cost: tally.channels.cost(config) }];
    });

    const reasons = [...this.reasons]
      .map(([reason, r]) => ({
        reason,
        contacts: r.contacts,
        repeatContacts: r.tally.repeats,
        repeatRate: ratio(r.tally.repeats, r.contacts),
        topRootCause: mostFrequent(r.causes),
        cost: r.tally.channels.cost(config),
      }))
      .sort((a, b) => b.repeatContacts - a.repeatContacts || b.contacts - a.contacts || compareText(a.reason, b.reason));

    const breakdownTallies = this.breakdownTallies();
    const breakdown = [...breakdownTallies.values()]
      .map(({ reason, rootCause, team, tally }) => ({
        reason,
        rootCause,
        team,
        repeatContacts: tally.repeats,
        chains: note("breakdown.chains", tally.chains),
        cost: tally.channels.cost(config),
      }))
      .sort(
        (a, b) =>
          b.repeatContacts - a.repeatContacts ||
          compareText(a.reason, b.reason) ||
          ROOT_CAUSES.indexOf(a.rootCause) - ROOT_CAUSES.indexOf(b.rootCause) ||
          compareText(a.team, b.team),
      );

    const agents = [...this.agents]
      .map(([agentId, blame]) => ({ agentId, team: this.teams.teamOf(agentId), ...blame }))
      .sort((a, b) => byBlame(a, b) || compareText(a.agentId, b.agentId));

    return {
      rootCauses,
      reasons,
      agents,
      teams: this.teamRows(),
      channels: CHANNELS.flatMap((channel) => {
        const c = this.channels.get(channel);
        if (!c) return [];
        return [{ channel, contacts: c.contacts, repeatContacts: c.tally.repeats, repeatRate: ratio(c.tally.repeats, c.contacts), cost: c.tally.channels.cost(config) }];
      }),
      examples: ROOT_CAUSES.flatMap((cause) =>
        (this.examples.get(cause) ?? []).map(({ confidence: _, ...example }) => ({
          ...example,
          // Evidence is redacted at ingest; redacting again costs little and guards the report.
          quote: redact(example.quote),
        })),
      ),
      breakdown,
      recommendations: recommend(this.recommendationCells(breakdownTallies, agents, estimated), totalRepeats, UNASSIGNED_TEAM),
    };
  }

  private blame(agentId: string): Blame {
    return getOrAdd(this.agents, agentId, () => ({ contacts: 0, repeatsCaused: 0, knowledgeGapRepeats: 0 }));
  }

  private countFailure(agentId: string, reason: string, knowledgeGap: boolean): void {
    const blame = this.blame(agentId);
    blame.repeatsCaused++;
    if (!knowledgeGap) return;
    blame.knowledgeGapRepeats++;
    const byAgent = getOrAdd(this.knowledgeGapsByReason, reason, () => new Map<string, number>());
    byAgent.set(agentId, (byAgent.get(agentId) ?? 0) + 1);
  }

  private cell(reason: string, cause: RootCause, agentId: string | null, team: string | null): RepeatTally {
    const key = JSON.stringify([reason, cause, agentId, team]);
    return getOrAdd(this.cells, key, () => ({ reason, cause, agentId, team, tally: new RepeatTally(true) })).tally;
  }

  private offerExample(repeat: ContactRecord, cause: RootCause): void {
    const evidence = repeat.rootCauseEvidence?.[0];
    if (!evidence) return;
    const examples = getOrAdd(this.examples, cause, () => []);
    // Repeats of one chain carry the chain's evidence: the same sentence is quoted once, at its best.
    const same = examples.findIndex((e) => e.quote === evidence.text);
    if (same >= 0) {
      const kept = examples[same]!;
      const confidence = repeat.rootCauseConfidence ?? 0;
      if (confidence < kept.confidence || (confidence === kept.confidence && compareText(repeat.contactId, kept.contactId) >= 0)) return;
      examples.splice(same, 1);
    }
    examples.push({ cause, contactId: repeat.contactId, quote: evidence.text, language: repeat.language, confidence: repeat.rootCauseConfidence ?? 0 });
    // Most confident first, contact id breaking ties: the same two whatever the reading order.
    examples.sort((a, b) => b.confidence - a.confidence || compareText(a.contactId, b.contactId));
    examples.length = Math.min(examples.length, EXAMPLES_PER_CAUSE);
  }

  /** The breakdown rows, now that every agent's latest team is known: reason × cause × team of the failed contact. */
  private breakdownTallies(): Map<string, { reason: string; rootCause: RootCause; team: string; tally: RepeatTally }> {
    const rows = new Map<string, { reason: string; rootCause: RootCause; team: string; tally: RepeatTally }>();
    for (const [cellKey, { reason, cause, agentId, team, tally }] of this.cells) {
      // Each cell's chain ids move into its row: the two copies are never all alive at once.
      this.cells.delete(cellKey);
      const resolved = (agentId === null ? team : this.teams.teamOf(agentId)) ?? UNASSIGNED_TEAM;
      const key = JSON.stringify([reason, cause, resolved]);
      getOrAdd(rows, key, () => ({ reason, rootCause: cause, team: resolved, tally: new RepeatTally(true) })).tally.merge(tally);
    }
    return rows;
  }

  private teamRows(): Report["teams"] {
    const rows = new Map<string, Blame>();
    const row = (team: string) => getOrAdd(rows, team, () => ({ contacts: 0, repeatsCaused: 0, knowledgeGapRepeats: 0 }));
    for (const [team, contacts] of this.teamContacts) row(team).contacts += contacts;
    for (const failure of this.failures.values()) {
      // A team with two failed agents in one chain still caused the repeat once.
      const teams = failure.team !== undefined ? [failure.team] : [...new Set(failure.agents.flatMap((a) => this.teams.teamOf(a) ?? []))];
      for (const team of teams) {
        const entry = row(team);
        entry.repeatsCaused += failure.repeats;
        entry.knowledgeGapRepeats += failure.knowledgeGap;
      }
    }
    return [...rows].map(([team, blame]) => ({ team, ...blame })).sort((a, b) => byBlame(a, b) || compareText(a.team, b.team));
  }

  private recommendationCells(
    breakdown: ReadonlyMap<string, { reason: string; rootCause: RootCause; team: string; tally: RepeatTally }>,
    agents: Report["agents"],
    estimated: string[],
  ): Cell[] {
    const cells = new Map<string, { reason: string; rootCause: RootCause; tally: RepeatTally; teams: { team: string; repeatContacts: number }[] }>();
    for (const row of breakdown.values()) {
      const cell = getOrAdd(cells, JSON.stringify([row.reason, row.rootCause]), () => ({ reason: row.reason, rootCause: row.rootCause, tally: new RepeatTally(true), teams: [] }));
      cell.tally.merge(row.tally);
      cell.teams.push({ team: row.team, repeatContacts: row.tally.repeats });
    }
    const comparable = new Set(agents.filter((a) => a.contacts >= MIN_AGENT_CONTACTS).map((a) => a.agentId));
    return [...cells.values()].map(({ reason, rootCause, tally, teams }) => {
      if (tally.chains?.estimated && !estimated.includes("recommendations.chains")) estimated.push("recommendations.chains");
      return {
        reason,
        rootCause,
        repeatContacts: tally.repeats,
        chains: tally.chains?.size ?? 0,
        cost: tally.channels.cost(this.config),
        teams: teams.sort((a, b) => b.repeatContacts - a.repeatContacts || compareText(a.team, b.team)),
        agents: [...(this.knowledgeGapsByReason.get(reason) ?? [])]
          .filter(([agentId]) => comparable.has(agentId))
          .map(([agentId, knowledgeGapRepeats]) => ({ agentId, knowledgeGapRepeats }))
          .sort((a, b) => b.knowledgeGapRepeats - a.knowledgeGapRepeats || compareText(a.agentId, b.agentId)),
      };
    });
  }
}

// --- helpers -----------------------------------------------------------------------------------

function byBlame(a: Blame, b: Blame): number {
  return b.knowledgeGapRepeats - a.knowledgeGapRepeats || b.repeatsCaused - a.repeatsCaused;
}

function mostFrequent(counts: readonly number[]): RootCause | null {
  let best: RootCause | null = null;
  let bestCount = 0;
  ROOT_CAUSES.forEach((cause, i) => {
    if (counts[i]! > bestCount) [best, bestCount] = [cause, counts[i]!];
  });
  return best;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Code-point order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
