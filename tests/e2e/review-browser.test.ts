import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_MODELS_DIR } from "../../lib/adapters/runtime.ts";
import { openLocalWorkspace, type Workspace } from "../../lib/cli/local-workspace.ts";
import { runPipeline } from "../../lib/cli/run-pipeline.ts";
import { loadConfigFile } from "../../lib/config.ts";
import { silentLogger } from "../../lib/log.ts";
import { startReviewServer, type ReviewServer } from "../../lib/review/app/server.ts";
import { ShippedModels } from "../../lib/review/model-registry.ts";
import type { QueueItem } from "../../lib/review/review-queue.ts";
import { ReviewService } from "../../lib/review/review-service.ts";
import { retrainModel } from "../../lib/use-cases/retrain-model.ts";
import { quickRecipes } from "../support/quick-recipes.ts";
import { chromiumAvailable, launchChromium } from "../support/chromium.ts";

/**
 * The review app in headless Chromium (Debian's `chromium`), on a local `recontact run` output
 * folder — the way `recontact review --out <dir>` serves it: the queue, keyboard shortcuts that
 * accept and correct, the label persisted to <out>/labels/*.jsonl and the report rewritten.
 * Screenshots go to tests/.artifacts/review-screenshots/.
 */
const ROOT = new URL("../../", import.meta.url).pathname;
const SHOTS = join(ROOT, "tests/.artifacts/review-screenshots");
const WEEK = "2026-W47";
const available = chromiumAvailable("review-browser");

