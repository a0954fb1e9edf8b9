import { escapeHtml as e } from "../../report/escape.ts";
import type { Comparison } from "../compare-models.ts";
import type { ModelCard } from "../model-card.ts";
import type { QueueItem } from "../review-queue.ts";
import type { ItemView, ModelsView, ShownContact } from "../review-service.ts";

/**
 * The review app's pages: server-rendered HTML, a little inline script for the keyboard, no
 * external requests. Every action is a plain form, so the pages work without the script too.
 */

export const itemHref = (id: string) => `/items/${encodeURIComponent(id)}`;
const queueHref = (week: string) => `/queue?week=${encodeURIComponent(week)}`;
const pct = (x: number) => `${Math.round(100 * x)}%`;
const when = (iso: string) => iso.replace("T", " ").slice(0, 16);

interface Frame {
  title: string;
  reviewer: string;
  nonce: string;
  body: string;
  /** data-* navigation targets for the keyboard (j, k, n). */
  nav?: Record<string, string | undefined>;
}

function page(frame: Frame): string {
  const nav = Object.entries(frame.nav ?? {})
    .filter(([, href]) => href)
    .map(([k, href]) => ` data-${k}="${e(href!)}"`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(frame.title)} — recontact review</title>
<style>${CSS}</style>
</head>
<body${nav}>
<header class="top"><a class="brand" href="/queue">recontact review</a><nav><a href="/queue">Queue</a><a href="/models">Models</a></nav><span class="who">reviewer: <b>${e(frame.reviewer)}</b></span></header>
<main>
${frame.body}
</main>
<aside id="help" class="help" hidden><h2>Keyboard</h2><dl>
<dt>a</dt><dd>accept the prediction</dd><dt>1–9</dt><dd>correct to that label</dd><dt>c</dt><dd>write a comment (Esc to leave it)</dd>
<dt>j / k</dt><dd>next / previous item</dd><dt>n</dt><dd>next item still to review</dd><dt>?</dt><dd>this help</dd></dl></aside>
<script nonce="${frame.nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

export function queuePage(args: { reviewer: string; nonce: string; weeks: string[]; week: string | undefined; items: QueueItem[]; threshold: number; sampleRate: number }): string {
  const { weeks, week, items } = args;
  const pending = items.filter((i) => i.status === "pending");
  const tabs = weeks.map((w) => `<a href="${e(queueHref(w))}"${w === week ? ' aria-current="page"' : ""}>${e(w)}</a>`).join("");
  const rows = items
    .map(
      (i) => `<tr class="${i.status}"><td><a href="${e(itemHref(i.id))}">${e(i.contactId)}</a></td><td>${taskChip(i.task)}</td><td>${e(when(i.startedAt))}</td><td>${e(i.channel)} · ${e(i.language)}</td>
<td>${e(i.predicted.label)} ${confidence(i.predicted.confidence)}</td><td>${e(whyText(i))}</td><td>${statusText(i)}</td></tr>`,
    )
    .join("\n");
  const body = week
    ? `<h1>Review queue <span class="muted">${e(week)}</span></h1>
<nav class="weeks" aria-label="weeks">${tabs}</nav>
<p class="lead">${items.length} predictions to look at: confidence under ${pct(args.threshold)}, and a ${pct(args.sampleRate)} random sample of the confident ones (to measure precision). ${pending.length} still to review.
${pending[0] ? `<a class="button primary" href="${e(itemHref(pending[0].id))}">Start reviewing</a>` : ""}</p>
<table class="queue"><thead><tr><th>contact</th><th>what</th><th>started</th><th>channel · lang</th><th>prediction</th><th>why</th><th>status</th></tr></thead>
<tbody>
${rows || `<tr><td colspan="7" class="muted">Nothing to review this week.</td></tr>`}
</tbody></table>`
    : `<h1>Review queue</h1><p class="lead">No contacts yet: run the pipeline first.</p>`;
  return page({ title: week ? `Queue ${week}` : "Queue", reviewer: args.reviewer, nonce: args.nonce, body, nav: { next: pending[0] ? itemHref(pending[0].id) : undefined } });
}

export function itemPage(args: { reviewer: string; nonce: string; view: ItemView; saved?: string }): string {
  const { view } = args;
  const { item } = view;
  const predicted = item.predicted.label;
  const buttons = view.choices
    .map((label, n) => {
      const score = view.top.find((t) => t.label === label);
      const key = n < 9 ? `<kbd>${n + 1}</kbd>` : "";
      const chosen = item.review?.label === label ? " chosen" : "";
      return `<button type="submit" name="label" value="${e(label)}" class="choice${label === predicted ? " predicted" : ""}${chosen}"${n < 9 ? ` data-key="${n + 1}"` : ""} title="${e(label)}">${key}<span>${e(spaced(label))}</span>${score ? `<small>${pct(score.confidence)}</small>` : ""}</button>`;
    })
    .join("");
  const review = item.review
    ? `<p class="reviewed ${item.status}">${item.status === "accepted" ? "Accepted" : `Corrected to <b>${e(item.review.label)}</b>`} by ${e(item.review.reviewer)} on ${e(when(item.review.reviewedAt))}${item.review.comment ? `: “${e(item.review.comment)}”` : ""}</p>`
    : "";
  const evidence = view.evidence.length
    ? `<ul class="evidence">${view.evidence.map((x) => `<li dir="auto"><mark>${e(x.text)}</mark></li>`).join("")}</ul>`
    : `<p class="muted">The model kept no evidence sentence.</p>`;
  const body = `${args.saved ? `<p class="saved" role="status">${e(args.saved)}</p>` : ""}
<p class="crumbs"><a href="${e(queueHref(item.week))}">← queue ${e(item.week)}</a> · ${taskChip(item.task)} · ${e(whyText(item))}</p>
<div class="item">
<section class="transcript" aria-label="transcript (redacted)">
<h1>${item.task === "reason" ? "Why did this customer contact us?" : "Why did this customer have to come back?"}</h1>
${view.contacts.map(contactHtml).join("\n")}
</section>
<section class="decide" aria-label="decision">
<p class="eyebrow">the model says</p>
<p class="prediction"><b>${e(predicted)}</b> ${confidence(item.predicted.confidence)}</p>
<h2>Evidence</h2>
${evidence}
${review}
<form id="review" method="post" action="${e(itemHref(item.id))}">
<button type="submit" name="label" value="${e(predicted)}" class="button primary accept" data-accept><kbd>a</kbd> Accept <b>${e(predicted)}</b></button>
<h2>or correct it to</h2>
<div class="choices">${buttons}</div>
<label for="comment">Comment <span class="muted">(optional, <kbd>c</kbd>)</span></label>
<textarea id="comment" name="comment" rows="2" maxlength="2000" placeholder="What made it hard? (kept with the label)"></textarea>
</form>
<p class="pager">${view.previous ? `<a href="${e(itemHref(view.previous))}"><kbd>k</kbd> previous</a>` : "<span></span>"}${view.next ? `<a href="${e(itemHref(view.next))}">next <kbd>j</kbd></a>` : ""}</p>
<p class="hint">Press <kbd>?</kbd> for the keyboard.</p>
</section>
</div>`;
  return page({
    title: `${item.task} ${item.contactId}`,
    reviewer: args.reviewer,
    nonce: args.nonce,
    body,
    nav: {
      next: view.next && itemHref(view.next),
      previous: view.previous && itemHref(view.previous),
      "next-pending": view.nextPending && itemHref(view.nextPending),
    },
  });
}

function contactHtml(c: ShownContact, i: number, all: ShownContact[]): string {
  const heading =
    c.role === "contact" ? "Transcript" : c.role === "repeat" ? "The repeat contact" : `Earlier contact ${i + 1} of ${all.length - 1} (did not resolve it)`;
  const turns = c.turns
    ? c.turns
        .map(
          (t) =>
            `<li class="turn ${e(t.speaker)}"><span class="speaker">${e(t.speaker)}</span><p dir="auto">${t.segments.map((s) => (s.mark ? `<mark>${e(s.text)}</mark>` : e(s.text))).join("")}</p></li>`,
        )
        .join("\n")
    : `<li class="muted">The transcript is no longer available (expired or removed).</li>`;
  return `<article class="contact ${c.role}"><h2>${e(heading)}</h2><p class="meta">${e(c.contactId)} · ${e(when(c.startedAt))} UTC · ${e(c.channel)}${c.agentId ? ` · agent ${e(c.agentId)}` : ""}${c.team ? ` (${e(c.team)})` : ""} · <span class="redacted">personal data redacted</span></p>
<ol class="turns">
${turns}
</ol></article>`;
}

export function modelsPage(args: { reviewer: string; nonce: string; view: ModelsView }): string {
  const sections = args.view.tasks.map(({ task, live, shipped, versions }) => {
    const pointer = live.pointer;
    const rows = versions
      .map((card) => {
        const isLive = live.source === "registry" && live.version === card.version;
        const r = card.trainingData.reviewLabels;
        return `<tr${isLive ? ' class="live"' : ""}><td><a href="/models/${e(task)}/${e(encodeURIComponent(card.version))}">${e(card.version)}</a>${isLive ? ' <span class="chip live">live</span>' : ""}</td><td>${e(when(card.created))}</td>
<td>${pct(card.metrics.heldOut.macroF1)}</td><td>${card.comparison ? `${signed(card.comparison.macroF1Delta)} vs ${e(card.comparison.against)}` : "–"}</td><td>${card.comparison ? decisionChip(card.comparison.decision) : "–"}</td>
<td>${r.trainedOn} trained on, ${r.heldOut} held out, ${plural(r.corrections, "correction")}</td><td>${e(lastEvent(card))}</td></tr>`;
      })
      .join("\n");
    const shippedLive = live.source === "shipped";
    return `<section class="task"><h2>${e(task)} model</h2>
<p class="lead">Live: <b>${e(live.version)}</b> (${live.source === "shipped" ? "shipped in the code bundle" : "from the registry"})${pointer ? ` — ${e(pointer.by)} on ${e(when(pointer.at))}: “${e(pointer.why)}”` : ""}</p>
<table><thead><tr><th>version</th><th>created</th><th>held-out macro-F1</th><th>against live</th><th>decision</th><th>analysts' labels</th><th>last event</th></tr></thead><tbody>
${rows}
<tr${shippedLive ? ' class="live"' : ""}><td>${e(shipped.version)} <span class="chip">shipped</span>${shippedLive ? ' <span class="chip live">live</span>' : ""}</td><td>${e(when(shipped.created))}</td><td>${shipped.heldOut ? pct(shipped.heldOut.macroF1) : "–"}</td><td colspan="4">card: <code>models/${e(task)}/README.md</code> · labels: ${e(shipped.labels.join(", "))} · data sha256 <code>${e(shipped.sha256.slice(0, 12))}…</code></td></tr>
</tbody></table></section>`;
  });
  return page({ title: "Models", reviewer: args.reviewer, nonce: args.nonce, body: `<h1>Models</h1>\n<p class="lead">Every version in the registry with its card. Promote, and roll back, with <code>npx recontact models promote|rollback</code>.</p>\n${sections.join("\n")}` });
}

export function modelPage(args: { reviewer: string; nonce: string; card: ModelCard; comparison: Comparison | null }): string {
  const { card, comparison: c } = args;
  const perLabel = c
    ? `<h2>Per label (F1 on all held-out data)</h2><table><thead><tr><th>label</th><th>support</th><th>live ${e(c.live.version)}</th><th>candidate</th><th>delta</th></tr></thead><tbody>
${c.perLabel.map((p) => `<tr><td>${e(p.label)}</td><td>${p.support}</td><td>${pct(p.live)}</td><td>${pct(p.candidate)}</td><td class="${p.delta < 0 ? "bad" : "good"}">${signed(p.delta)}</td></tr>`).join("\n")}
</tbody></table>
<h2>Held-out sets (macro-F1)</h2><table><thead><tr><th>set</th><th>n</th><th>live</th><th>candidate</th><th>delta</th></tr></thead><tbody>
${(
  [
    ["all held-out data", c.overall],
    ["shipped test split", c.shippedTest],
    ...(c.reviewLabels ? [["held-out review labels", c.reviewLabels] as const] : []),
  ] as const
)
  .map(([name, s]) => `<tr><td>${e(name)}</td><td>${s.n}</td><td>${pct(s.live.macroF1)}</td><td>${pct(s.candidate.macroF1)}</td><td class="${s.macroF1Delta < 0 ? "bad" : "good"}">${signed(s.macroF1Delta)}</td></tr>`)
  .join("\n")}
</tbody></table>
<h2>Decision: ${decisionChip(c.decision)}</h2><ul>${c.reasons.map((r) => `<li>${e(r)}</li>`).join("")}</ul>
<h2>Analysts' corrections</h2><p>The candidate gets ${c.corrections.heldOut.right} of ${c.corrections.heldOut.right + c.corrections.heldOut.wrong} held-out corrections right, and ${c.corrections.trainedOn.right} of ${c.corrections.trainedOn.right + c.corrections.trainedOn.wrong} it was trained on.</p>
<table><thead><tr><th>contact</th><th>analyst</th><th>model at review</th><th>live</th><th>candidate</th><th></th></tr></thead><tbody>
${c.corrections.items.map((i) => `<tr><td>${e(i.contactId)}</td><td>${e(i.gold)}</td><td>${e(i.reviewed)}</td><td>${e(i.live)}</td><td>${e(i.candidate)}</td><td>${i.now === "right" ? '<span class="chip good">right</span>' : '<span class="chip bad">wrong</span>'}${i.heldOut ? " held out" : ""}</td></tr>`).join("\n")}
</tbody></table>`
    : "";
  const body = `<p class="crumbs"><a href="/models">← models</a></p>
<h1>${e(card.task)} model <span class="muted">${e(card.version)}</span></h1>
<table class="card"><tbody>
<tr><th>created</th><td>${e(card.created)}</td></tr>
<tr><th>labels</th><td>${e(card.labels.join(", "))}</td></tr>
<tr><th>training data</th><td>${card.trainingData.examples} examples: ${e(card.trainingData.sources.join("; "))}<br>sha256 <code>${e(card.trainingData.sha256)}</code></td></tr>
<tr><th>analysts' labels</th><td>${card.trainingData.reviewLabels.trainedOn} trained on, ${card.trainingData.reviewLabels.heldOut} held out, ${plural(card.trainingData.reviewLabels.corrections, "correction")} · sha256 <code>${e(card.trainingData.reviewLabels.sha256.slice(0, 16))}…</code></td></tr>
<tr><th>held-out figures</th><td>macro-F1 ${pct(card.metrics.heldOut.macroF1)}, accuracy ${pct(card.metrics.heldOut.accuracy)}, n ${card.metrics.heldOut.n} (${e(card.metrics.heldOutName)})</td></tr>
<tr><th>history</th><td><ul>${card.events.map((ev) => `<li>${e(when(ev.at))} <b>${e(ev.action)}</b> by ${e(ev.by)}: ${e(ev.why)}</li>`).join("")}</ul></td></tr>
</tbody></table>
${perLabel}`;
  return page({ title: `${card.task} ${card.version}`, reviewer: args.reviewer, nonce: args.nonce, body });
}

export function errorPage(args: { reviewer: string; nonce: string; status: number; message: string }): string {
  return page({ title: `${args.status}`, reviewer: args.reviewer, nonce: args.nonce, body: `<h1>${args.status === 404 ? "Not found" : "That did not work"}</h1><p class="lead">${e(args.message)}</p><p><a href="/queue">Back to the queue</a></p>` });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
/** Labels read better with spaces ("account change"); the value sent is the label itself. */
const spaced = (label: string) => label.replaceAll("_", " ");
const taskChip = (task: string) => `<span class="chip task">${task === "reason" ? "reason" : "root cause"}</span>`;
const decisionChip = (d: "promote" | "refuse") => `<span class="chip ${d === "promote" ? "good" : "bad"}">${d === "promote" ? "promote" : "refused"}</span>`;
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(100 * x).toFixed(1)} pts`;
const lastEvent = (card: ModelCard) => {
  const ev = card.events.at(-1);
  return ev ? `${ev.action} by ${ev.by}` : "";
};

function confidence(x: number): string {
  const level = x < 0.4 ? "low" : x < 0.6 ? "mid" : "high";
  return `<span class="conf ${level}" title="model confidence"><span class="bar"><span style="width:${Math.round(100 * x)}%"></span></span>${pct(x)}</span>`;
}

function whyText(i: QueueItem): string {
  return i.why === "low-confidence" ? "low confidence" : i.why === "sample" ? "random sample" : "reviewed";
}

function statusText(i: QueueItem): string {
  if (i.status === "pending") return `<span class="chip">to review</span>`;
  return i.status === "accepted" ? `<span class="chip good">accepted</span>` : `<span class="chip bad">→ ${e(i.review!.label)}</span>`;
}

const CSS = `
:root{--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--bg:#f4f6f9;--card:#fff;--accent:#2563eb;--bad:#b91c1c;--good:#047857;--mark:#fde68a}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans CJK SC",sans-serif}
a{color:var(--accent)}
.top{display:flex;align-items:center;gap:1rem;padding:.5rem 1rem;background:#111827;color:#e5e7eb;flex-wrap:wrap}
.top a{color:#e5e7eb;text-decoration:none}.top nav{display:flex;gap:.75rem}.top nav a:hover{text-decoration:underline}
.brand{font-weight:700}.who{margin-left:auto;font-size:.875rem}
main{max-width:80rem;margin:0 auto;padding:1rem}
h1{font-size:1.375rem;margin:.25rem 0 .75rem}h2{font-size:1rem;margin:1rem 0 .5rem}
.muted{color:var(--muted);font-weight:400}.lead{color:var(--muted)}
.eyebrow{text-transform:uppercase;letter-spacing:.06em;font-size:.75rem;color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden;font-size:.875rem}
th,td{padding:.4rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f9fafb;font-weight:600}
tr.live td{background:#ecfdf5}
td.bad{color:var(--bad)}td.good{color:var(--good)}
.queue tr.accepted td,.queue tr.corrected td{color:var(--muted)}
.queue a{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.weeks{display:flex;gap:.25rem;flex-wrap:wrap;margin:0 0 .75rem}
.weeks a{padding:.2rem .6rem;border:1px solid var(--line);border-radius:999px;background:var(--card);text-decoration:none;font-size:.875rem}
.weeks a[aria-current]{background:var(--accent);color:#fff;border-color:var(--accent)}
.chip{padding:.05rem .5rem;border-radius:999px;background:#e5e7eb;font-size:.75rem;white-space:nowrap}
.chip.good{background:#d1fae5;color:#065f46}.chip.bad{background:#fee2e2;color:#991b1b}.chip.live{background:#065f46;color:#fff}.chip.task{background:#dbeafe;color:#1e3a8a}
.conf{display:inline-flex;align-items:center;gap:.35rem;font-variant-numeric:tabular-nums;font-size:.8125rem;color:var(--muted)}
.conf .bar{display:inline-block;width:3.5rem;height:.45rem;border-radius:999px;background:#e5e7eb;overflow:hidden}
.conf .bar span{display:block;height:100%;background:var(--good)}
.conf.mid .bar span{background:#d97706}.conf.low .bar span{background:var(--bad)}
.crumbs{font-size:.875rem;color:var(--muted);margin:0 0 .5rem}
.item{display:grid;grid-template-columns:minmax(0,1fr) 22rem;gap:1rem;align-items:start}
@media (max-width:900px){.item{grid-template-columns:1fr}}
.contact{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.75rem 1rem;margin:0 0 .75rem}
.contact.repeat{border-left:4px solid var(--accent)}.contact.failed{border-left:4px solid #9ca3af}
.contact h2{margin:0}.meta{font-size:.8125rem;color:var(--muted);margin:.15rem 0 .5rem}
.redacted{font-style:italic}
.turns{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:.4rem}
.turn{display:grid;grid-template-columns:5.5rem minmax(0,1fr);gap:.5rem}
.turn p{margin:0;padding:.35rem .6rem;border-radius:8px;background:#f3f4f6;white-space:pre-wrap;overflow-wrap:anywhere}
.turn.customer p{background:#eff6ff}.turn.system p{background:transparent;color:var(--muted);font-style:italic}
.speaker{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);padding-top:.45rem;text-align:right}
@media (max-width:600px){.turn{grid-template-columns:1fr;gap:0}.speaker{text-align:left;padding:0}}
mark{background:var(--mark);padding:0 .1rem;border-radius:3px}
.decide{position:sticky;top:.75rem;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.75rem 1rem}
.prediction{font-size:1.25rem;margin:.1rem 0 .5rem;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
.evidence{margin:0;padding:0;list-style:none;font-size:.875rem;display:flex;flex-direction:column;gap:.35rem}
.evidence li{padding:.3rem .5rem;border-left:3px solid #f59e0b;background:#fffbeb;border-radius:4px}
.evidence mark{background:none;padding:0}
.button,.choice{font:inherit;cursor:pointer;border:1px solid var(--line);background:var(--card);border-radius:8px;padding:.45rem .7rem;color:var(--fg);text-decoration:none;display:inline-flex;align-items:center;gap:.4rem}
.button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.accept{width:100%;justify-content:center;margin:.75rem 0 0;font-size:1rem}
.choices{display:grid;grid-template-columns:1fr 1fr;gap:.35rem}
.choice{justify-content:flex-start;font-size:.875rem;padding:.35rem .5rem}
.choice span{flex:1;text-align:left}.choice small{color:var(--muted);font-variant-numeric:tabular-nums}
.choice.predicted{border-color:var(--accent)}.choice.chosen{background:#fef3c7;border-color:#d97706}
.choice:hover,.button:hover{filter:brightness(.97)}.pressed{outline:3px solid #f59e0b}
kbd{font:600 .75rem ui-monospace,SFMono-Regular,Menlo,monospace;border:1px solid #d1d5db;border-bottom-width:2px;border-radius:4px;padding:0 .3rem;background:#f9fafb;color:var(--fg)}
label{display:block;margin:.75rem 0 .25rem;font-size:.875rem;font-weight:600}
textarea{width:100%;font:inherit;font-size:.875rem;border:1px solid var(--line);border-radius:8px;padding:.4rem}
.pager{display:flex;justify-content:space-between;margin:.75rem 0 0;font-size:.875rem}
.hint{font-size:.75rem;color:var(--muted);margin:.5rem 0 0}
.reviewed{font-size:.875rem;padding:.4rem .6rem;border-radius:8px;background:#f3f4f6}
.reviewed.corrected{background:#fef3c7}.reviewed.accepted{background:#d1fae5}
.saved{background:#d1fae5;border:1px solid #6ee7b7;border-radius:8px;padding:.5rem .75rem;margin:0 0 .75rem}
.help{position:fixed;right:1rem;bottom:1rem;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.75rem 1rem;box-shadow:0 6px 24px rgba(0,0,0,.15)}
.help h2{margin:0 0 .5rem}.help dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:0;font-size:.875rem}.help dt{font-weight:700}.help dd{margin:0}
.task{margin:0 0 1.5rem}
table.card th{width:11rem}
code{font-size:.8125rem}
`;

/** Keyboard: a accept, 1–9 pick a label, c comment, j/k next/previous, n next to review, ? help. */
const SCRIPT = `
(() => {
  const form = document.getElementById("review");
  const comment = document.getElementById("comment");
  const nav = document.body.dataset;
  const submit = (button) => { if (!form || !button) return; button.classList.add("pressed"); form.requestSubmit(button); };
  const go = (href) => { if (href) location.href = href; };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement) {
      if (event.key === "Escape") target.blur();
      return;
    }
    const key = event.key;
    if (key === "a") submit(form && form.querySelector("[data-accept]"));
    else if (/^[1-9]$/.test(key)) submit(form && form.querySelector('[data-key="' + key + '"]'));
    else if (key === "j") go(nav.next);
    else if (key === "k") go(nav.previous);
    else if (key === "n") go(nav.nextPending || nav.next);
    else if (key === "c" && comment) comment.focus();
    else if (key === "?") document.getElementById("help").toggleAttribute("hidden");
    else return;
    event.preventDefault();
  });
})();
`;
