import { escapeHtml } from "./escape.ts";
import { DateTime } from "luxon";
import type { Channel } from "../config.ts";
import type { RootCause } from "../contact/contact-record.ts";
import { shiftWeek, weekBounds } from "../time/iso-week.ts";
import type { Report, Totals } from "./report-schema.ts";
import { humaniseReason, teamSentence } from "./recommendations.ts";
import { barChart, lineChart } from "./svg-charts.ts";

/**
 * report.html (SPEC 5): one self-contained HTML5 document. Inline CSS and inline SVG only, no
 * scripts, no external requests (a Content-Security-Policy forbids them too), readable on a phone
 * and on a desktop, printable. Every number a chart shows is also in a table. Key figures carry
 * `data-metric` plus their raw value (`value` / `data-value`) so tests can compare with report.json.
 */
export { escapeHtml };

export function renderHtml(report: Report): string {
  const f = formatters(report);
  const previousWeek = shiftWeek(report.week, -1);
  const title = `Repeat contacts — ${report.week}`;
  const sections = [
    headerHtml(report, f),
    navHtml(),
    `<main>`,
    cardsHtml(report, f, previousWeek),
    fixFirstHtml(report, f),
    rootCausesHtml(report, f),
    reasonsHtml(report, f),
    trendHtml(report, f),
    teamsHtml(report, f),
    agentsHtml(report, f),
    channelsHtml(report, f),
    examplesHtml(report),
    breakdownHtml(report, f),
    totalsHtml(report, f, previousWeek),
    `</main>`,
    footerHtml(report, f),
  ];
  return (
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">\n` +
    `<meta name="color-scheme" content="light">\n` +
    `<title>${escapeHtml(title)}</title>\n<style>${CSS}</style>\n</head>\n` +
    `<body>\n<div class="page">\n${sections.join("\n")}\n</div>\n</body>\n</html>\n`
  );
}


// --- formatting --------------------------------------------------------------------------------

interface Formatters {
  count(n: number): string;
  percent(rate: number | null): string;
  money(amount: number): string;
  date(iso: string): string;
  dateTime(iso: string): string;
}

