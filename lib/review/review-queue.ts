import { createHash } from "node:crypto";
import type { ContactRecord } from "../contact/contact-record.ts";
import { labelKey, type Label } from "./label.ts";
import type { Task } from "./task.ts";

/** One prediction to review: a contact's reason, or a repeat chain's root cause. */
export interface QueueItem {
  /** `<task>:<contactId>` (for a chain, the repeat's contact id). */
  id: string;
  task: Task;
  contactId: string;
  week: string;
  startedAt: string;
  channel: ContactRecord["channel"];
  language: string;
  predicted: { label: string; confidence: number };
  /** Why it is in the queue: under the threshold, a random sample of confident ones, or already reviewed. */
  why: "low-confidence" | "sample" | "reviewed";
  status: "pending" | "accepted" | "corrected";
  review?: { label: string; reviewer: string; reviewedAt: string; comment?: string };
}

export interface QueueOptions {
  threshold: number;
  sampleRate: number;
  sampleSeed: string;
}

export const itemId = (task: Task, contactId: string) => `${task}:${contactId}`;

/**
 * Whether a confident prediction is sampled for review: a keyed hash of the task and contact
 * id below the rate. Deterministic, so the queue is the same on every read and for every analyst.
 */
export function isSampled(task: Task, contactId: string, options: Pick<QueueOptions, "sampleRate" | "sampleSeed">): boolean {
  if (options.sampleRate <= 0) return false;
  const digest = createHash("sha256").update(`${options.sampleSeed}\u0000${task}\u0000${contactId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < options.sampleRate;
}

/**
 * The review queue of one week (SPEC 8), newest first: every reason and every repeat chain's root
 * cause whose confidence is under the threshold, a seeded sample of the confident ones (so review
 * also measures precision), and whatever was already reviewed, with its label. Contacts without
 * customer words (abandoned, silent) have nothing to review and are left out.
 */
export function reviewQueue(contacts: readonly ContactRecord[], labels: readonly Label[], options: QueueOptions): QueueItem[] {
  const reviewed = new Map(labels.map((l) => [labelKey(l), l]));
  const items: QueueItem[] = [];
  const consider = (task: Task, record: ContactRecord, predicted: { label: string; confidence: number }) => {
    const label = reviewed.get(itemId(task, record.contactId));
    const why: QueueItem["why"] | undefined = label
      ? "reviewed"
      : predicted.confidence < options.threshold
        ? "low-confidence"
        : isSampled(task, record.contactId, options)
          ? "sample"
          : undefined;
    if (!why) return;
    items.push({
      id: itemId(task, record.contactId),
      task,
      contactId: record.contactId,
      week: record.week,
      startedAt: record.startedAt,
      channel: record.channel,
      language: record.language,
      // What the model said, as the analyst saw it: a reviewed record already carries the analyst's label.
      predicted: label ? { label: label.predicted.label, confidence: label.predicted.confidence } : predicted,
      why,
      status: label ? label.verdict : "pending",
      ...(label
        ? { review: { label: label.label, reviewer: label.reviewer, reviewedAt: label.reviewedAt, ...(label.comment ? { comment: label.comment } : {}) } }
        : {}),
    });
  };
  for (const record of contacts) {
    if (record.reasonTop.length > 0) consider("reason", record, { label: record.reason, confidence: record.reasonConfidence });
    if (record.role === "repeat" && record.rootCause !== undefined) {
      consider("root-cause", record, { label: record.rootCause, confidence: record.rootCauseConfidence ?? 0 });
    }
  }
  return items.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.task.localeCompare(b.task) || a.contactId.localeCompare(b.contactId));
}
