import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_MODELS_DIR } from "../../lib/adapters/runtime.ts";
import { parseConfig } from "../../lib/config.ts";
import { openAwsWorkspace, type Workspace } from "../../lib/cli/local-workspace.ts";
import { ReviewError } from "../../lib/errors.ts";
import { silentLogger } from "../../lib/log.ts";
import { startReviewServer, type ReviewServer } from "../../lib/review/app/server.ts";
import { LABEL_SCHEMA, type RootCauseLabel } from "../../lib/review/label.ts";
import { ShippedModels } from "../../lib/review/model-registry.ts";
import { reasonTrainer } from "../../lib/review/trainers.ts";
import type { QueueItem } from "../../lib/review/review-queue.ts";
import { ReviewService } from "../../lib/review/review-service.ts";
import { relinkCustomer } from "../../lib/use-cases/link-customer.ts";
import { retrainModel, type RetrainDeps } from "../../lib/use-cases/retrain-model.ts";
import { envelope, localEnv, startLocalStack, type LocalStack } from "../support/local-stack.ts";
import { quickRecipes, unusedEnglishLines } from "../support/quick-recipes.ts";

/**
 * SPEC 8 end to end on the local servers (s3rver + dynalite over HTTP), the way it runs in AWS:
 * ingest → the review queue holds the low-confidence contacts → analysts correct them through
 * the review app's HTTP API → retrain → the candidate is promoted → the next ingest uses it →
 * contradictory labels make a candidate that is refused → rollback restores the earlier models.
 * Models are trained with the quick recipe (seconds), the same code path as the shipped recipe.
 */
const WEEK = "2026-W47";
const config = { reviewThreshold: 0.6, reviewSampleRate: 0, timeZone: "UTC" };
/** The reason model shipped in the code bundle (its version moves when the shipped model is retrained). */
const SHIPPED_REASON = await new ShippedModels(REPO_MODELS_DIR).version("reason");

let stack: LocalStack;
let workspace: Workspace;
let server: ReviewServer;
let deps: RetrainDeps;
let lines: { text: string; label: string }[];
const gold = new Map<string, string>();
let delivered = 0;
let baseline: string;
let promoted: string;

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(`${path}: ${response.status} ${json.error?.message}`);
  return json;
}

async function ingest(contacts: { id: string; customer: string; startedAt: string; text: string }[]): Promise<void> {
  for (const c of contacts) await stack.upload(`transcripts/${c.id}.json`, envelope({ contactId: c.id, customerId: c.customer, startedAt: c.startedAt, text: c.text }));
  delivered += contacts.length;
  await stack.settle(delivered);
}

const contact = (id: string) => stack.runtime.contacts.getContact(id);
const live = async () => (await workspace.registry.live("reason")).version;

beforeAll(async () => {
  stack = await startLocalStack(config, { env: { RECONTACT_MODEL_TTL_SECONDS: "0" } });
  workspace = openAwsWorkspace({ ...localEnv(stack.services, config), RECONTACT_MODEL_TTL_SECONDS: "0" }, { log: silentLogger });
  const service = new ReviewService({ ...workspace, reviewer: "qa-ann" });
  server = await startReviewServer(service, { log: silentLogger, thresholds: { threshold: 0.6, sampleRate: 0 } });
  deps = { registry: workspace.registry, labels: workspace.labels, rules: parseConfig(config).retrain, recipes: quickRecipes(), log: silentLogger, clock: () => new Date() };
  lines = await unusedEnglishLines();
});

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

