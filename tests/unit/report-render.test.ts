import { describe, expect, it } from "vitest";
import { renderCsv } from "../../lib/report/render-csv.ts";
import { escapeHtml, renderHtml } from "../../lib/report/render-html.ts";
import { ReportSchema, type Report } from "../../lib/report/report-schema.ts";
import { barChart, lineChart } from "../../lib/report/svg-charts.ts";

const EVIL = `<script>alert("x")</script>`;

/** A small report written by hand, with hostile and awkward strings in every text field that can hold them. */
const REPORT: Report = ReportSchema.parse({
  schemaVersion: 1,
  week: "2026-W47",
  weekStart: "2026-11-15T23:00:00.000Z",
  weekEnd: "2026-11-22T23:00:00.000Z",
  generatedAt: "2026-11-23T05:00:00.000Z",
  provisional: true,
  provisionalUntil: "2026-11-29T23:00:00.000Z",
  config: { windowDays: 7, sameReasonOnly: true, timeZone: "Europe/Amsterdam", currency: "EUR" },
  totals: {
    contacts: 1234, customers: 900, firstContacts: 800, repeatContacts: 150,
    repeatRate: 150 / 1234, fcrRate: 0.8125, quarantined: 3, awaitingContactRecord: 2, abandoned: 12, repeatCost: 712.5,
  },
  previousTotals: {
    contacts: 1200, customers: 880, firstContacts: 790, repeatContacts: 140,
    repeatRate: 140 / 1200, fcrRate: 0.8, quarantined: 0, awaitingContactRecord: 0, abandoned: 10, repeatCost: 650,
  },
  rootCauses: [
    { cause: "knowledge_gap", chains: 60, repeatContacts: 90, share: 0.6, cost: 450 },
    { cause: "other", chains: 50, repeatContacts: 60, share: 0.4, cost: 262.5 },
  ],
  reasons: [
    { reason: "billing", contacts: 600, repeatContacts: 100, repeatRate: 1 / 6, topRootCause: "knowledge_gap", cost: 475 },
    { reason: EVIL, contacts: 634, repeatContacts: 50, repeatRate: 50 / 634, topRootCause: "other", cost: 237.5 },
  ],
  agents: [
    { agentId: "a-1", team: "billing-1", contacts: 40, repeatsCaused: 9, knowledgeGapRepeats: 7 },
    { agentId: "a-rare", team: "billing-1", contacts: 2, repeatsCaused: 1, knowledgeGapRepeats: 0 },
  ],
  teams: [{ team: "billing-1", contacts: 42, repeatsCaused: 10, knowledgeGapRepeats: 7 }],
  channels: [{ channel: "voice", contacts: 1234, repeatContacts: 150, repeatRate: 150 / 1234, cost: 712.5 }],
  trend: [
    { week: "2026-W46", contacts: 1200, repeatRate: 140 / 1200, fcrRate: 0.8 },
    { week: "2026-W47", contacts: 1234, repeatRate: 150 / 1234, fcrRate: 0.8125 },
  ],
  examples: [
    { cause: "knowledge_gap", contactId: "c-1", quote: "The last agent said something else & I'm \"confused\"", language: "en" },
    { cause: "other", contactId: "c-2", quote: "لم أستطع إلغاء الاشتراك في التطبيق", language: "ar" },
    { cause: "other", contactId: "c-3", quote: "نتوانستم در اپلیکیشن پیگیری کنم", language: "fa" },
  ],
  breakdown: [
    { reason: "billing", rootCause: "knowledge_gap", team: 'Team "North", Amsterdam', repeatContacts: 90, chains: 60, cost: 450 },
    { reason: EVIL, rootCause: "other", team: "=HYPERLINK(\"http://evil\")", repeatContacts: 60, chains: 50, cost: 262.5 },
  ],
  recommendations: [
    {
      rank: 1, reason: "billing", rootCause: "knowledge_gap", repeatContacts: 90, chains: 60, cost: 450, share: 0.6,
      topic: "Bill explanations", action: "give agents a line-by-line guide to the invoice",
      text: "Bill explanations: 90 repeats from agent knowledge gaps — give agents a line-by-line guide to the invoice. Most are in team billing-1 (90 of 90). Coach first: a-1 (7).",
      team: { team: "billing-1", repeatContacts: 90 }, agents: [{ agentId: "a-1", knowledgeGapRepeats: 7 }],
    },
    {
      rank: 2, reason: EVIL, rootCause: "other", repeatContacts: 60, chains: 50, cost: 262.5, share: 0.4,
      topic: EVIL, action: "read a sample <b>now</b>", text: "…", team: null, agents: [],
    },
  ],
  estimatedCounts: [],
});