function formatters(report: Report): Formatters {
  const timeZone = report.config.timeZone;
  const counts = new Intl.NumberFormat("en");
  const money = new Intl.NumberFormat("en", { style: "currency", currency: report.config.currency });
  const date = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone });
  const dateTime = new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  });
  return {
    count: (n) => counts.format(n),
    percent: (rate) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`),
    money: (amount) => money.format(amount),
    date: (iso) => date.format(new Date(iso)),
    dateTime: (iso) => dateTime.format(new Date(iso)),
  };
}

const CAUSE_LABELS: Record<RootCause, string> = {
  procedure_limit: "Procedure limit",
  knowledge_gap: "Knowledge gap",
  missing_self_service: "Missing self-service",
  other: "Other",
};

const CAUSE_COLORS: Record<RootCause, string> = {
  procedure_limit: "#7c3aed",
  knowledge_gap: "#c2410c",
  missing_self_service: "#0f766e",
  other: "#64748b",
};

const CHANNEL_LABELS: Record<Channel, string> = { voice: "Voice", chat: "Chat", email: "E-mail", sms: "SMS", social: "Social" };

function causeLabel(cause: RootCause | null): string {
  return cause === null ? "—" : CAUSE_LABELS[cause];
}

const humanise = humaniseReason;

function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames("en", { type: "language" }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code || "unknown language";
  }
}

/** The Sunday of the week: weekEnd is the exclusive next Monday 00:00. */
function lastDayOfWeek(report: Report): string {
  return new Date(Date.parse(report.weekEnd) - 1).toISOString();
}

function weekIsProvisional(report: Report, week: string): boolean {
  const { end } = weekBounds(week, report.config.timeZone);
  const until = DateTime.fromJSDate(end, { zone: report.config.timeZone }).plus({ days: report.config.windowDays });
  return Date.parse(report.generatedAt) < until.toMillis();
}

// --- sections ----------------------------------------------------------------------------------

function headerHtml(report: Report, f: Formatters): string {
  const banner = report.provisional
    ? `<div class="banner" role="note"><strong>Provisional until ${escapeHtml(f.dateTime(report.provisionalUntil))}.</strong> ` +
      `The ${escapeHtml(String(report.config.windowDays))}-day repeat window of this week’s first contacts has not closed yet: ` +
      `repeat counts and FCR may still change. The report is re-run when the window has closed.</div>`
    : "";
  return (
    `<header class="masthead">` +
    `<p class="eyebrow">recontact · weekly repeat-contact report</p>` +
    `<h1>Week ${escapeHtml(report.week)}</h1>` +
    `<p class="dates"><time datetime="${escapeHtml(report.weekStart)}">${escapeHtml(f.date(report.weekStart))}</time> – ` +
    `<time datetime="${escapeHtml(lastDayOfWeek(report))}">${escapeHtml(f.date(lastDayOfWeek(report)))}</time>` +
    ` <span class="muted">(${escapeHtml(report.config.timeZone)})</span></p>` +
    `<p class="status" data-provisional="${report.provisional}">` +
    (report.provisional
      ? `<span class="pill pill-provisional">Provisional</span>`
      : `<span class="pill pill-final">Final</span>`) +
    ` Generated <time datetime="${escapeHtml(report.generatedAt)}">${escapeHtml(f.dateTime(report.generatedAt))}</time>` +
    (report.provisional
      ? ""
      : ` · every repeat window closed by <time datetime="${escapeHtml(report.provisionalUntil)}">${escapeHtml(f.dateTime(report.provisionalUntil))}</time>`) +
    `</p>` +
    `<p class="meta">Repeat window ${escapeHtml(String(report.config.windowDays))} days` +
    ` · ${report.config.sameReasonOnly ? "same reason only" : "any reason"}</p>` +
    banner +
    `</header>`
  );
}

function navHtml(): string {
  const links: [string, string][] = [
    ["fix-first", "Fix first"],
    ["root-causes", "Root causes"],
    ["reasons", "Reasons"],
    ["trend", "Trend"],
    ["teams", "Teams"],
    ["agents", "Agents"],
    ["channels", "Channels"],
    ["examples", "Examples"],
    ["breakdown", "Breakdown"],
    ["totals", "Totals"],
  ];
  return `<nav aria-label="Sections">${links.map(([id, label]) => `<a href="#${id}">${escapeHtml(label)}</a>`).join("")}</nav>`;
}

type Direction = "up" | "down" | "flat";

function cardsHtml(report: Report, f: Formatters, previousWeek: string): string {
  const t = report.totals;
  const p = report.previousTotals;
  const vs = `vs ${previousWeek}`;

  const contactsDelta = p
    ? deltaHtml(t.contacts - p.contacts, "neutral", (d) => {
        const pct = p.contacts > 0 ? ` (${signed((d / p.contacts) * 100, 1)}%)` : "";
        return `${signed(d, 0)}${pct} ${vs}`;
      })
    : "";
  const rateDelta = (cur: number | null, prev: number | null | undefined, higherIs: "good" | "bad") =>
    cur !== null && prev !== null && prev !== undefined
      ? // the difference of the percentages as shown (1 decimal), so the card adds up for the reader
        deltaHtml(percentPoints(cur) - percentPoints(prev), higherIs, (d) => `${signed(d, 1)} pp ${vs}`)
      : "";
  const costDelta = p
    ? deltaHtml(t.repeatCost - p.repeatCost, "bad", (d) => `${d > 0 ? "+" : d < 0 ? "−" : "±"}${f.money(Math.abs(d))} ${vs}`)
    : "";

  const card = (label: string, metric: keyof Totals, value: number | null, shown: string, delta: string, note: string) =>
    `<div class="card"><p class="card-title">${escapeHtml(label)}</p>` +
    `<p class="figure"><data data-metric="${metric}" value="${value ?? ""}" data-value="${value ?? ""}">${escapeHtml(shown)}</data></p>` +
    (delta || (p ? "" : `<p class="delta muted">no data for ${escapeHtml(previousWeek)}</p>`)) +
    `<p class="note">${escapeHtml(note)}</p></div>`;

  return (
    `<section class="cards" aria-label="Headline figures">` +
    card("Contacts", "contacts", t.contacts, f.count(t.contacts), contactsDelta,
      `${report.estimatedCounts.includes("totals.customers") ? "≈ " : ""}${f.count(t.customers)} customers`) +
    card("Repeat rate", "repeatRate", t.repeatRate, f.percent(t.repeatRate), rateDelta(t.repeatRate, p?.repeatRate, "bad"),
      `${f.count(t.repeatContacts)} repeat contacts`) +
    card("First-contact resolution", "fcrRate", t.fcrRate, f.percent(t.fcrRate), rateDelta(t.fcrRate, p?.fcrRate, "good"),
      `of ${f.count(t.firstContacts)} first contacts${report.provisional ? " (provisional)" : ""}`) +
    card("Cost of repeats", "repeatCost", t.repeatCost, f.money(t.repeatCost), costDelta, `${f.count(t.repeatContacts)} repeat contacts`) +
    `</section>`
  );
}

function deltaHtml(delta: number, higherIs: "good" | "bad" | "neutral", text: (d: number) => string): string {
  const direction: Direction = Math.abs(delta) < 1e-9 ? "flat" : delta > 0 ? "up" : "down";
  const tone =
    direction === "flat" || higherIs === "neutral"
      ? "neutral"
      : (direction === "up") === (higherIs === "good")
        ? "good"
        : "bad";
  const arrow = direction === "up" ? "▲" : direction === "down" ? "▼" : "■";
  return `<p class="delta ${tone}"><span aria-hidden="true">${arrow}</span> ${escapeHtml(text(delta))}</p>`;
}

function percentPoints(rate: number): number {
  return Number((rate * 100).toFixed(1));
}

/** "+1.2", "−0.4", "±0" with a true minus sign. */
function signed(n: number, decimals: number): string {
  const rounded = Number(n.toFixed(decimals));
  const body = Math.abs(rounded).toFixed(decimals);
  return rounded > 0 ? `+${body}` : rounded < 0 ? `−${body}` : `±${body}`;
}

/** "What to fix first": each recommendation with its figures, the action, and who to talk to. */
function fixFirstHtml(report: Report, f: Formatters): string {
  if (report.recommendations.length === 0) {
    return panel("fix-first", "What to fix first", `<p class="empty">No repeat contacts this week: nothing to fix.</p>`);
  }
  const items = report.recommendations.map((r) => {
    const focus = [
      r.team ? teamSentence(r.team.team, r.team.repeatContacts, r.repeatContacts) : "",
      r.agents.length ? `Coach first: ${r.agents.map((a) => `${a.agentId} (${f.count(a.knowledgeGapRepeats)})`).join(", ")}.` : "",
    ].filter(Boolean);
    return (
      `<li class="fix" data-rank="${r.rank}" data-reason="${escapeHtml(r.reason)}" data-cause="${r.rootCause}">` +
      `<div class="fix-head"><span class="rank" aria-hidden="true">${r.rank}</span>` +
      `<h3>${escapeHtml(r.topic)}</h3>` +
      `<span class="tag" style="border-color:${CAUSE_COLORS[r.rootCause]};color:${CAUSE_COLORS[r.rootCause]}">${escapeHtml(causeLabel(r.rootCause))}</span></div>` +
      `<p class="fix-figures">` +
      `<data data-field="repeatContacts" value="${r.repeatContacts}">${escapeHtml(f.count(r.repeatContacts))} repeat contact${r.repeatContacts === 1 ? "" : "s"}</data>` +
      ` · <data data-field="cost" value="${r.cost}">${escapeHtml(f.money(r.cost))}</data>` +
      ` · ${escapeHtml(f.percent(r.share))} of repeats · ${escapeHtml(humanise(r.reason))}</p>` +
      `<p class="fix-action">${escapeHtml(sentence(r.action))}</p>` +
      (focus.length ? `<p class="fix-focus">${escapeHtml(focus.join(" "))}</p>` : "") +
      `</li>`
    );
  });
  return panel(
    "fix-first",
    "What to fix first",
    `<p class="lead">The costliest combinations of contact reason and root cause this week, largest first.</p>` +
      `<ol class="fixes">${items.join("")}</ol>`,
  );
}

/** "consider raising …" → "Consider raising ….": an action phrase as a sentence of its own. */
function sentence(phrase: string): string {
  return `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}.`;
}

function rootCausesHtml(report: Report, f: Formatters): string {
  const rows = report.rootCauses;
  const chart = barChart(
    rows.map((r) => ({ label: causeLabel(r.cause), value: r.repeatContacts, display: `${f.count(r.repeatContacts)} (${f.percent(r.share)})`, note: f.money(r.cost) })),
    {
      title: "Repeat contacts by root cause, with their cost",
      color: "#c2410c",
      emptyText: "No repeat contacts this week",
    },
  );
  const table = tableHtml(
    "Repeat contacts by root cause",
    [col("Root cause"), num("Chains"), num("Repeat contacts"), num("Share"), num("Cost")],
    rows.map((r) => [causeLabel(r.cause), f.count(r.chains), f.count(r.repeatContacts), f.percent(r.share), f.money(r.cost)]),
    "No repeat contacts this week.",
  );
  return panel(
    "root-causes",
    "Why customers came back",
    `<p class="lead">Each repeat contact counted by the root cause of its chain.</p><div class="split"><figure>${chart}</figure>${table}</div>`,
  );
}

function reasonsHtml(report: Report, f: Formatters): string {
  const withRepeats = report.reasons.filter((r) => r.repeatContacts > 0);
  const chart = barChart(
    withRepeats.map((r) => ({ label: humanise(r.reason), value: r.repeatContacts, note: f.money(r.cost) })),
    { title: "Repeat contacts by contact reason, with their cost", color: "#2563eb", emptyText: "No repeat contacts this week", formatValue: f.count },
  );
  const table = tableHtml(
    "Contacts and repeats by contact reason",
    [col("Reason"), num("Contacts"), num("Repeat contacts"), num("Repeat rate"), num("Cost of repeats"), col("Top root cause")],
    report.reasons.map((r) => [
      humanise(r.reason),
      f.count(r.contacts),
      f.count(r.repeatContacts),
      f.percent(r.repeatRate),
      f.money(r.cost),
      causeLabel(r.topRootCause),
    ]),
    "No contacts this week.",
  );
  return panel("reasons", "Contact reasons", `<div class="split"><figure>${chart}</figure>${table}</div>`);
}

function trendHtml(report: Report, f: Formatters): string {
  const trend = report.trend;
  const chart = lineChart(
    [
      { name: "Repeat rate", points: trend.map((p) => ({ x: p.week, y: p.repeatRate })), color: "#c2410c", marker: "circle" },
      { name: "FCR", points: trend.map((p) => ({ x: p.week, y: p.fcrRate })), color: "#1d4ed8", marker: "square", dashed: true },
    ],
    {
      title: "Repeat rate and first-contact resolution by week",
      xLabels: trend.map((p) => p.week),
      formatX: (week) => week.slice(5),
      formatValue: (v) => f.percent(v),
      formatTick: (v) => `${Math.round(v * 100)}%`,
      emptyText: "No weeks with data",
    },
  );
  const table = tableHtml(
    "Repeat rate and FCR by week",
    [col("Week"), num("Contacts"), num("Repeat rate"), num("FCR")],
    trend.map((p) => [
      weekIsProvisional(report, p.week) ? { text: p.week, note: "provisional" } : p.week,
      f.count(p.contacts),
      f.percent(p.repeatRate),
      f.percent(p.fcrRate),
    ]),
    "No weeks with data.",
  );
  return panel("trend", "Trend", `<div class="split"><figure>${chart}</figure>${table}</div>`);
}

function teamsHtml(report: Report, f: Formatters): string {
  const table = tableHtml(
    "Teams",
    [col("Team"), num("Contacts"), num("Repeats caused"), num("Knowledge-gap repeats")],
    report.teams.map((t) => [t.team, f.count(t.contacts), f.count(t.repeatsCaused), f.count(t.knowledgeGapRepeats)]),
    "No contacts with a team this week.",
  );
  return panel(
    "teams",
    "Teams",
    `<p class="lead">Repeats caused: this week’s repeat contacts whose chain failed at a contact the team handled.</p>${table}`,
  );
}

const MIN_AGENT_CONTACTS = 3;

function agentsHtml(report: Report, f: Formatters): string {
  const shown = report.agents.filter((a) => a.contacts >= MIN_AGENT_CONTACTS);
  const hidden = report.agents.length - shown.length;
  const table = tableHtml(
    "Agents",
    [col("Agent"), col("Team"), num("Contacts"), num("Repeats caused"), num("Knowledge-gap repeats")],
    shown.map((a) => [a.agentId, a.team ?? "—", f.count(a.contacts), f.count(a.repeatsCaused), f.count(a.knowledgeGapRepeats)]),
    `No agent handled ${MIN_AGENT_CONTACTS} or more contacts this week.`,
  );
  const note =
    hidden > 0
      ? `<p class="note">${f.count(hidden)} agent${hidden === 1 ? "" : "s"} with fewer than ${MIN_AGENT_CONTACTS} contacts this week not shown (too few to compare); they are in report.json.</p>`
      : "";
  return panel("agents", "Agents", `<p class="lead">Agents with ${MIN_AGENT_CONTACTS} or more contacts this week, most knowledge-gap repeats first.</p>${table}${note}`);
}

function channelsHtml(report: Report, f: Formatters): string {
  const table = tableHtml(
    "Channels",
    [col("Channel"), num("Contacts"), num("Repeat contacts"), num("Repeat rate"), num("Cost of repeats")],
    report.channels.map((c) => [CHANNEL_LABELS[c.channel], f.count(c.contacts), f.count(c.repeatContacts), f.percent(c.repeatRate), f.money(c.cost)]),
    "No contacts this week.",
  );
  return panel("channels", "Channels", table);
}

function examplesHtml(report: Report): string {
  if (report.examples.length === 0) {
    return panel("examples", "What customers and agents said", `<p class="empty">No evidence quotes this week.</p>`);
  }
  const byCause = new Map<RootCause, Report["examples"]>();
  for (const example of report.examples) byCause.set(example.cause, [...(byCause.get(example.cause) ?? []), example]);
  const groups = [...byCause].map(
    ([cause, examples]) =>
      `<div class="example-group"><h3><span class="swatch" style="background:${CAUSE_COLORS[cause]}"></span>${escapeHtml(causeLabel(cause))}</h3>` +
      examples
        .map(
          (e) =>
            `<figure class="quote"><blockquote dir="auto" lang="${escapeHtml(e.language)}"><p>${escapeHtml(e.quote)}</p></blockquote>` +
            `<figcaption>Contact ${escapeHtml(e.contactId)} · ${escapeHtml(languageName(e.language))}</figcaption></figure>`,
        )
        .join("") +
      `</div>`,
  );
  return panel(
    "examples",
    "What customers and agents said",
    `<p class="lead">Evidence sentences from repeat chains, personal data redacted.</p><div class="examples">${groups.join("")}</div>`,
  );
}

const MAX_BREAKDOWN_ROWS = 20;

function breakdownHtml(report: Report, f: Formatters): string {
  const shown = report.breakdown.slice(0, MAX_BREAKDOWN_ROWS);
  const rest = report.breakdown.length - shown.length;
  const table = tableHtml(
    "Repeat contacts by reason, root cause and team of the failed contact",
    [col("Reason"), col("Root cause"), col("Team (failed contact)"), num("Repeat contacts"), num("Chains"), num("Cost")],
    shown.map((b) => [humanise(b.reason), causeLabel(b.rootCause), b.team, f.count(b.repeatContacts), f.count(b.chains), f.money(b.cost)]),
    "No repeat contacts this week.",
  );
  const note = rest > 0 ? `<p class="note">${f.count(rest)} smaller combination${rest === 1 ? "" : "s"} not shown; all rows are in report.csv.</p>` : "";
  return panel(
    "breakdown",
    "Breakdown",
    `<p class="lead">Repeat contacts by reason, root cause and the team of the contact that failed${rest > 0 ? `, the ${MAX_BREAKDOWN_ROWS} largest` : ""}.</p>${table}${note}`,
  );
}

function totalsHtml(report: Report, f: Formatters, previousWeek: string): string {
  const t = report.totals;
  const p = report.previousTotals;
  const rows: [string, (x: Totals) => string][] = [
    ["Contacts (all, abandoned included)", (x) => f.count(x.contacts)],
    ["Customers", (x) => f.count(x.customers)],
    ["First contacts", (x) => f.count(x.firstContacts)],
    ["Repeat contacts", (x) => f.count(x.repeatContacts)],
    ["Repeat rate", (x) => f.percent(x.repeatRate)],
    ["First-contact resolution", (x) => f.percent(x.fcrRate)],
    ["Abandoned", (x) => f.count(x.abandoned)],
    ["Quarantined inputs", (x) => f.count(x.quarantined)],
    ["Transcripts waiting for their contact record", (x) => f.count(x.awaitingContactRecord)],
    ["Cost of repeats", (x) => f.money(x.repeatCost)],
  ];
  const table = tableHtml(
    "Totals",
    [col("Measure"), num(report.week), ...(p ? [num(previousWeek)] : [])],
    rows.map(([label, value]) => [label, value(t), ...(p ? [value(p)] : [])]),
    "",
  );
  return panel(
    "totals",
    "Totals",
    `${table}<p class="note">Quarantined inputs could not be read (malformed, unknown format, missing customer id…); they are kept for inspection and not in any other figure.</p>`,
  );
}

function footerHtml(report: Report, f: Formatters): string {
  const c = report.config;
  return (
    `<footer><p>A <strong>repeat</strong> is a contact by the same customer ${c.sameReasonOnly ? "about the same reason " : ""}within ` +
    `${escapeHtml(String(c.windowDays))} days of the previous contact in its chain. <strong>FCR</strong> (first-contact resolution) is the share of ` +
    `first contacts started this week with no repeat within the window. Cost is repeat contacts × the configured cost per contact and channel, in ` +
    `${escapeHtml(c.currency)}. Times in ${escapeHtml(c.timeZone)}.</p>` +
    (report.estimatedCounts.length
      ? `<p>Estimated counts (HyperLogLog, about ±1 %, used above 100,000 distinct values): ${escapeHtml(report.estimatedCounts.join(", "))}.</p>`
      : "") +
    `<p class="muted">recontact report schema v${escapeHtml(String(report.schemaVersion))} · generated ${escapeHtml(f.dateTime(report.generatedAt))}</p></footer>`
  );
}

// --- building blocks ---------------------------------------------------------------------------

interface Column {
  readonly label: string;
  readonly numeric: boolean;
}
const col = (label: string): Column => ({ label, numeric: false });
const num = (label: string): Column => ({ label, numeric: true });

/** A table cell: its text, optionally with a short note shown under it. */
type Cell = string | { readonly text: string; readonly note: string };

function cellHtml(cell: Cell): string {
  return typeof cell === "string"
    ? escapeHtml(cell)
    : `${escapeHtml(cell.text)}<span class="cell-note">${escapeHtml(cell.note)}</span>`;
}

function tableHtml(caption: string, columns: readonly Column[], rows: readonly (readonly Cell[])[], emptyText: string): string {
  if (rows.length === 0 && emptyText) return `<p class="empty">${escapeHtml(emptyText)}</p>`;
  const cls = (c: Column | undefined) => (c?.numeric ? ` class="num"` : "");
  const head = columns.map((c) => `<th scope="col"${cls(c)}>${escapeHtml(c.label)}</th>`).join("");
  const body = rows
    .map(
      (cells) =>
        `<tr>${cells
          .map((cell, i) => (i === 0 ? `<th scope="row">${cellHtml(cell)}</th>` : `<td${cls(columns[i])}>${cellHtml(cell)}</td>`))
          .join("")}</tr>`,
    )
    .join("");
  return (
    `<div class="table-wrap" role="region" aria-label="${escapeHtml(caption)}" tabindex="0"><table>` +
    `<caption class="sr-only">${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
  );
}

