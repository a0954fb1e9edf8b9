import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigurationError, issuePath } from "./errors.ts";

export const CHANNELS = ["voice", "chat", "email", "sms", "social"] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

const WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** ISO weekday 1 (Monday) … 7 (Sunday); names like "Mon" or "monday" are accepted too. */
const WeekdaySchema = z.union([
  z.number().int().min(1).max(7),
  z
    .string()
    .transform((s) => WEEKDAY_NAMES.indexOf(s.trim().slice(0, 3).toLowerCase() as (typeof WEEKDAY_NAMES)[number]) + 1)
    .pipe(z.number().int().min(1, "expected a weekday name such as Mon")),
]);

const ClockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM (24 h)");

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const CostSchema = z.union([
  z.number().nonnegative(),
  z.partialRecord(ChannelSchema, z.number().nonnegative()),
]);

export const DEFAULT_COST_PER_CONTACT: Record<Channel, number> = {
  voice: 6.0,
  chat: 3.5,
  email: 4.0,
  sms: 2.0,
  social: 3.0,
};

export const RetrainConfigSchema = z.object({
  /** The candidate's macro-F1 may be at most this much below the live model's (overall and on the shipped test split). */
  tolerance: z.number().min(0).max(1).default(0.01),
  /** No label may lose more F1 than this (a label collapsing is a refusal, whatever the average). */
  maxLabelF1Drop: z.number().min(0).max(1).default(0.15),
  /** Share of the analysts' labels held out of training to measure the candidate (chosen by a hash of the contact id). */
  heldOutShare: z.number().min(0).max(0.9).default(0.2),
  /** Each label trained on counts this many times (as our own transcripts do in the shipped recipe). */
  labelWeight: z.number().int().min(1).max(100).default(4),
});
export type RetrainConfig = z.infer<typeof RetrainConfigSchema>;

/** The configuration of SPEC 4 and 6; every key optional with the SPEC default. */
export const ConfigSchema = z
  .object({
    windowDays: z.number().positive().default(7),
    sameReasonOnly: z.boolean().default(true),
    timeZone: z.string().refine(isValidTimeZone, "unknown IANA time zone").default("UTC"),
    businessHours: z
      .object({
        days: z.array(WeekdaySchema).default([1, 2, 3, 4, 5]),
        start: ClockTimeSchema.default("08:00"),
        end: ClockTimeSchema.default("18:00"),
      })
      .default({ days: [1, 2, 3, 4, 5], start: "08:00", end: "18:00" }),
    channels: z.array(ChannelSchema).min(1).default([...CHANNELS]),
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, "expected an ISO 3166-1 alpha-2 country code such as NL")
      .optional(),
    costPerContact: CostSchema.default(DEFAULT_COST_PER_CONTACT),
    currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as EUR").default("EUR"),
    reviewThreshold: z.number().min(0).max(1).default(0.6),
    /** Share of confident predictions also put in the review queue, so that review measures precision too. */
    reviewSampleRate: z.number().min(0).max(1).default(0.05),
    /** Seeds that sample (a keyed hash of the contact id): the same contacts are sampled on every read. */
    reviewSampleSeed: z.string().min(1).default("recontact-review"),
    /** SPEC 8: when a retrained candidate may replace the live model. */
    retrain: RetrainConfigSchema.default(RetrainConfigSchema.parse({})),
    maxObjectBytes: z.number().int().positive().default(5 * 1024 * 1024),
    /** Hours a Contact Lens file without a customer id waits for its contact trace record before quarantine. */
    ctrWaitHours: z.number().positive().default(24),
    /** Days a contact's derived items live in the table (DynamoDB TTL); match the transcripts' retention. */
    retentionDays: z.number().int().positive().default(400),
  })
  .loose();

export type Config = z.infer<typeof ConfigSchema>;

export function parseConfig(input: unknown, source = "configuration"): Config {
  const result = ConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigurationError("INVALID_CONFIG", `${source} (${issuePath(issue.path)}): ${issue.message}`);
  }
  return result.data;
}

export async function loadConfigFile(path: string): Promise<Config> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ConfigurationError("INVALID_CONFIG", `${path}: not a readable JSON file`, { cause: error });
  }
  return parseConfig(raw, path);
}

export function costOfContact(config: Config, channel: Channel): number {
  const cost = config.costPerContact;
  return typeof cost === "number" ? cost : (cost[channel] ?? DEFAULT_COST_PER_CONTACT[channel]);
}