const EMPTY: Report = ReportSchema.parse({
  ...REPORT,
  provisional: false,
  totals: { contacts: 0, customers: 0, firstContacts: 0, repeatContacts: 0, repeatRate: null, fcrRate: null, quarantined: 0, awaitingContactRecord: 0, abandoned: 0, repeatCost: 0 },
  previousTotals: null,
  rootCauses: [], reasons: [], agents: [], teams: [], channels: [], examples: [], breakdown: [], recommendations: [],
  trend: [{ week: "2026-W47", contacts: 0, repeatRate: null, fcrRate: null }],
});

/** Minimal RFC 4180 parser, enough to check what the renderer wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), (field = "");
    else if (ch === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else if (ch !== "\r") field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

describe("renderCsv", () => {
  it("writes the header and one row per breakdown row", () => {
    const rows = parseCsv(renderCsv(REPORT));
    expect(rows[0]).toEqual(["week", "reason", "root_cause", "team", "repeat_contacts", "chains", "cost", "currency"]);
    expect(rows.slice(1)).toEqual([
      ["2026-W47", "billing", "knowledge_gap", 'Team "North", Amsterdam', "90", "60", "450.00", "EUR"],
      ["2026-W47", EVIL, "other", `'=HYPERLINK("http://evil")`, "60", "50", "262.50", "EUR"],
    ]);
  });

  it("quotes fields as RFC 4180 asks", () => {
    const csv = renderCsv(REPORT);
    expect(csv).toContain(`"Team ""North"", Amsterdam"`);
    expect(csv.split("\n")[1]).toBe(`2026-W47,billing,knowledge_gap,"Team ""North"", Amsterdam",90,60,450.00,EUR`);
    expect(csv.endsWith("\n")).toBe(true);
  });

  it("neutralises spreadsheet formulas in text cells", () => {
    expect(renderCsv(REPORT)).not.toMatch(/(^|,)"?=/m);
  });

  it("gives the header only for a week without repeats", () => {
    expect(renderCsv(EMPTY)).toBe("week,reason,root_cause,team,repeat_contacts,chains,cost,currency\n");
  });
});

describe("renderHtml", () => {
  const html = renderHtml(REPORT);

  it("is one self-contained HTML5 document", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.match(/<html[\s>]/g)).toHaveLength(1);
    expect(html.match(/<\/html>/g)).toHaveLength(1);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain("@media print");
  });

  it("references nothing external and runs no script", () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // in-page anchors only
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^#/);
  });

  it("names the week and its dates, and flags a provisional week", () => {
    expect(html).toContain("2026-W47");
    expect(html).toContain("Mon, 16 Nov 2026");
    expect(html).toContain("Sun, 22 Nov 2026");
    expect(html).toContain("Provisional until Mon, 30 Nov 2026, 00:00 CET");
    expect(renderHtml(EMPTY)).not.toContain("Provisional until");
  });

  it("carries the raw key figures in data-metric elements", () => {
    const metric = (doc: string, name: string) => {
      const match = new RegExp(`data-metric="${name}" value="([^"]*)" data-value="([^"]*)"`).exec(doc);
      expect(match, name).not.toBeNull();
      expect(match![1]).toBe(match![2]);
      return match![1];
    };
    expect(Number(metric(html, "contacts"))).toBe(REPORT.totals.contacts);
    expect(Number(metric(html, "repeatRate"))).toBe(REPORT.totals.repeatRate);
    expect(Number(metric(html, "fcrRate"))).toBe(REPORT.totals.fcrRate);
    expect(Number(metric(html, "repeatCost"))).toBe(REPORT.totals.repeatCost);
    expect(metric(renderHtml(EMPTY), "repeatRate")).toBe("");
  });

  it("formats percentages with one decimal and money in the report currency", () => {
    expect(html).toContain("12.2%"); // 150 / 1234
    expect(html).toContain("81.3%"); // 0.8125
    expect(html).toContain("€712.50");
    expect(html).toContain("+34 (+2.8%) vs 2026-W46"); // contacts 1234 vs 1200
    expect(html).toContain("+1.3 pp vs 2026-W46"); // FCR shown 81.3% vs 80.0%
    expect(html).toContain("+0.5 pp vs 2026-W46"); // repeat rate shown 12.2% vs 11.7%
  });

  it("escapes every text, in content and attributes", () => {
    expect(html).not.toContain(EVIL);
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("something else &amp; I&#39;m &quot;confused&quot;");
    expect(escapeHtml(`<a href='x'>&"`)).toBe("&lt;a href&#61;&#39;x&#39;&gt;&amp;&quot;");
    // a URL in the data is shown as text, never as a literal URL in the source
    expect(html).toContain("&#61;HYPERLINK(&quot;http&#58;//evil&quot;)");
    expect(escapeHtml("see https://example.com/a")).toBe("see https&#58;//example.com/a");
  });

  it("renders example quotes so right-to-left scripts read right to left", () => {
    expect(html).toContain('<blockquote dir="auto" lang="ar"><p>لم أستطع إلغاء الاشتراك في التطبيق</p></blockquote>');
    expect(html).toContain('<blockquote dir="auto" lang="fa">');
    expect(html.match(/<blockquote /g)).toHaveLength(REPORT.examples.length);
  });

  it("shows agents with at least 3 contacts only", () => {
    expect(html).toContain(">a-1<");
    expect(html).not.toContain(">a-rare<");
  });

  it("draws accessible SVG charts and repeats their numbers in tables", () => {
    const svgs = html.match(/<svg [^>]*>/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(3);
    for (const svg of svgs) {
      expect(svg).toContain('role="img"');
      expect(svg).toContain("aria-label=");
    }
    // Root-cause bar labels "90 (60.0%)" → the table has 90 and 60.0%.
    expect(html).toContain("90 (60.0%)");
    expect(html).toMatch(/<td class="num">90<\/td><td class="num">60\.0%<\/td>/);
    expect(html).toContain("Quarantined inputs");
  });

  it("shows trend values in the chart exactly as in the table", () => {
    expect(html).toContain("<title>FCR, 2026-W46: 80.0%</title>");
    expect(html).toMatch(/<td class="num">80\.0%<\/td>/);
    expect(html).toContain('2026-W47<span class="cell-note">provisional</span>');
  });

  it("lists the 20 largest breakdown rows and points to report.csv for the rest", () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({
      reason: `reason-${String(i).padStart(2, "0")}`, rootCause: "other" as const, team: "t", repeatContacts: 25 - i, chains: 1, cost: 1,
    }));
    const big = renderHtml({ ...REPORT, breakdown: rows });
    expect(big).toContain("Reason-19");
    expect(big).not.toContain("Reason-20");
    expect(big).toContain("5 smaller combinations not shown; all rows are in report.csv.");
    expect(parseCsv(renderCsv({ ...REPORT, breakdown: rows }))).toHaveLength(26);
  });

  it("puts 'what to fix first' right after the headline figures, each recommendation with its numbers", () => {
    const section = /<section class="panel" id="fix-first"[\s\S]*?<\/section>/.exec(html)![0];
    expect(html.indexOf('id="fix-first"')).toBeGreaterThan(html.indexOf('class="cards"'));
    expect(html.indexOf('id="fix-first"')).toBeLessThan(html.indexOf('id="root-causes"'));
    expect(section.match(/<li class="fix"/g)).toHaveLength(2);
    expect(section).toContain('<data data-field="repeatContacts" value="90">90 repeat contacts</data>');
    expect(section).toContain('<data data-field="cost" value="450">€450.00</data>');
    expect(section).toContain("60.0% of repeats");
    expect(section).toContain("<h3>Bill explanations</h3>");
    expect(section).toContain("Give agents a line-by-line guide to the invoice.");
    expect(section).toContain("All in team billing-1. Coach first: a-1 (7).");
    // every text from data is escaped here too
    expect(section).not.toContain("<b>");
    expect(section).toContain("&lt;script&gt;");
    expect(renderHtml(EMPTY)).toContain("No repeat contacts this week: nothing to fix.");
  });

  it("shows the cost of repeats per reason and per root cause", () => {
    const reasons = /<section class="panel" id="reasons"[\s\S]*?<\/section>/.exec(html)![0];
    expect(reasons).toContain(">Cost of repeats<");
    expect(reasons).toMatch(/<td class="num">€475\.00<\/td>/);
    const causes = /<section class="panel" id="root-causes"[\s\S]*?<\/section>/.exec(html)![0];
    expect(causes).toMatch(/<td class="num">€450\.00<\/td>/);
  });

  it("says when it was generated and whether it is provisional or final", () => {
    expect(html).toContain('<p class="status" data-provisional="true"><span class="pill pill-provisional">Provisional</span> Generated <time datetime="2026-11-23T05:00:00.000Z">Mon, 23 Nov 2026, 06:00 CET</time></p>');
    const final = renderHtml({ ...REPORT, provisional: false, generatedAt: "2026-12-07T05:00:00.000Z" });
    expect(final).toContain('data-provisional="false"><span class="pill pill-final">Final</span> Generated');
    expect(final).toContain("every repeat window closed by");
    expect(final).not.toContain("Provisional until");
  });

  it("marks estimated counts", () => {
    const estimated = renderHtml({ ...REPORT, estimatedCounts: ["totals.customers"] });
    expect(estimated).toContain("≈ 900 customers");
    expect(estimated).toContain("Estimated counts (HyperLogLog, about ±1 %, used above 100,000 distinct values): totals.customers.");
    expect(html).not.toContain("Estimated counts");
  });

  it("renders an empty week without failing", () => {
    const empty = renderHtml(EMPTY);
    expect(empty).toContain("No repeat contacts this week");
    expect(empty).toContain(">—<");
  });
});

describe("svg charts", () => {
  it("barChart gives one titled mark per row and escapes labels", () => {
    const svg = barChart([{ label: "a<b", value: 3 }, { label: "c", value: 0 }], { title: "T & U" });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="T &amp; U"/);
    expect(svg).toContain("<title>T &amp; U</title>");
    expect(svg).toContain("<title>a&lt;b: 3</title>");
    expect(svg.match(/class="bar-row"/g)).toHaveLength(2);
    expect(svg).not.toContain("xmlns");
  });

  it("lineChart breaks the line at missing values and titles every point", () => {
    const svg = lineChart(
      [{ name: "Rate", points: [{ x: "W1", y: 0.1 }, { x: "W2", y: null }, { x: "W3", y: 0.3 }] }],
      { title: "Trend", formatValue: (v) => `${(v * 100).toFixed(1)}%` },
    );
    expect(svg).toContain("<title>Rate, W1: 10.0%</title>");
    expect(svg).toContain("<title>Rate, W3: 30.0%</title>");
    const path = /<path d="([^"]*)"/.exec(svg)![1]!;
    expect(path.match(/M/g)).toHaveLength(2);
    expect(path).not.toContain("L");
  });
});
