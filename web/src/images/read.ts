/** Pure helpers for the image pages (unit-tested in read.test.ts): defaults, ETA, warnings, chart data. */
import type { Problem } from '../api/types.ts';
import type { ImageMetrics, LabelCount } from './api.ts';

/** Canvas asks for at least this many images per label. */
export const CANVAS_MIN_PER_LABEL = 25;

/** A manifest column that probably names the group (patient, lesion, subject…) whose images must stay together. */
export function guessGroupColumn(columns: readonly string[]): string {
  const pick = (re: RegExp) => columns.find((c) => re.test(c));
  return pick(/^lesion_?id$/i) ?? pick(/^(patient|subject|group|case|study)_?id$/i) ?? pick(/lesion|patient|subject|group/i) ?? '';
}

/** A manifest column that probably holds the label (empty: the label folders). */
export function guessLabelColumn(columns: readonly string[]): string {
  return columns.find((c) => /^(label|dx|class|diagnosis|category|target)$/i.test(c)) ?? '';
}

/**
 * Labels under the Canvas minimum, as warnings naming the label and the fix. Used when the server's
 * summary does not already warn about a label (its problems win: they know the configured minimum).
 */
export function labelCountWarnings(labels: readonly LabelCount[], serverProblems: readonly Problem[], min = CANVAS_MIN_PER_LABEL): Problem[] {
  const mentioned = (label: string) => serverProblems.some((p) => p.field === label || (p.problem ?? '').includes(`"${label}"`) || (p.problem ?? '').startsWith(`${label} `));
  return labels
    .filter((l) => l.count < min && !mentioned(l.label))
    .map((l) => ({
      field: l.label,
      severity: 'warning' as const,
      problem: `${l.label} has ${l.count} image${l.count === 1 ? '' : 's'}; Canvas asks for ≥${min}`,
      fix: 'Add images of this label, or accept lower accuracy for it.',
    }));
}

export { etaSeconds, formatSeconds } from '../components/format.ts';

export interface GroupedDatum {
  label: string;
  metric: string;
  value: number;
}

/** Per-class precision/recall/F1(/AUC) as long rows for a grouped bar chart. */
export function groupedMetricRows(metrics: ImageMetrics | null | undefined, labels: readonly string[]): GroupedDatum[] {
  const per = metrics?.per_label ?? {};
  const order = labels.length > 0 ? labels.filter((l) => l in per) : Object.keys(per);
  const out: GroupedDatum[] = [];
  for (const label of order) {
    const m = per[label];
    if (!m) continue;
    for (const [metric, value] of [['precision', m.precision], ['recall', m.recall], ['F1', m.f1], ['AUC', m.auc]] as const) {
      if (typeof value === 'number' && Number.isFinite(value)) out.push({ label, metric, value });
    }
  }
  return out;
}

/** The saliency grid scaled to 0..1 opacity (only probability drops count: negative values show nothing). */
export function saliencyOpacities(values: readonly number[]): number[] {
  const max = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  return values.map((v) => (max > 0 && Number.isFinite(v) && v > 0 ? Math.min(1, v / max) : 0));
}

/** A model name from a dataset name: letters, digits, ".", "_" or "-". */
export function suggestModelName(dataset: string): string {
  const base = dataset.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 50);
  return base ? `${base}-classifier` : 'image-classifier';
}

/** Rows of a CSV text (header excluded) and its header; a tiny parser for the batch preview. */
export function csvShape(text: string): { header: string[]; rows: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  return { header, rows: Math.max(0, lines.length - 1) };
}
