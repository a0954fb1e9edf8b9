import { z } from "zod";
import { ChannelSchema } from "../config.ts";
import { RootCauseSchema } from "../contact/contact-record.ts";

export const REPORT_SCHEMA_VERSION = 1;

const Rate = z.number().min(0).max(1).nullable();
const Count = z.number().int().nonnegative();
const Money = z.number().nonnegative();

export const TotalsSchema = z.object({
  contacts: Count,
  customers: Count,
  firstContacts: Count,
  repeatContacts: Count,
  /** repeatContacts / contacts of the week; null when the week has no contacts. */
  repeatRate: Rate,
  /** first contacts of the week with no repeat within the window / first contacts of the week. */
  fcrRate: Rate,
  quarantined: Count,
  /** Transcripts received this week still waiting for their contact trace record (not yet contacts). */
  awaitingContactRecord: Count,
  abandoned: Count,
  repeatCost: Money,
});
export type Totals = z.infer<typeof TotalsSchema>;

export const RecommendationSchema = z.object({
  rank: z.number().int().positive(),
  reason: z.string(),
  rootCause: RootCauseSchema,
  repeatContacts: Count,
  chains: Count,
  cost: Money,
  /** Share of the week's repeat contacts. */
  share: Rate,
  /** What the cell is about, e.g. "Refund approvals". */
  topic: z.string(),
  /** What to do, e.g. "consider raising the agent authority limit …". */
  action: z.string(),
  /** The whole recommendation as one sentence, e.g. "Refund approvals: 23 repeats from procedure limits — …". */
  text: z.string(),
  /** The team whose failed contacts hold most of the cell's repeats, when one does. */
  team: z.object({ team: z.string(), repeatContacts: Count }).nullable(),
  /** Knowledge-gap cells: the agents (with enough contacts to compare) with most such repeats of this reason. */
  agents: z.array(z.object({ agentId: z.string(), knowledgeGapRepeats: Count })),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

/** SPEC 5: the weekly report. Field names are the contract; additions only, never renames. */
export const ReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  week: z.string().regex(/^\d{4}-W\d{2}$/),
  weekStart: z.string(),
  weekEnd: z.string(),
  generatedAt: z.string(),
  /** True until the window of every first contact of the week has closed (FCR may still change). */
  provisional: z.boolean(),
  provisionalUntil: z.string(),
  config: z.object({
    windowDays: z.number(),
    sameReasonOnly: z.boolean(),
    timeZone: z.string(),
    currency: z.string(),
  }),
  totals: TotalsSchema,
  previousTotals: TotalsSchema.nullable(),
  rootCauses: z.array(
    z.object({ cause: RootCauseSchema, chains: Count, repeatContacts: Count, share: Rate, cost: Money }),
  ),
  reasons: z.array(
    z.object({
      reason: z.string(),
      contacts: Count,
      repeatContacts: Count,
      repeatRate: Rate,
      topRootCause: RootCauseSchema.nullable(),
      /** Cost of the reason's repeat contacts (addition to SPEC 5). */
      cost: Money,
    }),
  ),
  agents: z.array(
    z.object({
      agentId: z.string(),
      team: z.string().nullable(),
      contacts: Count,
      repeatsCaused: Count,
      knowledgeGapRepeats: Count,
    }),
  ),
  teams: z.array(
    z.object({ team: z.string(), contacts: Count, repeatsCaused: Count, knowledgeGapRepeats: Count }),
  ),
  channels: z.array(
    z.object({ channel: ChannelSchema, contacts: Count, repeatContacts: Count, repeatRate: Rate, cost: Money }),
  ),
  trend: z.array(z.object({ week: z.string(), contacts: Count, repeatRate: Rate, fcrRate: Rate })),
  examples: z.array(
    z.object({ cause: RootCauseSchema, contactId: z.string(), quote: z.string(), language: z.string() }),
  ),
  /** Rows of report.csv: repeats by reason × root cause × team of the contact that failed. */
  breakdown: z.array(
    z.object({
      reason: z.string(),
      rootCause: RootCauseSchema,
      team: z.string(),
      repeatContacts: Count,
      chains: Count,
      cost: Money,
    }),
  ),
  /** "What to fix first": the costliest reason × root-cause cells as plain recommendations, rank 1 first. */
  recommendations: z.array(RecommendationSchema),
  /**
   * Counts that are HyperLogLog estimates (±1 %) rather than exact, as JSON paths such as
   * "totals.customers": distinct customers and chains are exact up to 100,000 per figure.
   */
  estimatedCounts: z.array(z.string()),
});
export type Report = z.infer<typeof ReportSchema>;