describe("review and retraining on the local servers (SPEC 8)", () => {
  it("puts a quick baseline model live by hand: retrain refuses it against the shipped model, promote --force overrules", async () => {
    const result = await retrainModel({ task: "reason", by: "qa-lead", why: "quick baseline for the test" }, deps);
    expect(result.comparison.live).toEqual({ version: SHIPPED_REASON, source: "shipped" });
    expect(result.comparison.decision).toBe("refuse");
    expect(result.promoted).toBeUndefined();
    baseline = result.card.version;
    const actor = { by: "qa-lead", why: "baseline for the test", now: new Date() };
    await expect(workspace.registry.promote("reason", baseline, actor)).rejects.toMatchObject({ code: "PROMOTION_REFUSED" } satisfies Partial<ReviewError>);
    await workspace.registry.promote("reason", baseline, { ...actor, force: true });
    expect(await live()).toBe(baseline);
  });

  it("ingests transcripts with the live model, and queues the low-confidence ones", async () => {
    // Three unseen English lines per label, each a different customer, in week 2026-W47.
    const picked = [...new Set(lines.map((l) => l.label))].sort().flatMap((label) => lines.filter((l) => l.label === label).slice(0, 3));
    const contacts = picked.map((l, i) => ({ id: `c-${i}`, customer: `+3161000${String(i).padStart(4, "0")}`, startedAt: `2026-11-${16 + (i % 5)}T${String(8 + (i % 9)).padStart(2, "0")}:00:00Z`, text: l.text }));
    contacts.forEach((c, i) => gold.set(c.id, picked[i]!.label));
    await ingest(contacts);
    const stored = await stack.runtime.contacts.contactsOfWeek(WEEK);
    expect(stored).toHaveLength(contacts.length);
    expect(stored.every((r) => r.reasonModel === baseline)).toBe(true);

    const { items } = await api<{ items: QueueItem[] }>(`/api/queue?week=${WEEK}`);
    const unsure = stored.filter((r) => r.reasonConfidence < 0.6).map((r) => `reason:${r.contactId}`);
    expect(unsure.length).toBeGreaterThan(5);
    expect(items.filter((i) => i.task === "reason").map((i) => i.id).sort()).toEqual(unsure.sort());
    expect(items.every((i) => i.why === "low-confidence" && i.status === "pending")).toBe(true);
    // Newest first.
    expect(items.map((i) => i.startedAt)).toEqual([...items.map((i) => i.startedAt)].sort().reverse());
  });

  it("takes the analysts' accepts and corrections through the review app's API, as labels with who and when", async () => {
    const { items } = await api<{ items: QueueItem[] }>(`/api/queue?week=${WEEK}`);
    let corrected = 0;
    for (const item of items) {
      const right = gold.get(item.contactId)!;
      const review = item.predicted.label === right ? { verdict: "accept" } : { verdict: "correct", label: right, comment: "the customer says so" };
      if (review.verdict === "correct") corrected++;
      const result = await api<{ label: { verdict: string; reviewer: string; label: string }; reports: string[] }>(`/api/items/${encodeURIComponent(item.id)}/review`, review);
      expect(result.label).toMatchObject({ reviewer: "qa-ann", label: right, verdict: review.verdict === "accept" ? "accepted" : "corrected" });
      if (review.verdict === "correct") expect(result.reports).toContain(WEEK);
    }
    expect(corrected).toBeGreaterThan(2);
    // Stored as objects under labels/ (SPEC 7), and on the contacts.
    const keys: string[] = [];
    for await (const { key } of stack.runtime.objects.list(`labels/reason/${WEEK}/`)) keys.push(key);
    expect(keys).toHaveLength(items.length);
    for (const item of items) expect(await contact(item.contactId)).toMatchObject({ reason: gold.get(item.contactId), reasonConfidence: 1, reviewed: { reason: gold.get(item.contactId) } });
    const queue = await api<{ items: QueueItem[] }>(`/api/queue?week=${WEEK}`);
    expect(queue.items.every((i) => i.status !== "pending")).toBe(true);
    // The week's report was written again from the corrected reasons.
    const report = JSON.parse(new TextDecoder().decode((await stack.runtime.objects.get(`reports/${WEEK}/report.json`))!.body)) as { reasons: { reason: string; contacts: number }[] };
    const expected = new Map<string, number>();
    for (const r of await stack.runtime.contacts.contactsOfWeek(WEEK)) expected.set(r.reason, (expected.get(r.reason) ?? 0) + 1);
    for (const r of report.reasons) expect(r.contacts, r.reason).toBe(expected.get(r.reason) ?? 0);
  });

  it("relinks the customer when a correction makes a contact a repeat, and keeps a reviewed root cause through relinking", async () => {
    const refund = lines.find((l) => l.label === "refund" && ![...gold.values()].includes(l.text))!;
    const password = lines.filter((l) => l.label === "account_access").at(-1)!;
    await ingest([
      { id: "r-1", customer: "+31620000001", startedAt: "2026-11-16T09:00:00Z", text: refund.text },
      { id: "r-2", customer: "+31620000001", startedAt: "2026-11-18T09:00:00Z", text: password.text },
    ]);
    const first = (await contact("r-1"))!;
    const second = (await contact("r-2"))!;
    expect(second.reason).not.toBe(first.reason);
    expect(second.role).toBe("first");

    await api(`/api/items/${encodeURIComponent("reason:r-2")}/review`, { verdict: "correct", label: first.reason, comment: "same refund, asked again" });
    const repeat = (await contact("r-2"))!;
    expect(repeat).toMatchObject({ role: "repeat", repeatOf: "r-1", chainId: "r-1" });
    expect((await contact("r-1"))!.repeatedBy).toBe("r-2");
    const report = JSON.parse(new TextDecoder().decode((await stack.runtime.objects.get(`reports/${WEEK}/report.json`))!.body)) as { totals: { repeatContacts: number } };
    expect(report.totals.repeatContacts).toBe(1);

    // The chain's root cause, corrected: stored as a redacted chain, and kept by later relinks.
    const other = (["procedure_limit", "knowledge_gap", "missing_self_service", "other"] as const).find((c) => c !== repeat.rootCause)!;
    const { label } = await api<{ label: RootCauseLabel }>(`/api/items/${encodeURIComponent("root-cause:r-2")}/review`, { verdict: "correct", label: other });
    expect(label).toMatchObject({ schema: LABEL_SCHEMA, task: "root-cause", label: other, cause: other, reviewer: "qa-ann" });
    expect(label.contacts.map((c) => c.contactId)).toEqual(["r-1", "r-2"]);
    expect(label.contacts[1]!.turns.some((t) => t.text === password.text || t.speaker === "customer")).toBe(true);
    await relinkCustomer(stack.runtime.contacts, stack.runtime.config, stack.runtime.attributeChain, repeat.customerKey);
    expect(await contact("r-2")).toMatchObject({ rootCause: other, rootCauseConfidence: 1, reviewed: { reason: first.reason, rootCause: other } });
  });

  it("retrains on the shipped data plus the labels, compares with the live model and promotes the candidate", async () => {
    const result = await retrainModel({ task: "reason", by: "qa-lead" }, deps);
    const { comparison } = result;
    expect(comparison.live).toEqual({ version: baseline, source: "registry" });
    // Every example of the shipped test split (data/reasons-multilingual/*.test.jsonl).
    expect(comparison.shippedTest.n).toBe((await reasonTrainer(deps.recipes.reason).shippedData()).test.length);
    expect(comparison.shippedTest.n).toBeGreaterThan(300);
    expect(comparison.perLabel).toHaveLength(12);
    expect(comparison.corrections.items.length).toBeGreaterThan(2);
    expect(comparison.corrections.items.every((i) => i.reviewed !== i.gold)).toBe(true);
    expect(comparison.decision, comparison.reasons.join("\n")).toBe("promote");
    expect(result.promoted?.version).toBe(result.card.version);
    promoted = result.card.version;
    expect(await live()).toBe(promoted);
    // The registry keeps the version with its card and comparison; the card says who and why.
    const card = await workspace.registry.card("reason", promoted);
    expect(card?.trainingData.reviewLabels.trainedOn).toBeGreaterThan(0);
    expect(card?.events.map((e) => [e.action, e.by])).toEqual([
      ["published", "qa-lead"],
      ["promoted", "qa-lead"],
    ]);
    expect(await stack.runtime.objects.get(`models/reason/${promoted}/comparison.json`)).toBeDefined();
    const { tasks } = await api<{ tasks: { task: string; live: { version: string }; versions: { version: string }[] }[] }>("/api/models");
    expect(tasks.find((t) => t.task === "reason")).toMatchObject({ live: { version: promoted } });
  });

  it("ingests the next transcript with the promoted model, without a restart", async () => {
    await ingest([{ id: "after-promotion", customer: "+31630000001", startedAt: "2026-11-20T15:00:00Z", text: lines.at(-2)!.text }]);
    expect((await contact("after-promotion"))!.reasonModel).toBe(promoted);
    expect((await contact("c-0"))!.reasonModel).toBe(baseline);
  });

  it("refuses a candidate trained on deliberately contradictory labels, and leaves the live model alone", async () => {
    const taxonomy = [...new Set(lines.map((l) => l.label))].sort();
    const wrong = taxonomy.flatMap((label) => lines.filter((l) => l.label === label).slice(4, 12));
    for (const [i, l] of wrong.entries()) {
      await workspace.labels.put({
        schema: LABEL_SCHEMA,
        task: "reason",
        contactId: `contradiction-${i}`,
        week: WEEK,
        verdict: "corrected",
        predicted: { label: l.label, confidence: 0.5 },
        label: taxonomy[(taxonomy.indexOf(l.label) + 1) % taxonomy.length]!,
        text: l.text,
        lang: "en",
        reviewer: "mallory",
        reviewedAt: new Date().toISOString(),
      });
    }
    const result = await retrainModel({ task: "reason", by: "mallory" }, deps);
    expect(result.comparison.live.version).toBe(promoted);
    expect(result.comparison.shippedTest.macroF1Delta).toBeLessThan(-deps.rules.tolerance);
    expect(result.comparison.decision).toBe("refuse");
    expect(result.comparison.reasons.some((r) => r.startsWith("FAILED: macro-F1 on the shipped test split"))).toBe(true);
    expect(result.promoted).toBeUndefined();
    expect(await live()).toBe(promoted);
  });

  it("rolls back to the earlier model, then to the shipped one; ingest follows each time", async () => {
    const actor = { by: "qa-lead", why: "test rollback", now: new Date() };
    expect((await workspace.registry.rollback("reason", actor)).version).toBe(baseline);
    await ingest([{ id: "after-rollback", customer: "+31630000002", startedAt: "2026-11-20T16:00:00Z", text: lines.at(-3)!.text }]);
    expect((await contact("after-rollback"))!.reasonModel).toBe(baseline);
    expect((await workspace.registry.card("reason", promoted))!.events.at(-1)).toMatchObject({ action: "rolled-back", by: "qa-lead" });

    expect(await workspace.registry.rollback("reason", actor)).toMatchObject({ version: SHIPPED_REASON, source: "shipped" });
    await ingest([{ id: "after-second-rollback", customer: "+31630000003", startedAt: "2026-11-20T17:00:00Z", text: lines.at(-4)!.text }]);
    expect((await contact("after-second-rollback"))!.reasonModel).toBe(SHIPPED_REASON);
    await expect(workspace.registry.rollback("reason", actor)).rejects.toMatchObject({ code: "NOTHING_TO_ROLL_BACK" });
  });

  it("answers only requests for 127.0.0.1 and refuses cross-site posts", async () => {
    const port = new URL(server.url).port;
    const status = (headers: Record<string, string>, method = "GET", path = "/api/weeks", body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once("error", reject);
        req.end(body);
      });
    expect(await status({ host: `127.0.0.1:${port}` })).toBe(200);
    expect(await status({ host: `attacker.example:${port}` })).toBe(421);
    const review = JSON.stringify({ verdict: "accept" });
    const path = `/api/items/${encodeURIComponent("reason:c-1")}/review`;
    expect(await status({ host: `127.0.0.1:${port}`, origin: "http://attacker.example", "content-type": "application/json" }, "POST", path, review)).toBe(403);
    expect(await status({ host: `127.0.0.1:${port}`, "content-type": "text/plain" }, "POST", path, review)).toBe(415);
    expect(await status({ host: `127.0.0.1:${port}`, "content-type": "application/json" }, "POST", path, JSON.stringify({ verdict: "correct", label: "not-a-label" }))).toBe(400);
    expect(await status({ host: `127.0.0.1:${port}` }, "GET", `/api/items/${encodeURIComponent("reason:nobody")}`)).toBe(404);
  });
});
