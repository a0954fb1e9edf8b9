import { z } from "zod";
import { ChannelSchema } from "../config.ts";

export const SPEAKERS = ["customer", "agent", "system"] as const;
export const INITIATIONS = ["inbound", "outbound", "transfer", "callback", "queue_callback"] as const;
export const DISPOSITIONS = ["completed", "abandoned"] as const;

export const IsoInstantSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const TurnSchema = z.object({
  speaker: z.enum(SPEAKERS),
  text: z.string(),
  offsetMs: z.number().nonnegative().optional(),
});
export type Turn = z.infer<typeof TurnSchema>;

/**
 * The canonical contact every input format becomes. The raw customer identifier lives here only
 * between parsing and hashing (see identity.ts); `Contact` is what the rest of the pipeline sees.
 */
export const ParsedContactSchema = z.object({
  contactId: z.string().min(1),
  customerId: z.string().min(1),
  channel: ChannelSchema,
  startedAt: IsoInstantSchema,
  endedAt: IsoInstantSchema.optional(),
  language: z.string().min(2).optional(),
  agentId: z.string().min(1).optional(),
  team: z.string().min(1).optional(),
  queue: z.string().min(1).optional(),
  initiation: z.enum(INITIATIONS),
  previousContactId: z.string().min(1).optional(),
  disposition: z.enum(DISPOSITIONS),
  turns: z.array(TurnSchema),
  format: z.string(),
  sourceKey: z.string(),
});
export type ParsedContact = z.infer<typeof ParsedContactSchema>;

export const ContactSchema = ParsedContactSchema.omit({ customerId: true }).extend({
  customerKey: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Contact = z.infer<typeof ContactSchema>;

export type Initiation = Contact["initiation"];
export type Disposition = Contact["disposition"];
