import { customerOpening } from "../classify/classify-contact.ts";
import type { Config } from "../config.ts";
import { ROOT_CAUSES, type ContactRecord, type RootCause } from "../contact/contact-record.ts";
import { ReviewError } from "../errors.ts";
import { DAY_MS } from "../linking/link.ts";
import type { Logger } from "../log.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { LabelStore } from "../ports/label-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { isHeldOut, LABEL_SCHEMA, type Label } from "../review/label.ts";
import type { Task } from "../review/task.ts";
import { redactedTranscript } from "../review/transcript-view.ts";
import { buildWeeklyReport } from "./build-weekly-report.ts";
import { relinkCustomer, type ChainAttributor } from "./link-customer.ts";

export interface ReviewDeps {
  config: Config;
  contacts: ContactStore;
  objects: ObjectStore;
  labels: LabelStore;
  /** Respects reviewed root causes (review/reviewed-attribution.ts), like ingest's. */
  attributeChain: ChainAttributor;
  /** The reason taxonomy (the live reason model's labels). */
  reasonLabels: readonly string[];
  log: Logger;
  clock: () => Date;
}

export interface ReviewInput {
  task: Task;
  contactId: string;
  verdict: "accept" | "correct";
  /** The right label, for `correct`. */
  label?: string;
  comment?: string;
  reviewer: string;
}

export interface ReviewResult {
  label: Label;
  /** Whether the contact's label changed (a correction, or going back on one). */
  changed: boolean;
  /** Weeks whose reports were regenerated. */
  reports: string[];
}

/** How many failed contacts before a repeat a root-cause label keeps (as attribution reads them). */
const CHAIN_DEPTH = 3;

/**
 * An analyst accepts or corrects one prediction (SPEC 8). The label is stored with who and when,
 * as training data (the redacted opening words, or the redacted chain); the contact keeps the
 * analyst's label from now on; a changed reason relinks the customer's timeline from that contact
 * on (repeats are about the same reason), and the reports of every week whose figures changed
 * are written again.
 */
export async function reviewContact(input: ReviewInput, deps: ReviewDeps): Promise<ReviewResult> {
  const record = await deps.contacts.getContact(input.contactId);
  if (!record) throw new ReviewError("NOT_FOUND", `no contact ${input.contactId}`);
  const earlier = await deps.labels.get(input.task, record.week, input.contactId);
  const predicted = earlier?.predicted ?? modelPrediction(input.task, record);
  const chosen = input.verdict === "accept" ? predicted.label : input.label;
  const taxonomy = input.task === "reason" ? deps.reasonLabels : ROOT_CAUSES;
  if (!chosen || !taxonomy.includes(chosen)) {
    throw new ReviewError("INVALID_REVIEW", `${input.verdict === "accept" ? "the prediction" : `label "${chosen ?? ""}"`} is not one of the ${input.task} labels: ${taxonomy.join(", ")}`);
  }
  const now = deps.clock();
  const base = {
    schema: LABEL_SCHEMA,
    contactId: record.contactId,
    week: record.week,
    verdict: chosen === predicted.label ? ("accepted" as const) : ("corrected" as const),
    predicted,
    ...(input.comment?.trim() ? { comment: input.comment.trim().slice(0, 2000) } : {}),
    reviewer: input.reviewer,
    reviewedAt: now.toISOString(),
  };
  const label: Label =
    input.task === "reason"
      ? { ...base, task: "reason", label: chosen, text: await openingWords(record, deps.objects), lang: record.language }
      : { ...base, task: "root-cause", label: chosen as RootCause, ...(await chainOf(record, chosen as RootCause, deps)) };
  await deps.labels.put(label);

  const current = input.task === "reason" ? record.reason : record.rootCause;
  const changed = current !== chosen;
  const updated: ContactRecord =
    input.task === "reason"
      ? { ...record, reviewed: { ...record.reviewed, reason: chosen }, reason: chosen, reasonConfidence: 1 }
      : { ...record, reviewed: { ...record.reviewed, rootCause: chosen as RootCause }, rootCause: chosen as RootCause, rootCauseConfidence: 1 };
  const from = new Date(Date.parse(record.startedAt) - deps.config.windowDays * DAY_MS).toISOString();
  const before = changed ? await deps.contacts.readTimeline(record.customerKey, from) : undefined;
  await deps.contacts.putContact(updated, { customerKey: record.customerKey, startedAt: record.startedAt });
  const reports: string[] = [];
  if (before) {
    // The relink recomputes chains from this contact on; a reviewed root cause survives it.
    await relinkCustomer(deps.contacts, deps.config, deps.attributeChain, record.customerKey, record.startedAt);
    const after = await deps.contacts.readTimeline(record.customerKey, from);
    for (const week of changedWeeks(before.records, after.records, record.week)) {
      await buildWeeklyReport(week, deps);
      reports.push(week);
    }
  }
  deps.log.log("info", "reviewed", { step: "review", task: input.task, contactId: record.contactId, verdict: label.verdict, changed, reports: reports.join(",") });
  return { label, changed, reports };
}

