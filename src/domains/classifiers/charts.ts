/**
 * Self-contained SVG figures for quality reports (no scripts, no external fonts or assets), shared by every
 * classifier kind: small-multiple precision-recall curves with the chosen operating point marked, and line
 * charts of metrics against a size (sweeps, learning curves). Plain strings, so they embed in HTML as they are.
 */

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const f1 = (x: number) => (Math.round(x * 10) / 10).toString();
const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');

export interface PrPanel {
  label: string;
  recall: number[];
  precision: number[];
  /** The tuned operating point on this curve. */
  chosen?: { recall: number; precision: number; threshold: number };
  /** The default operating point (threshold 0.5). */
  baseline?: { recall: number; precision: number; threshold: number };
  /** Shown under the label, e.g. "AP 0.62 · n+ 26". */
  note?: string;
}

interface Frame {
  x: number;
  y: number;
  w: number;
  h: number;
}

function axes(fr: Frame, xTicks: Array<{ v: number; label: string }>, yTicks: number[], sx: (v: number) => number, sy: (v: number) => number, xLabel: string, yLabel: string): string {
  const out: string[] = [];
  for (const t of yTicks) {
    const y = f1(sy(t));
    out.push(`<line x1="${f1(fr.x)}" y1="${y}" x2="${f1(fr.x + fr.w)}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f1(fr.x - 4)}" y="${y}" font-size="10" text-anchor="end" dominant-baseline="middle" fill="#555">${t.toFixed(1)}</text>`);
  }
  for (const t of xTicks) {
    const x = f1(sx(t.v));
    out.push(`<line x1="${x}" y1="${f1(fr.y)}" x2="${x}" y2="${f1(fr.y + fr.h)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${f1(fr.y + fr.h + 13)}" font-size="10" text-anchor="middle" fill="#555">${escapeXml(t.label)}</text>`);
  }
  out.push(`<rect x="${f1(fr.x)}" y="${f1(fr.y)}" width="${f1(fr.w)}" height="${f1(fr.h)}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${f1(fr.x + fr.w / 2)}" y="${f1(fr.y + fr.h + 28)}" font-size="11" text-anchor="middle" fill="#333">${escapeXml(xLabel)}</text>`);
  out.push(`<text transform="translate(${f1(fr.x - 30)} ${f1(fr.y + fr.h / 2)}) rotate(-90)" font-size="11" text-anchor="middle" fill="#333">${escapeXml(yLabel)}</text>`);
  return out.join('');
}

/** One panel per label, 3 per row: recall on x, precision on y; ● tuned point, ○ threshold 0.5. */
export function prCurvesSvg(panels: PrPanel[], title: string): string {
  const cols = Math.max(1, Math.min(3, panels.length));
  const rows = Math.max(1, Math.ceil(panels.length / cols));
  const pw = 300, ph = 250, top = 34;
  const width = cols * pw, height = top + rows * ph + 24;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(`<text x="12" y="22" font-size="14" font-weight="bold" fill="#222">${escapeXml(title)}</text>`);
  panels.forEach((p, i) => {
    const ox = (i % cols) * pw, oy = top + Math.floor(i / cols) * ph;
    const fr = { x: ox + 50, y: oy + 30, w: pw - 70, h: ph - 75 };
    const sx = (v: number) => fr.x + v * fr.w, sy = (v: number) => fr.y + (1 - v) * fr.h;
    parts.push(`<g>`);
    parts.push(`<text x="${f1(fr.x)}" y="${f1(oy + 12)}" font-size="12" font-weight="bold" fill="#222">${escapeXml(p.label)}</text>`);
    if (p.note) parts.push(`<text x="${f1(fr.x)}" y="${f1(oy + 25)}" font-size="10" fill="#555">${escapeXml(p.note)}</text>`);
    const ticks = [0, 0.5, 1].map((v) => ({ v, label: v.toFixed(1) }));
    parts.push(axes(fr, ticks, [0, 0.5, 1], sx, sy, 'recall', 'precision'));
    if (p.recall.length > 0) {
      const pts = p.recall.map((r, k) => `${f1(sx(r))},${f1(sy(p.precision[k]!))}`);
      parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${PALETTE[0]}" stroke-width="1.6"/>`);
    }
    if (p.baseline) {
      const b = p.baseline;
      parts.push(`<circle cx="${f1(sx(b.recall))}" cy="${f1(sy(b.precision))}" r="4.5" fill="#fff" stroke="#555" stroke-width="1.5"><title>threshold ${fmt(b.threshold)}: precision ${fmt(b.precision)}, recall ${fmt(b.recall)}</title></circle>`);
    }
    if (p.chosen) {
      const c = p.chosen;
      parts.push(`<circle cx="${f1(sx(c.recall))}" cy="${f1(sy(c.precision))}" r="5" fill="${PALETTE[1]}"><title>tuned threshold ${fmt(c.threshold)}: precision ${fmt(c.precision)}, recall ${fmt(c.recall)}</title></circle>`);
      parts.push(`<text x="${f1(fr.x + fr.w)}" y="${f1(oy + 12)}" font-size="11" text-anchor="end" fill="${PALETTE[1]}">t = ${fmt(c.threshold)}</text>`);
    }
    parts.push(`</g>`);
  });
  const ly = height - 10;
  parts.push(`<circle cx="18" cy="${ly - 4}" r="5" fill="${PALETTE[1]}"/><text x="28" y="${ly}" font-size="11" fill="#333">tuned threshold</text>`);
  parts.push(`<circle cx="138" cy="${ly - 4}" r="4.5" fill="#fff" stroke="#555" stroke-width="1.5"/><text x="148" y="${ly}" font-size="11" fill="#333">threshold 0.5</text>`);
  parts.push(`</svg>`);
  return parts.join('\n');
}

