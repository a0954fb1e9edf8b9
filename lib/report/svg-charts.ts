/**
 * Small, dependency-free SVG charts for the self-contained HTML report. Pure functions from data
 * to an SVG string: no scripts, no external references, every mark with a <title> so the exact
 * value is available to screen readers and on hover. The SVGs are meant to be inlined in HTML5,
 * so they carry no xmlns (nothing in the report points to any URL).
 */

import { escapeHtml } from "./escape.ts";

export interface BarRow {
  readonly label: string;
  readonly value: number;
  /** The value as shown; defaults to options.formatValue(value). */
  readonly display?: string;
  /** A second figure (e.g. the cost), shown muted on the label's line, aligned with the bars' end. */
  readonly note?: string;
}

export interface BarChartOptions {
  /** Accessible name of the chart (aria-label and <title>). */
  readonly title: string;
  /** Longer description for assistive technology (<desc>). */
  readonly description?: string;
  readonly formatValue?: (value: number) => string;
  /** @default "#2563eb" */
  readonly color?: string;
  /** Scale maximum; @default the largest value */
  readonly maxValue?: number;
  /** Width of the viewBox in user units; the SVG itself scales to its container. @default 340 */
  readonly width?: number;
  /** Text shown instead of bars when there are no rows. @default "No data" */
  readonly emptyText?: string;
}

const FONT_SIZE = 13;
const AXIS_FONT_SIZE = 11;
/** Rough advance of one bold character at FONT_SIZE, to leave room for the value labels. */
const CHAR_WIDTH = 7.8;
const LABEL_MAX_CHARS = 44;

/** Horizontal bar chart: each row's label above its bar, the value at the bar's end. */
export function barChart(rows: readonly BarRow[], options: BarChartOptions): string {
  const width = options.width ?? 340;
  const format = options.formatValue ?? defaultFormat;
  const color = options.color ?? "#2563eb";
  const top = 4;
  const rowHeight = 42;

  if (rows.length === 0) {
    return svgOpen(width, 40, options.title, options.description) +
      `<text x="0" y="24" font-size="${FONT_SIZE}" fill="#555">${escapeXml(options.emptyText ?? "No data")}</text></svg>`;
  }

  const displays = rows.map((row) => row.display ?? format(row.value));
  const valueRoom = Math.ceil(Math.max(3, ...displays.map((d) => [...d].length)) * CHAR_WIDTH) + 8;
  const barSpace = width - valueRoom;
  const max = Math.max(options.maxValue ?? 0, ...rows.map((r) => r.value), 0);
  const height = top + rows.length * rowHeight;
  const marks = rows.map((row, i) => {
    const display = displays[i]!;
    const y = top + i * rowHeight;
    const barWidth = max > 0 ? Math.max(row.value > 0 ? 2 : 0, (row.value / max) * barSpace) : 0;
    return (
      `<g class="bar-row"><title>${escapeXml(`${row.label}: ${display}${row.note ? ` · ${row.note}` : ""}`)}</title>` +
      `<text x="0" y="${y + 14}" font-size="${FONT_SIZE}" fill="#1f2937">${escapeXml(truncate(row.label, labelRoom(barSpace, row.note)))}</text>` +
      (row.note
        ? `<text x="${fix(barSpace)}" y="${y + 14}" font-size="${FONT_SIZE}" fill="#4b5563" text-anchor="end">${escapeXml(row.note)}</text>`
        : "") +
      `<rect x="0" y="${y + 20}" width="${fix(barSpace)}" height="14" rx="2" fill="#eef2f7"/>` +
      `<rect class="bar" x="0" y="${y + 20}" width="${fix(barWidth)}" height="14" rx="2" fill="${escapeXml(color)}"/>` +
      `<text x="${fix(barSpace + 6)}" y="${y + 32}" font-size="${FONT_SIZE}" font-weight="600" fill="#111827">${escapeXml(display)}</text>` +
      `</g>`
    );
  });
  return svgOpen(width, height, options.title, options.description) + marks.join("") + `</svg>`;
}

export interface LinePoint {
  readonly x: string;
  /** null: no value for this x (a gap in the line). */
  readonly y: number | null;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly LinePoint[];
  /** @default a palette colour by position */
  readonly color?: string;
  /** Dashed line: tells series apart without colour. */
  readonly dashed?: boolean;
  /** @default "circle" for the first series, "square" for the next */
  readonly marker?: "circle" | "square";
}

export interface LineChartOptions {
  readonly title: string;
  readonly description?: string;
  /** Categories on the x axis, in order; @default the union of the series' x values in order of appearance */
  readonly xLabels?: readonly string[];
  /** How an x category is shown under the axis (e.g. "2026-W47" → "W47"). */
  readonly formatX?: (x: string) => string;
  readonly formatValue?: (value: number) => string;
  /** How the y-axis ticks are labelled; @default formatValue */
  readonly formatTick?: (value: number) => string;
  /** @default 0 */
  readonly yMin?: number;
  /** @default 1 */
  readonly yMax?: number;
  /** Values of the horizontal grid lines. @default five steps from yMin to yMax */
  readonly yTicks?: readonly number[];
  /** @default 340 */
  readonly width?: number;
  /** @default 220 */
  readonly height?: number;
  readonly emptyText?: string;
}

const PALETTE = ["#c2410c", "#1d4ed8", "#047857", "#7c3aed"];

