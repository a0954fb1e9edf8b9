import type { ScoredLabel } from "../classify/classifier.ts";
import { parseModelArtifact } from "../classify/model-artifact.ts";
import { parseRootCauseModel } from "../root-cause/chain-model.ts";
import type { Config } from "../config.ts";
import { ROOT_CAUSES } from "../contact/contact-record.ts";
import { ReviewError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ContactStore } from "../ports/contact-store.ts";
import type { LabelStore } from "../ports/label-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { repeatChain, reviewContact, type ReviewResult } from "../use-cases/review-contact.ts";
import type { LiveModels } from "./live-models.ts";
import type { ModelCard } from "./model-card.ts";
import type { LiveModel, ModelRegistry } from "./model-registry.ts";
import { itemId, reviewQueue, type QueueItem } from "./review-queue.ts";
import { TaskSchema, TASKS, type Task } from "./task.ts";
import { highlight, redactedTranscript, type Segment } from "./transcript-view.ts";

/** The stores review works on: the deployed ones, or a local run's (cli/local-workspace.ts). */
export interface ReviewStores {
  config: Config;
  contacts: ContactStore;
  objects: ObjectStore;
  labels: LabelStore;
  registry: ModelRegistry;
  liveModels: LiveModels;
  log: Logger;
  clock: () => Date;
}

export interface ReviewServiceDeps extends ReviewStores {
  /** Recorded on every label. */
  reviewer: string;
  /** Runs after a review changed something (the local workspace writes its files again). */
  afterReview?: () => Promise<void>;
}

export interface ShownContact {
  contactId: string;
  startedAt: string;
  channel: string;
  agentId?: string;
  team?: string;
  /** In a chain: the failed contacts before the repeat, and the repeat. */
  role: "contact" | "failed" | "repeat";
  turns: { speaker: string; segments: Segment[] }[] | null;
}

export interface ItemView {
  item: QueueItem;
  /** The labels to choose from, the model's likeliest first (keys 1–9 pick them in this order). */
  choices: string[];
  top: ScoredLabel[];
  evidence: { speaker?: string; text: string }[];
  contacts: ShownContact[];
  previous?: string;
  next?: string;
  nextPending?: string;
}

/** What the bundled model's own manifest says about it (its full card is models/<task>/README.md). */
export interface ShippedCard {
  version: string;
  created: string;
  labels: string[];
  sha256: string;
  heldOut: { macroF1: number; accuracy: number; n: number } | null;
  heldOutName: string | null;
}

export interface ModelsView {
  tasks: { task: Task; live: LiveModel; shipped: ShippedCard; versions: ModelCard[] }[];
}

/**
 * What the review app shows and does, on the ports: the weekly queue, one item with its redacted
 * transcript and evidence, a review, and the model registry with its cards. The HTTP server
 * (review/app) renders this and nothing else, so its JSON API and its pages always agree.
 */
export class ReviewService {
  constructor(private readonly deps: ReviewServiceDeps) {}

  get reviewer(): string {
    return this.deps.reviewer;
  }

  /** Weeks with contacts, newest first. */
  async weeks(): Promise<string[]> {
    return (await this.deps.contacts.weeks()).reverse();
  }

  async queue(week: string): Promise<QueueItem[]> {
    const [contacts, labels] = await Promise.all([this.deps.contacts.contactsOfWeek(week), this.deps.labels.ofWeek(week)]);
    const { reviewThreshold: threshold, reviewSampleRate: sampleRate, reviewSampleSeed: sampleSeed } = this.deps.config;
    return reviewQueue(contacts, labels, { threshold, sampleRate, sampleSeed });
  }