export interface LineSeries {
  name: string;
  points: Array<{ x: number; y: number | null }>;
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** 'log' for sizes spanning decades (10 … 500). */
  xScale?: 'linear' | 'log';
  yMin?: number;
  yMax?: number;
}

/** Metrics against x; each point is a dot with a tooltip; the legend sits on the right. */
export function lineChartSvg(o: LineChartOptions): string {
  const width = 720, height = 420;
  const fr = { x: 60, y: o.subtitle ? 58 : 44, w: 470, h: 0 };
  fr.h = height - fr.y - 50;
  const xs = o.series.flatMap((s) => s.points.map((p) => p.x)).filter((x) => Number.isFinite(x) && (o.xScale !== 'log' || x > 0));
  let x0 = xs.length ? Math.min(...xs) : 0, x1 = xs.length ? Math.max(...xs) : 1;
  if (x0 === x1) { x0 = o.xScale === 'log' ? x0 / 2 : x0 - 1; x1 = o.xScale === 'log' ? x1 * 2 : x1 + 1; }
  const tx = (v: number) => (o.xScale === 'log' ? Math.log10(v) : v);
  const pad = (tx(x1) - tx(x0)) * 0.04;
  const lo = tx(x0) - pad, hi = tx(x1) + pad;
  const sx = (v: number) => fr.x + ((tx(v) - lo) / (hi - lo)) * fr.w;
  const yMin = o.yMin ?? 0, yMax = o.yMax ?? 1;
  const sy = (v: number) => fr.y + (1 - (v - yMin) / (yMax - yMin)) * fr.h;
  const xTicks = [...new Set(xs)].sort((a, b) => a - b).map((v) => ({ v, label: Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100) }));
  const yTicks = Array.from({ length: 6 }, (_, k) => yMin + ((yMax - yMin) * k) / 5);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(`<text x="12" y="22" font-size="14" font-weight="bold" fill="#222">${escapeXml(o.title)}</text>`);
  if (o.subtitle) parts.push(`<text x="12" y="40" font-size="11" fill="#555">${escapeXml(o.subtitle)}</text>`);
  parts.push(axes(fr, xTicks.length > 12 ? xTicks.filter((_, k) => k % Math.ceil(xTicks.length / 12) === 0) : xTicks, yTicks, sx, sy, o.xLabel, o.yLabel));
  o.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = s.points.filter((p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y) && Number.isFinite(p.x) && (o.xScale !== 'log' || p.x > 0)).sort((a, b) => a.x - b.x);
    if (pts.length > 1) parts.push(`<polyline points="${pts.map((p) => `${f1(sx(p.x))},${f1(sy(p.y))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of pts) parts.push(`<circle cx="${f1(sx(p.x))}" cy="${f1(sy(p.y))}" r="3.5" fill="${color}"><title>${escapeXml(s.name)} at ${p.x}: ${fmt(p.y)}</title></circle>`);
    const ly = fr.y + 8 + i * 20;
    parts.push(`<line x1="${fr.x + fr.w + 20}" y1="${ly}" x2="${fr.x + fr.w + 44}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${fr.x + fr.w + 50}" y="${ly + 4}" font-size="11" fill="#333">${escapeXml(s.name)}</text>`);
  });
  parts.push(`</svg>`);
  return parts.join('\n');
}