function panel(id: string, heading: string, body: string): string {
  return `<section class="panel" id="${escapeHtml(id)}" aria-labelledby="${escapeHtml(id)}-h"><h2 id="${escapeHtml(id)}-h">${escapeHtml(heading)}</h2>${body}</section>`;
}

const CSS = `
:root{--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--bg:#f4f6f9;--card:#fff;--accent:#2563eb;--bad:#b91c1c;--good:#047857}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans CJK SC",sans-serif}
.page{max-width:72rem;margin:0 auto;padding:1rem}
h1,h2,h3{line-height:1.25;margin:0 0 .5rem}
h1{font-size:1.75rem}
h2{font-size:1.25rem}
h3{font-size:1rem;display:flex;align-items:center;gap:.5rem}
p{margin:.25rem 0}
.muted,.note{color:var(--muted)}
.note{font-size:.875rem}
.lead{margin:0 0 .75rem;color:var(--muted)}
.eyebrow{text-transform:uppercase;letter-spacing:.06em;font-size:.75rem;color:var(--muted);margin:0}
.masthead{padding:.5rem 0 1rem}
.dates{font-size:1.0625rem;font-weight:600}
.meta{font-size:.875rem;color:var(--muted)}
.status{font-size:.875rem;margin-top:.25rem}
.pill{display:inline-block;padding:.0625rem .5rem;border-radius:999px;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;vertical-align:1px}
.pill-provisional{background:#fef3c7;color:#78350f;border:1px solid #f59e0b}
.pill-final{background:#d1fae5;color:#065f46;border:1px solid #10b981}
.fixes{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}
.fix{border:1px solid var(--line);border-radius:8px;padding:.75rem .875rem;min-width:0}
.fix-head{display:flex;flex-wrap:wrap;align-items:center;gap:.375rem .625rem;margin-bottom:.25rem}
.fix-head h3{margin:0;font-size:1.0625rem}
.rank{display:inline-flex;align-items:center;justify-content:center;width:1.625rem;height:1.625rem;border-radius:50%;background:var(--fg);color:#fff;font-weight:700;font-size:.875rem;flex:none}
.tag{font-size:.75rem;font-weight:600;border:1px solid;border-radius:999px;padding:0 .5rem;white-space:nowrap}
.fix-figures{font-size:.875rem;color:var(--muted);font-variant-numeric:tabular-nums}
.fix-figures data{color:var(--fg);font-weight:600}
.fix-action{margin-top:.375rem}
.fix-focus{font-size:.875rem;color:var(--muted)}
.banner{margin-top:.75rem;padding:.75rem 1rem;background:#fef3c7;border:1px solid #f59e0b;border-left-width:6px;border-radius:8px;color:#78350f}
nav{display:flex;flex-wrap:wrap;gap:.25rem .5rem;margin:0 0 1rem;font-size:.875rem}
nav a{color:var(--accent);text-decoration:none;padding:.25rem .5rem;border:1px solid var(--line);border-radius:999px;background:var(--card)}
nav a:hover,nav a:focus{text-decoration:underline}
.cards{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,10rem),1fr))}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.875rem 1rem}
.card-title{font-size:.875rem;color:var(--muted);margin:0}
.figure{font-size:1.875rem;font-weight:700;margin:.125rem 0;font-variant-numeric:tabular-nums;line-height:1.2}
.delta{font-size:.8125rem;margin:0}
.delta.good{color:var(--good)}
.delta.bad{color:var(--bad)}
.delta.neutral{color:var(--muted)}
.card .note{font-size:.8125rem}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem;margin-top:1rem;min-width:0}
.split{display:grid;gap:1rem 1.5rem;grid-template-columns:minmax(0,1fr);align-items:start}
@media (min-width:56rem){.split{grid-template-columns:minmax(0,2fr) minmax(0,3fr)}}
.split>*{min-width:0}
figure{margin:0}
svg.chart{display:block;width:100%;max-width:30rem;height:auto}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
.panel>.table-wrap{max-width:56rem}
.table-wrap:focus{outline:2px solid var(--accent);outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:.9375rem}
th,td{padding:.4rem .6rem;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap;vertical-align:top}
thead th{font-size:.8125rem;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);white-space:normal;vertical-align:bottom;min-width:4.5em}
.cell-note{display:block;font-size:.75rem;font-weight:400;color:var(--muted)}
tbody th{font-weight:500}
.num{text-align:right;font-variant-numeric:tabular-nums}
.empty{color:var(--muted);font-style:italic}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.examples{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,20rem),1fr))}
.swatch{display:inline-block;width:.75rem;height:.75rem;border-radius:2px}
.quote{margin:0 0 .75rem}
blockquote{margin:0;padding:.625rem .875rem;background:#f8fafc;border-inline-start:4px solid #94a3b8;border-radius:4px;overflow-wrap:anywhere}
blockquote p{margin:0}
figcaption{font-size:.8125rem;color:var(--muted);margin-top:.25rem}
footer{margin:1.5rem 0 1rem;font-size:.875rem;color:var(--muted)}
@media (max-width:30rem){.page{padding:.75rem}h1{font-size:1.5rem}.figure{font-size:1.5rem}.panel{padding:.875rem .75rem}table{font-size:.875rem}th,td{padding:.375rem .4rem;white-space:normal}td.num{white-space:nowrap}thead th{min-width:0}}
@media print{
  @page{margin:15mm}
  body{background:#fff;font-size:10.5pt}
  .page{max-width:none;padding:0}
  nav{display:none}
  .panel,.card{border:1px solid #d1d5db;break-inside:avoid-page}
  .panel{margin-top:.5rem}
  h2{break-after:avoid}
  tr,figure{break-inside:avoid}
  .table-wrap{overflow:visible}
  th,td{white-space:normal}
  .fix{break-inside:avoid}
  .banner,.swatch,.pill,.rank,svg.chart{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`.trim();