function modelPrediction(task: Task, record: ContactRecord): Label["predicted"] {
  if (task === "reason") return { label: record.reason, confidence: record.reasonConfidence, ...(record.reasonModel ? { model: record.reasonModel } : {}) };
  if (record.role !== "repeat" || !record.rootCause) throw new ReviewError("NOT_A_REPEAT", `contact ${record.contactId} is not a repeat: it has no root cause to review`);
  return { label: record.rootCause, confidence: record.rootCauseConfidence ?? 0, model: record.rootCauseSummary.model };
}

/** The customer's opening words, redacted: what the reason model reads, as a training line. */
async function openingWords(record: ContactRecord, objects: ObjectStore): Promise<string> {
  const turns = await redactedTranscript(objects, record.sourceKey);
  // A transcript that has expired since leaves its redacted evidence turn as the example.
  return turns ? customerOpening(turns).text : (record.reasonEvidence ?? "");
}

/** The repeat and the failed contacts before it (oldest first), redacted: a chain line of data/root-causes. */
async function chainOf(record: ContactRecord, cause: RootCause, deps: Pick<ReviewDeps, "contacts" | "objects" | "config">) {
  const contacts = await Promise.all(
    (await repeatChain(record, deps.contacts)).map(async (c) => ({
      contactId: c.contactId,
      startedAt: c.startedAt,
      channel: c.channel,
      agent: c.agentId ? { id: c.agentId, ...(c.team ? { team: c.team } : {}) } : null,
      disposition: c.disposition,
      turns: (await redactedTranscript(deps.objects, c.sourceKey)) ?? [],
    })),
  );
  const heldOut = isHeldOut({ task: "root-cause", contactId: record.contactId }, deps.config.retrain.heldOutShare);
  return { id: `review-${record.contactId}`, lang: record.language, industry: "review", reason: record.reason, cause, split: heldOut ? ("test" as const) : ("train" as const), contacts, evidence: [] };
}

/** A repeat and the failed contacts before it (the last few, as attribution reads them), oldest first. */
export async function repeatChain(record: ContactRecord, contacts: Pick<ContactStore, "getContact">): Promise<ContactRecord[]> {
  const chain: ContactRecord[] = [record];
  for (let previous = record.repeatOf; previous && chain.length <= CHAIN_DEPTH; ) {
    const contact = await contacts.getContact(previous);
    if (!contact) break;
    chain.unshift(contact);
    previous = contact.repeatOf;
  }
  return chain;
}

const LINK_FIELDS = ["reason", "role", "repeatOf", "chainId", "repeatedBy", "rootCause"] as const;

/** The weeks of the contacts whose reason, links or root cause differ between two reads, and `own`. */
function changedWeeks(before: readonly ContactRecord[], after: readonly ContactRecord[], own: string): string[] {
  const old = new Map(before.map((r) => [r.contactId, r]));
  const weeks = new Set([own]);
  for (const r of after) {
    const was = old.get(r.contactId);
    if (!was || LINK_FIELDS.some((f) => was[f] !== r[f])) weeks.add(r.week);
  }
  return [...weeks].sort();
}