/** Line chart over categorical x values (weeks), with a legend, grid lines and labelled markers. */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions): string {
  const width = options.width ?? 340;
  const height = options.height ?? 220;
  const format = options.formatValue ?? defaultFormat;
  const formatTick = options.formatTick ?? format;
  const formatX = options.formatX ?? ((x: string) => x);
  const yMin = options.yMin ?? 0;
  const yMax = options.yMax ?? 1;
  const xs = options.xLabels ?? unique(series.flatMap((s) => s.points.map((p) => p.x)));

  if (xs.length === 0 || series.length === 0) {
    return svgOpen(width, 40, options.title, options.description) +
      `<text x="0" y="24" font-size="${FONT_SIZE}" fill="#555">${escapeXml(options.emptyText ?? "No data")}</text></svg>`;
  }

  const left = 42;
  const right = 16;
  const legendHeight = 22;
  const top = legendHeight + 10;
  const bottom = 28;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const xAt = (i: number) => left + (xs.length === 1 ? plotW / 2 : (i * plotW) / (xs.length - 1));
  const span = yMax - yMin || 1;
  const yAt = (v: number) => top + plotH - ((Math.min(Math.max(v, yMin), yMax) - yMin) / span) * plotH;
  const ticks = options.yTicks ?? [0, 0.25, 0.5, 0.75, 1].map((t) => yMin + t * span);

  const parts: string[] = [];
  // Grid and axes.
  for (const tick of ticks) {
    const y = fix(yAt(tick));
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#e5e7eb" stroke-width="1"/>` +
        `<text x="${left - 6}" y="${fix(yAt(tick) + 4)}" font-size="${AXIS_FONT_SIZE}" text-anchor="end" fill="#4b5563">${escapeXml(formatTick(tick))}</text>`,
    );
  }
  const labelEvery = Math.ceil(xs.length / 8);
  xs.forEach((x, i) => {
    if (i % labelEvery !== 0 && i !== xs.length - 1) return;
    parts.push(
      `<text x="${fix(xAt(i))}" y="${height - 10}" font-size="${AXIS_FONT_SIZE}" text-anchor="middle" fill="#4b5563">${escapeXml(formatX(x))}</text>`,
    );
  });

  // Legend.
  let legendX = left;
  series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length]!;
    const marker = s.marker ?? (si === 0 ? "circle" : "square");
    parts.push(
      `<g class="legend"><line x1="${legendX}" x2="${legendX + 22}" y1="11" y2="11" stroke="${escapeXml(color)}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>` +
        markerSvg(marker, legendX + 11, 11, color) +
        `<text x="${legendX + 28}" y="16" font-size="${FONT_SIZE}" fill="#1f2937">${escapeXml(s.name)}</text></g>`,
    );
    legendX += 28 + Math.round([...s.name].length * CHAR_WIDTH) + 14;
  });

  // Lines (broken at missing values) and markers.
  series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length]!;
    const marker = s.marker ?? (si === 0 ? "circle" : "square");
    const byX = new Map(s.points.map((p) => [p.x, p.y]));
    let d = "";
    let penDown = false;
    xs.forEach((x, i) => {
      const y = byX.get(x);
      if (y === null || y === undefined) {
        penDown = false;
        return;
      }
      d += `${penDown ? "L" : "M"}${fix(xAt(i))} ${fix(yAt(y))} `;
      penDown = true;
    });
    if (d) {
      parts.push(
        `<path d="${d.trim()}" fill="none" stroke="${escapeXml(color)}" stroke-width="2.5" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`,
      );
    }
    xs.forEach((x, i) => {
      const y = byX.get(x);
      if (y === null || y === undefined) return;
      parts.push(
        `<g class="point"><title>${escapeXml(`${s.name}, ${x}: ${format(y)}`)}</title>${markerSvg(marker, xAt(i), yAt(y), color)}</g>`,
      );
    });
  });

  return svgOpen(width, height, options.title, options.description) + parts.join("") + `</svg>`;
}

function markerSvg(kind: "circle" | "square", x: number, y: number, color: string): string {
  const fill = escapeXml(color);
  return kind === "circle"
    ? `<circle cx="${fix(x)}" cy="${fix(y)}" r="4" fill="${fill}" stroke="#fff" stroke-width="1.5"/>`
    : `<rect x="${fix(x - 4)}" y="${fix(y - 4)}" width="8" height="8" fill="${fill}" stroke="#fff" stroke-width="1.5"/>`;
}

function svgOpen(width: number, height: number, title: string, description?: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${fix(width)} ${fix(height)}" role="img" aria-label="${escapeXml(title)}" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif">` +
    `<title>${escapeXml(title)}</title>` +
    (description ? `<desc>${escapeXml(description)}</desc>` : "")
  );
}

/** SVG inlined in HTML follows the HTML escaping rules. */
export const escapeXml = escapeHtml;

function truncate(label: string, max = LABEL_MAX_CHARS): string {
  const chars = [...label];
  return chars.length <= max ? label : `${chars.slice(0, max - 1).join("")}…`;
}

/** How many characters of a bar's label fit before its note (both on one line above the bar). */
function labelRoom(barSpace: number, note: string | undefined): number {
  if (!note) return LABEL_MAX_CHARS;
  const noteWidth = [...note].length * CHAR_WIDTH;
  return Math.max(6, Math.min(LABEL_MAX_CHARS, Math.floor((barSpace - noteWidth - 12) / CHAR_WIDTH)));
}

function fix(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function defaultFormat(value: number): string {
  return new Intl.NumberFormat("en").format(value);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
