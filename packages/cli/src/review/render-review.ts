import { barChartSvg, escapeXml, topBars } from "./bar-chart.js";
import type { ReviewReport, ReviewValue, SectionResult } from "./run-review.js";

/** The review as Markdown (text tables, for a ticket or a wiki) or as one self-contained HTML file. */

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

function hours(ms: number): string {
  if (ms % 86_400_000 === 0 && ms >= 2 * 86_400_000) return `${ms / 86_400_000} days`;
  return ms >= 3_600_000 ? `${+(ms / 3_600_000).toFixed(2)} hours` : `${+(ms / 60_000).toFixed(2)} minutes`;
}

function periodLine(r: ReviewReport): string {
  return `${iso(r.window.since)} to ${iso(r.window.until)}`;
}

function intro(r: ReviewReport): string[] {
  return [
    `Generated ${iso(r.generatedAt.getTime())} from ${r.engine}. All times are UTC.`,
    `New and silent hosts are judged against a baseline of ${hours(r.window.baselineMs)} before the period; a host is silent when it sent nothing in the last ${hours(r.window.silentAfterMs)}.`,
  ];
}

function onegateNote(r: ReviewReport): string {
  const f = r.onegate;
  return `OneGate JSON fields read: user \`${f.user}\`, source address \`${f.ip}\`, result \`${f.result}\` (a failure when it contains "${f.failure}", any case). These names are assumptions, not a published OneGate format: check them against a real event and set --onegate-fields when they differ.`;
}

function text(v: ReviewValue): string {
  return v === null ? "–" : String(v);
}

function summaryRows(r: ReviewReport): [string, string][] {
  return r.sections.map((s) => [s.section.title, `${s.rows.length}${s.truncated ? "+" : ""}`]);
}

export function renderMarkdown(r: ReviewReport): string {
  const cell = (v: ReviewValue) => text(v).replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
  const out: string[] = [`# Log review: ${periodLine(r)}`, "", ...intro(r), "", "| Section | Rows |", "|---|---:|"];
  for (const [title, n] of summaryRows(r)) out.push(`| ${title} | ${n} |`);
  for (const s of r.sections) {
    out.push("", `## ${s.section.title}`, "", s.section.description, "");
    if (s.rows.length === 0) {
      out.push("_None in the period._");
      continue;
    }
    const cols = s.section.columns;
    out.push(`| ${cols.map((c) => c.label).join(" | ")} |`, `|${cols.map((c) => (c.kind === "count" ? "---:" : "---")).join("|")}|`);
    for (const row of s.rows) out.push(`| ${cols.map((c) => cell(row[c.name] ?? null)).join(" | ")} |`);
    if (s.truncated) out.push("", `_Only the first ${s.section.limit} rows are shown._`);
  }
  out.push("", "---", "", onegateNote(r), "");
  return out.join("\n");
}

function chart(s: SectionResult): string {
  const c = s.section.chart;
  if (c === undefined || s.rows.length === 0) return "";
  const bars = topBars(s.rows.map((row) => ({ label: text(row[c.label] ?? null), value: Number(row[c.value] ?? 0) })));
  return `<figure>${barChartSvg(s.section.title, bars)}</figure>\n`;
}

const STYLE = `body{font-family:sans-serif;margin:2em;color:#222;max-width:72em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}th{background:#f2f2f2}p.note{color:#555}figure{margin:.5em 0}`;

export function renderHtml(r: ReviewReport): string {
  const e = escapeXml;
  const table = (head: string[], rows: string[][], numeric: boolean[]) =>
    `<table><thead><tr>${head.map((h, i) => `<th${numeric[i] ? ' class="n"' : ""}>${e(h)}</th>`).join("")}</tr></thead><tbody>\n${rows
      .map((row) => `<tr>${row.map((v, i) => `<td${numeric[i] ? ' class="n"' : ""}>${e(v)}</td>`).join("")}</tr>`)
      .join("\n")}\n</tbody></table>\n`;
  const out: string[] = [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${e(`Log review: ${periodLine(r)}`)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${e(`Log review: ${periodLine(r)}`)}</h1>`,
    ...intro(r).map((p) => `<p>${e(p)}</p>`),
    table(["Section", "Rows"], summaryRows(r), [false, true]),
  ];
  for (const s of r.sections) {
    out.push(`<h2 id="${s.section.id}">${e(s.section.title)}</h2>`, `<p class="note">${e(s.section.description)}</p>`);
    if (s.rows.length === 0) {
      out.push("<p><em>None in the period.</em></p>");
      continue;
    }
    out.push(chart(s));
    const cols = s.section.columns;
    out.push(table(cols.map((c) => c.label), s.rows.map((row) => cols.map((c) => text(row[c.name] ?? null))), cols.map((c) => c.kind === "count")));
    if (s.truncated) out.push(`<p><em>Only the first ${s.section.limit} rows are shown.</em></p>`);
  }
  out.push("<hr>", `<p class="note">${e(onegateNote(r)).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`, "</body></html>", "");
  return out.join("\n");
}

/** The review as JSON, for scripts: period, engine, each section's rows and whether it was cut. */
export function renderJson(r: ReviewReport): string {
  return `${JSON.stringify({
    since: iso(r.window.since), until: iso(r.window.until), generatedAt: iso(r.generatedAt.getTime()), engine: r.engine, onegateFields: r.onegate,
    sections: r.sections.map((s) => ({ id: s.section.id, title: s.section.title, truncated: s.truncated, rows: s.rows })),
  }, null, 2)}\n`;
}
