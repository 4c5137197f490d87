/**
 * A horizontal bar chart as inline SVG: no script, no external font or stylesheet, so the HTML
 * report opens the same from a mail attachment or an evidence archive years later.
 */
export interface Bar {
  label: string;
  value: number;
}

/** Bars beyond this are summed into one "other" bar: a chart of 200 hosts reads as nothing. */
export const MAX_BARS = 15;

const ROW_PX = 20;
const LABEL_PX = 180;
const BAR_PX = 360;
const VALUE_PX = 80;

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Sums values per label, largest first, the tail folded into "(N others)". */
export function topBars(bars: readonly Bar[], max = MAX_BARS): Bar[] {
  const sums = new Map<string, number>();
  for (const b of bars) sums.set(b.label, (sums.get(b.label) ?? 0) + b.value);
  const sorted = [...sums].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
  if (sorted.length <= max) return sorted;
  const rest = sorted.slice(max - 1);
  return [...sorted.slice(0, max - 1), { label: `(${rest.length} others)`, value: rest.reduce((n, b) => n + b.value, 0) }];
}

export function barChartSvg(title: string, bars: readonly Bar[]): string {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * ROW_PX + 8;
  const width = LABEL_PX + BAR_PX + VALUE_PX;
  const label = (s: string) => (s.length > 26 ? `${s.slice(0, 25)}…` : s);
  const rows = bars.map((b, i) => {
    const y = 4 + i * ROW_PX;
    const w = Math.max(1, Math.round((b.value / max) * BAR_PX));
    return [
      `<text x="${LABEL_PX - 6}" y="${y + 14}" text-anchor="end">${escapeXml(label(b.label))}</text>`,
      `<rect x="${LABEL_PX}" y="${y + 3}" width="${w}" height="${ROW_PX - 6}" fill="#4a7ab5"><title>${escapeXml(`${b.label}: ${b.value}`)}</title></rect>`,
      `<text x="${LABEL_PX + w + 6}" y="${y + 14}">${b.value}</text>`,
    ].join("");
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">${rows.join("")}</svg>`;
}
