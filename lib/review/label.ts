import { createHash } from "node:crypto";
import { z } from "zod";
import { RootCauseSchema } from "../contact/contact-record.ts";
import { RootCauseChainSchema } from "../root-cause/chain-model.ts";

export const LABEL_SCHEMA = "recontact.label/v1" as const;

/** What a quality analyst said about one prediction, with who and when (SPEC 8). */
const LabelBaseSchema = z.object({
  schema: z.literal(LABEL_SCHEMA),
  contactId: z.string().min(1),
  week: z.string(),
  verdict: z.enum(["accepted", "corrected"]),
  /** The model's prediction as the analyst saw it (kept from the first review of the item). */
  predicted: z.object({ label: z.string(), confidence: z.number().min(0).max(1), model: z.string().optional() }),
  comment: z.string().max(2000).optional(),
  reviewer: z.string().min(1).max(200),
  reviewedAt: z.string(),
});

/**
 * A reason label is also a training line of SPEC 6 (`{"text", "label", "lang"}` at the top level):
 * a local labels file can be passed to `recontact train --data` as it is. The text is the
 * customer's opening words, redacted — what the classifier reads, without personal data.
 */
export const ReasonLabelSchema = LabelBaseSchema.extend({
  task: z.literal("reason"),
  label: z.string().min(1),
  text: z.string(),
  lang: z.string().min(2),
});

/**
 * A root-cause label is also a line of data/root-causes/*.jsonl (a repeat chain, oldest contact
 * first, redacted), so the chain trainer reads it as it reads the shipped chains.
 */
export const RootCauseLabelSchema = LabelBaseSchema.extend({
  task: z.literal("root-cause"),
  label: RootCauseSchema,
}).extend(RootCauseChainSchema.shape);

export const LabelSchema = z.discriminatedUnion("task", [ReasonLabelSchema, RootCauseLabelSchema]);
export type Label = z.infer<typeof LabelSchema>;
export type ReasonLabel = z.infer<typeof ReasonLabelSchema>;
export type RootCauseLabel = z.infer<typeof RootCauseLabelSchema>;

/** One label per task and contact: a later review of the same item replaces the earlier one. */
export const labelKey = (label: Pick<Label, "task" | "contactId">) => `${label.task}:${label.contactId}`;

/** The latest label of each task and contact, in the order given (later wins). */
export function latestLabels<T extends Label>(labels: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const label of labels) {
    const key = labelKey(label);
    byKey.delete(key);
    byKey.set(key, label);
  }
  return [...byKey.values()];
}

/**
 * Whether a label is held out of training to measure the candidate: a hash of its task and
 * contact id, so the same label is always on the same side whatever else changes.
 */
export function isHeldOut(label: Pick<Label, "task" | "contactId">, share: number): boolean {
  const digest = createHash("sha256").update(`held-out\u0000${labelKey(label)}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < share;
}

export const isCorrection = (label: Label) => label.verdict === "corrected" && label.label !== label.predicted.label;
