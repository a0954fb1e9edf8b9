import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../lib/config.ts";
import { runPipeline, type RunResult } from "../../lib/cli/run-pipeline.ts";
import { silentLogger } from "../../lib/log.ts";
import { ReportSchema, type Report } from "../../lib/report/report-schema.ts";
import { chromiumAvailable, launchChromium } from "../support/chromium.ts";

/**
 * Opens every weekly report.html of the demo in headless Chromium (Debian's `chromium`, which
 * .ci/run installs). Screenshots at 1280 and 390 px go to tests/.artifacts/report-screenshots/.
 */
const ROOT = new URL("../../", import.meta.url).pathname;
const SHOTS = join(ROOT, "tests/.artifacts/report-screenshots");
const available = chromiumAvailable("report-browser");

describe.skipIf(!available)("report.html in a real browser", () => {
  let browser: Browser;
  let result: RunResult;
  let out: string;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "recontact-browser-"));
    const config = await loadConfigFile(join(ROOT, "samples/demo.config.json"));
    result = await runPipeline({ inputDir: join(ROOT, "samples/demo"), outDir: out, config, log: silentLogger, now: () => new Date("2026-12-31T12:00:00Z") });
    await mkdir(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders every week without console errors or network requests, with the numbers of report.json", async () => {
    expect(result.weeks.length).toBeGreaterThan(0);
    for (const { week } of result.weeks) {
      const file = join(out, "reports", week, "report.html");
      const report = ReportSchema.parse(JSON.parse(await readFile(join(out, "reports", week, "report.json"), "utf8")));
      for (const width of [1280, 390]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const errors: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        page.on("pageerror", (e) => errors.push(e.message));
        page.on("request", (r) => r.url().startsWith("file://") || requests.push(r.url()));
        await page.goto(`file://${file}`);
        expect(errors, `${week} @${width}`).toEqual([]);
        expect(requests, `${week} @${width}`).toEqual([]);
        expect(await page.locator("svg[role=img]").count()).toBeGreaterThanOrEqual(2);
        for (const metric of ["contacts", "repeatRate", "fcrRate", "repeatCost"]) {
          const shown = await page.locator(`[data-metric="${metric}"]`).first().getAttribute("value");
          const expected = report.totals[metric as keyof Report["totals"]];
          expect(shown === "" ? null : Number(shown), `${week} ${metric}`).toBeCloseTo(expected ?? NaN, 6);
        }
        // "What to fix first": one item per recommendation, in rank order, with the numbers of report.json.
        const fixes = page.locator("#fix-first li.fix");
        expect(await fixes.count(), `${week} recommendations`).toBe(report.recommendations.length);
        for (const [i, r] of report.recommendations.entries()) {
          const item = fixes.nth(i);
          expect(await item.getAttribute("data-rank")).toBe(String(r.rank));
          expect(await item.getAttribute("data-reason")).toBe(r.reason);
          expect(await item.getAttribute("data-cause")).toBe(r.rootCause);
          expect(Number(await item.locator('[data-field="repeatContacts"]').getAttribute("value"))).toBe(r.repeatContacts);
          expect(Number(await item.locator('[data-field="cost"]').getAttribute("value"))).toBe(r.cost);
          expect(await item.locator("h3").textContent()).toBe(r.topic);
          expect(await item.isVisible()).toBe(true);
        }
        if (report.recommendations.length === 0) expect(await page.locator("#fix-first").textContent()).toContain("nothing to fix");
        // The section comes right after the headline figures.
        const order = await page.evaluate(`[...document.querySelectorAll("main > section")].map((s) => s.id || s.className)`);
        expect((order as string[]).slice(0, 2)).toEqual(["cards", "fix-first"]);
        expect(await page.locator(`.status[data-provisional="${report.provisional}"]`).count()).toBe(1);
        // Nothing wider than a phone screen: the page does not scroll sideways at 390 px.
        const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
        expect(overflow, `${week} @${width}`).toBeLessThanOrEqual(1);
        await page.screenshot({ path: join(SHOTS, `${week}-${width}.png`), fullPage: true });
        await page.close();
      }
    }
  });
});