  async item(id: string): Promise<ItemView> {
    const { task, contactId } = parseItemId(id);
    const record = await this.deps.contacts.getContact(contactId);
    if (!record) throw new ReviewError("NOT_FOUND", `no contact ${contactId}`);
    const queue = await this.queue(record.week);
    const at = queue.findIndex((i) => i.id === id);
    if (at < 0) throw new ReviewError("NOT_FOUND", `${id} is not in the review queue of ${record.week}`);
    const item = queue[at]!;
    const after = [...queue.slice(at + 1), ...queue.slice(0, at)];
    const models = await this.deps.liveModels.current();
    const taxonomy = task === "reason" ? [...models.reasonClassifier.labels] : [...ROOT_CAUSES];
    const top = task === "reason" ? record.reasonTop : [];
    const choices = [...top.map((t) => t.label).filter((l) => taxonomy.includes(l)), ...taxonomy.filter((l) => !top.some((t) => t.label === l)).sort()];
    const evidence =
      task === "reason" ? (record.reasonEvidence ? [{ speaker: "customer", text: record.reasonEvidence }] : []) : (record.rootCauseEvidence ?? []);
    const needles = evidence.map((e) => e.text);
    const chain = task === "reason" ? [record] : await repeatChain(record, this.deps.contacts);
    const contacts = await Promise.all(
      chain.map(async (c, i): Promise<ShownContact> => {
        const turns = await redactedTranscript(this.deps.objects, c.sourceKey);
        return {
          contactId: c.contactId,
          startedAt: c.startedAt,
          channel: c.channel,
          ...(c.agentId ? { agentId: c.agentId } : {}),
          ...(c.team ? { team: c.team } : {}),
          role: task === "reason" ? "contact" : i === chain.length - 1 ? "repeat" : "failed",
          turns: turns ? turns.map((t) => ({ speaker: t.speaker, segments: highlight(t.text, needles) })) : null,
        };
      }),
    );
    return {
      item,
      choices,
      top,
      evidence,
      contacts,
      ...(at > 0 ? { previous: queue[at - 1]!.id } : {}),
      ...(at + 1 < queue.length ? { next: queue[at + 1]!.id } : {}),
      ...(after.find((i) => i.status === "pending") ? { nextPending: after.find((i) => i.status === "pending")!.id } : {}),
    };
  }

  async review(id: string, input: { verdict: "accept" | "correct"; label?: string; comment?: string }): Promise<ReviewResult> {
    const { task, contactId } = parseItemId(id);
    const { reasonClassifier, attributeChain } = await this.deps.liveModels.current();
    const result = await reviewContact(
      { task, contactId, ...input, reviewer: this.deps.reviewer },
      { ...this.deps, attributeChain, reasonLabels: reasonClassifier.labels },
    );
    await this.deps.afterReview?.();
    return result;
  }

  async models(): Promise<ModelsView> {
    const tasks = await Promise.all(
      TASKS.map(async (task) => {
        const [live, shipped, versions] = await Promise.all([this.deps.registry.live(task), this.deps.registry.shipped.json(task), this.deps.registry.versions(task)]);
        return { task, live, shipped: shippedCard(task, shipped), versions };
      }),
    );
    return { tasks };
  }

  async model(task: string, version: string): Promise<{ card: ModelCard; comparison: unknown }> {
    const parsed = TaskSchema.safeParse(task);
    if (!parsed.success) throw new ReviewError("NOT_FOUND", `no task ${task}`);
    const card = await this.deps.registry.card(parsed.data, version).catch(() => undefined);
    if (!card) throw new ReviewError("NOT_FOUND", `no ${task} model ${version} in the registry`);
    return { card, comparison: (await this.deps.registry.comparison(parsed.data, version)) ?? null };
  }
}

/** The two artifact formats keep the same facts in slightly different places. */
function shippedCard(task: Task, json: unknown): ShippedCard {
  const summary = (heldOut: { macroF1: number; accuracy: number; n: number } | null) => (heldOut ? { macroF1: heldOut.macroF1, accuracy: heldOut.accuracy, n: heldOut.n } : null);
  if (task === "reason") {
    const a = parseModelArtifact(json, "shipped reason model");
    return { version: a.version, created: a.created, labels: a.labels, sha256: a.manifest.trainingData.sha256, heldOut: summary(a.manifest.metrics.heldOut), heldOutName: a.manifest.metrics.heldOutName };
  }
  const a = parseRootCauseModel(json, "shipped root-cause model");
  const m = a.manifest;
  return { version: a.version, created: m.created, labels: m.labels, sha256: m.trainingData.sha256, heldOut: summary(m.metrics.heldOut), heldOutName: m.metrics.heldOutName };
}

export function parseItemId(id: string): { task: Task; contactId: string } {
  const at = id.indexOf(":");
  const task = TaskSchema.safeParse(id.slice(0, at));
  if (at < 0 || !task.success || at === id.length - 1) throw new ReviewError("NOT_FOUND", `not a review item: ${id}`);
  return { task: task.data, contactId: id.slice(at + 1) };
}

export { itemId };
