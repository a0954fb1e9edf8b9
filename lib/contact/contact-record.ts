import { z } from "zod";
import { ChannelSchema } from "../config.ts";
import { DISPOSITIONS, INITIATIONS } from "./contact.ts";

export const ROOT_CAUSES = ["procedure_limit", "knowledge_gap", "missing_self_service", "other"] as const;
export const RootCauseSchema = z.enum(ROOT_CAUSES);
export type RootCause = z.infer<typeof RootCauseSchema>;

export const ScoredLabelSchema = z.object({ label: z.string(), confidence: z.number().min(0).max(1) });

/** A sentence kept as evidence: already redacted, never the whole transcript. */
export const EvidenceSchema = z.object({
  speaker: z.enum(["customer", "agent", "system"]),
  text: z.string().max(400),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/**
 * Per-contact signals for root-cause attribution: computed once at ingest from the transcript so
 * that attributing a chain never has to read transcripts again (and the store never holds them).
 */
export const RootCauseSignalsSchema = z.object({
  scores: z.record(RootCauseSchema, z.number()),
  evidence: z.array(EvidenceSchema.extend({ cause: RootCauseSchema })).max(8),
});
export type RootCauseSignals = z.infer<typeof RootCauseSignalsSchema>;

/**
 * A contact reduced, once at ingest, to what root-cause attribution needs (the chain model is
 * additive over contacts): its partial scores per cause as a failed contact and as a repeat,
 * and its best evidence sentences, redacted. Chains are attributed from these alone.
 */
const PartialScoresSchema = z.array(z.number().finite()).length(ROOT_CAUSES.length);
export const ContactRootCauseSummarySchema = z.object({
  /** The model version that wrote it: summaries of different versions do not add up. */
  model: z.string().min(1),
  failed: PartialScoresSchema,
  repeat: PartialScoresSchema,
  evidence: z
    .array(
      z.object({
        cause: RootCauseSchema,
        speaker: z.enum(["customer", "agent", "system"]),
        text: z.string().max(300),
        /** The sentence's share of the contact's score for the cause (the larger of its two roles). */
        weight: z.number().finite(),
      }),
    )
    .max(4),
});
export type ContactRootCauseSummary = z.infer<typeof ContactRootCauseSummarySchema>;

/** The link fields of SPEC 4, a function of the customer's contacts alone (see linking/link.ts). */
export const LinkFieldsSchema = z.object({
  /** first: starts a chain; repeat: continues one; none: volume only (abandoned, outbound, transfer leg…). */
  role: z.enum(["first", "repeat", "none"]),
  repeatOf: z.string().nullable(),
  chainId: z.string().nullable(),
  /** The contact that repeated this one within the window, if any: makes FCR a per-week read. */
  repeatedBy: z.string().nullable(),
});
export type LinkFields = z.infer<typeof LinkFieldsSchema>;

export const ChainAttributionSchema = z.object({
  rootCause: RootCauseSchema,
  rootCauseConfidence: z.number().min(0).max(1),
  rootCauseEvidence: z.array(EvidenceSchema).max(4),
  /** The agent(s) whose contacts in the chain failed before this repeat. */
  failedAgents: z.array(z.string()),
});
export type ChainAttribution = z.infer<typeof ChainAttributionSchema>;

/** What the contact store keeps per contact: everything the report needs, no transcript, no raw id. */
export const ContactRecordSchema = z
  .object({
    contactId: z.string(),
    customerKey: z.string(),
    channel: ChannelSchema,
    startedAt: z.string(),
    endedAt: z.string().optional(),
    week: z.string(),
    language: z.string(),
    agentId: z.string().optional(),
    team: z.string().optional(),
    queue: z.string().optional(),
    initiation: z.enum(INITIATIONS),
    previousContactId: z.string().optional(),
    disposition: z.enum(DISPOSITIONS),
    hasAgentTurn: z.boolean(),
    reason: z.string(),
    reasonConfidence: z.number().min(0).max(1),
    reasonTop: z.array(ScoredLabelSchema),
    reasonEvidence: z.string().optional(),
    /** The version of the reason model that classified it. */
    reasonModel: z.string().optional(),
    /** Labels a quality analyst gave (SPEC 8): they outrank the models' on re-ingest and relinking. */
    reviewed: z.object({ reason: z.string().optional(), rootCause: RootCauseSchema.optional() }).optional(),
    rootCauseSummary: ContactRootCauseSummarySchema,
    format: z.string(),
    sourceKey: z.string(),
    ingestedAt: z.string(),
  })
  .extend(LinkFieldsSchema.shape)
  .extend(ChainAttributionSchema.partial().shape);
export type ContactRecord = z.infer<typeof ContactRecordSchema>;

export const QuarantineRecordSchema = z.object({
  objectKey: z.string(),
  code: z.string(),
  field: z.string().optional(),
  error: z.string(),
  contactId: z.string().optional(),
  week: z.string(),
  quarantinedAt: z.string(),
});
export type QuarantineRecord = z.infer<typeof QuarantineRecordSchema>;

/**
 * What the store keeps of a contact trace record: the facts it adds to the transcript of the
 * same contact id, with the customer already pseudonymised (never the raw CustomerEndpoint).
 */
export const StoredCtrSchema = z.object({
  contactId: z.string(),
  customerKey: z.string().optional(),
  channel: ChannelSchema.optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  initiation: z.enum(INITIATIONS),
  previousContactId: z.string().optional(),
  agentId: z.string().optional(),
  queue: z.string().optional(),
  disposition: z.enum(DISPOSITIONS),
  lastUpdated: z.string(),
  sourceKey: z.string(),
});
export type StoredCtr = z.infer<typeof StoredCtrSchema>;

/** A transcript held until the contact trace record with its customer arrives (SPEC 2.2). */
export const PendingTranscriptSchema = z.object({
  contactId: z.string(),
  objectKey: z.string(),
  since: z.string(),
  week: z.string(),
});
export type PendingTranscript = z.infer<typeof PendingTranscriptSchema>;