describe.skipIf(!available)("the review app in a real browser", () => {
  let browser: Browser;
  let work: string;
  let out: string;
  let workspace: Workspace;
  let server: ReviewServer;
  const errors: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "recontact-review-browser-"));
    // The demo's last week (c-0055 … c-0076): a few low-confidence reasons and a repeat chain.
    const input = join(work, "in");
    out = join(work, "out");
    await mkdir(input, { recursive: true });
    for (const name of await readdir(join(ROOT, "samples/demo"))) {
      const n = Number(/^c-(\d{4})\.json$/.exec(name)?.[1]);
      if (n >= 55 && n <= 76) await copyFile(join(ROOT, "samples/demo", name), join(input, name));
    }
    const config = await loadConfigFile(join(ROOT, "samples/demo.config.json"));
    await runPipeline({ inputDir: input, outDir: out, config, log: silentLogger, registryDir: out, now: () => new Date("2026-11-30T12:00:00Z") });
    workspace = await openLocalWorkspace(out, { log: silentLogger });
    const service = new ReviewService({ ...workspace, reviewer: "qa-browser", afterReview: () => workspace.persist() });
    server = await startReviewServer(service, { log: silentLogger, thresholds: { threshold: workspace.config.reviewThreshold, sampleRate: workspace.config.reviewSampleRate } });
    await mkdir(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await workspace?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    errors.length = 0;
  });

  async function open(path: string, width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}${path}`);
    return page;
  }

  const labelsOf = async (task: string) =>
    (await readFile(join(out, "labels", `${task}.jsonl`), "utf8").catch(() => ""))
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { contactId: string; verdict: string; label: string; reviewer: string; comment?: string; reviewedAt: string });

  it("shows the week's queue, newest first, and opens the first item to review with n", async () => {
    const { items } = (await (await fetch(`${server.url}/api/queue?week=${WEEK}`)).json()) as { items: QueueItem[] };
    expect(items.length).toBeGreaterThan(3);
    const page = await open(`/queue?week=${WEEK}`);
    expect(await page.locator("table.queue tbody tr").count()).toBe(items.length);
    expect(await page.locator("table.queue tbody tr td:first-child").allInnerTexts()).toEqual(items.map((i) => i.contactId));
    await page.screenshot({ path: join(SHOTS, "queue-1280.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/items\//), page.keyboard.press("n")]);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/items/${items[0]!.id}`);
    await page.close();
    expect(errors).toEqual([]);
  });

  it("accepts with a, corrects with c, a comment and a number key, and persists both", async () => {
    const { items } = (await (await fetch(`${server.url}/api/queue?week=${WEEK}`)).json()) as { items: QueueItem[] };
    const [first, second] = items.filter((i) => i.task === "reason");
    const page = await open(`/items/${encodeURIComponent(first!.id)}`);
    expect(await page.locator(".turn").count()).toBeGreaterThan(1);
    expect(await page.locator(".turn mark").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "item-reason-1280.png"), fullPage: true });

    await Promise.all([page.waitForURL(/saved=/), page.keyboard.press("a")]);
    expect(await page.locator(".saved").innerText()).toContain(`Saved ${first!.contactId}: accepted ${first!.predicted.label}`);
    expect((await labelsOf("reason")).find((l) => l.contactId === first!.contactId)).toMatchObject({ verdict: "accepted", label: first!.predicted.label, reviewer: "qa-browser" });

    // The next item to review; correct it to the second choice, with a comment.
    await page.goto(`${server.url}/items/${encodeURIComponent(second!.id)}`);
    const choice = await page.locator('[data-key="2"]').getAttribute("value");
    expect(choice).not.toBe(second!.predicted.label);
    await page.keyboard.press("c");
    await page.keyboard.type("asked about the charge, not the app");
    await page.keyboard.press("Escape");
    await page.screenshot({ path: join(SHOTS, "item-reason-comment-1280.png"), fullPage: true });
    await Promise.all([page.waitForURL(/saved=/), page.keyboard.press("2")]);
    expect(await page.locator(".saved").innerText()).toContain(`corrected to ${choice}`);
    expect((await labelsOf("reason")).find((l) => l.contactId === second!.contactId)).toMatchObject({
      verdict: "corrected",
      label: choice,
      comment: "asked about the charge, not the app",
      reviewer: "qa-browser",
    });
    // The output folder says so too: contacts.jsonl and the week's report.
    const line = (await readFile(join(out, "contacts.jsonl"), "utf8")).split("\n").find((l) => l.includes(`"${second!.contactId}"`))!;
    expect(JSON.parse(line)).toMatchObject({ reason: choice, reasonConfidence: 1 });
    const report = JSON.parse(await readFile(join(out, "reports", WEEK, "report.json"), "utf8")) as { reasons: { reason: string; contacts: number }[] };
    expect(report.reasons.find((r) => r.reason === choice)?.contacts).toBeGreaterThan(0);

    // k goes back; the reviewed item says who did what.
    await page.goto(`${server.url}/items/${encodeURIComponent(second!.id)}`);
    await page.screenshot({ path: join(SHOTS, "item-reason-reviewed-1280.png"), fullPage: true });
    expect(await page.locator(".reviewed").innerText()).toMatch(new RegExp(`Corrected to ${choice} by qa-browser`));
    await page.close();
    expect(errors).toEqual([]);
  });

  it("shows a repeat chain's contacts with the root-cause evidence, also on a phone", async () => {
    const { items } = (await (await fetch(`${server.url}/api/queue?week=${WEEK}`)).json()) as { items: QueueItem[] };
    const chain = items.find((i) => i.task === "root-cause")!;
    for (const width of [1280, 390]) {
      const page = await open(`/items/${encodeURIComponent(chain.id)}`, width);
      expect(await page.locator("article.contact").count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator("article.contact.repeat").count()).toBe(1);
      expect(await page.locator(".choices button").count()).toBe(4);
      const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
      expect(overflow, `@${width}`).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(SHOTS, `item-root-cause-${width}.png`), fullPage: true });
      await page.close();
    }
    const help = await open(`/items/${encodeURIComponent(chain.id)}`);
    await help.keyboard.press("?");
    expect(await help.locator("#help").isVisible()).toBe(true);
    await help.screenshot({ path: join(SHOTS, "item-help-1280.png") });
    await help.close();
    expect(errors).toEqual([]);
  });

  it("shows the model registry: the live models, every version and its card with the comparison", async () => {
    // A quick candidate, trained with the browser's labels: much weaker than the shipped model, so refused.
    const { card } = await retrainModel(
      { task: "reason", by: "qa-lead", why: "weekly retrain" },
      { registry: workspace.registry, labels: workspace.labels, rules: workspace.config.retrain, recipes: quickRecipes(), log: silentLogger, clock: () => new Date() },
    );
    const page = await open("/models");
    expect(await page.locator("section.task").count()).toBe(2);
    const reason = page.locator("section.task").first();
    expect(await reason.innerText()).toContain(`Live: ${await new ShippedModels(REPO_MODELS_DIR).version("reason")} (shipped in the code bundle)`);
    expect(await reason.locator("tbody tr").first().innerText()).toMatch(new RegExp(`${card.version}[\\s\\S]*refused`));
    await page.screenshot({ path: join(SHOTS, "models-1280.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/models\/reason\//), reason.locator(`a:text("${card.version}")`).click()]);
    expect(await page.locator("h1").innerText()).toContain(card.version);
    expect(await page.locator("table").nth(1).locator("tbody tr").count()).toBe(12);
    expect(await page.locator("body").innerText()).toContain("published by qa-lead: weekly retrain");
    await page.screenshot({ path: join(SHOTS, "model-card-1280.png"), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
  });
});
