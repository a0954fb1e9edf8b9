import { z } from "zod";
import { ChannelSchema } from "../config.ts";
import { DISPOSITIONS, INITIATIONS, IsoInstantSchema, SPEAKERS, type ParsedContact } from "../contact/contact.ts";
import { InputError, issuePath } from "../errors.ts";

export const ENVELOPE_SCHEMA = "recontact.transcript/v1";

/** SPEC 2.1. Unknown extra fields are kept by `.loose()`, never an error. */
const EnvelopeSchema = z
  .object({
    schema: z.literal(ENVELOPE_SCHEMA),
    contactId: z.string().trim().min(1),
    customer: z.object({ id: z.string().trim().min(1) }).loose(),
    channel: ChannelSchema,
    startedAt: IsoInstantSchema,
    endedAt: IsoInstantSchema.nullish(),
    language: z.string().trim().min(2).nullish(),
    agent: z.object({ id: z.string().trim().min(1), team: z.string().trim().min(1).nullish() }).loose().nullish(),
    queue: z.string().trim().min(1).nullish(),
    initiation: z.enum(INITIATIONS).default("inbound"),
    previousContactId: z.string().trim().min(1).nullish(),
    disposition: z.enum(DISPOSITIONS).default("completed"),
    turns: z.array(
      z
        .object({
          speaker: z.enum(SPEAKERS),
          text: z.string(),
          offsetMs: z.number().nonnegative().nullish(),
        })
        .loose(),
    ),
  })
  .loose();

export function isEnvelope(json: unknown): boolean {
  return typeof json === "object" && json !== null && (json as { schema?: unknown }).schema === ENVELOPE_SCHEMA;
}

export function parseEnvelope(json: unknown, objectKey: string): ParsedContact {
  const result = EnvelopeSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issuePath(issue.path);
    const code = field === "customer" || field.startsWith("customer.") ? "MISSING_CUSTOMER_ID" : "SCHEMA_VIOLATION";
    throw new InputError(code, objectKey, field || undefined, issue.message);
  }
  const e = result.data;
  return {
    contactId: e.contactId,
    customerId: e.customer.id,
    channel: e.channel,
    startedAt: e.startedAt,
    ...(e.endedAt ? { endedAt: e.endedAt } : {}),
    ...(e.language ? { language: e.language } : {}),
    ...(e.agent ? { agentId: e.agent.id, ...(e.agent.team ? { team: e.agent.team } : {}) } : {}),
    ...(e.queue ? { queue: e.queue } : {}),
    initiation: e.initiation,
    ...(e.previousContactId ? { previousContactId: e.previousContactId } : {}),
    disposition: e.disposition,
    turns: e.turns.map((t) => ({ speaker: t.speaker, text: t.text, ...(t.offsetMs != null ? { offsetMs: t.offsetMs } : {}) })),
    format: ENVELOPE_SCHEMA,
    sourceKey: objectKey,
  };
}
