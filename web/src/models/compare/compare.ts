/** Pure helpers of the version comparison (unit-tested): which versions, parameter diffs, metric deltas, per-label F1. */
import type { ModelVersion } from '../../api/types.ts';
import { num } from '../metrics.ts';

export const MAX_COMPARE = 4;

/** `?versions=3,1,2` → [3, 1, 2] (positive integers, no repeats, at most 4). */
export function parseVersions(q: string | null | undefined): number[] {
  const out: number[] = [];
  for (const part of (q ?? '').split(',')) {
    const v = Number(part.trim());
    if (Number.isInteger(v) && v > 0 && !out.includes(v)) out.push(v);
  }
  return out.slice(0, MAX_COMPARE);
}

/** The versions to show when the URL names none: the two newest ready ones (newest last: it is compared to the older). */
export function defaultVersions(versions: ModelVersion[]): number[] {
  const ready = versions.filter((v) => v.status === 'ready').map((v) => v.version);
  const pool = ready.length >= 2 ? ready : versions.map((v) => v.version);
  return [...pool].sort((a, b) => b - a).slice(0, 2).reverse();
}

/** Keys left out of the parameter table: long lists that are shown elsewhere (labels per label, test row indexes). */
const SKIP = new Set(['labels', 'split.testRows']);

/** Nested parameters as dotted keys with printable values. */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (SKIP.has(prefix)) return out;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  if (prefix) out[prefix] = Array.isArray(value) ? value.join('–') : value === null || value === undefined ? '—' : String(value);
  return out;
}

export interface ParamRow {
  key: string;
  values: string[];
  differs: boolean;
}

/** One row per parameter any version has; `differs` when the versions do not all agree. */
export function paramRows(versions: ModelVersion[]): ParamRow[] {
  const flat = versions.map((v) => ({
    ...flatten(v.params ?? {}),
    'labels (count)': String(v.params?.labels?.length ?? v.metrics?.labels?.length ?? '—'),
    'dataset version': v.datasetVersionId ?? '—',
  }));
  const keys: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!keys.includes(k)) keys.push(k);
  return keys.map((key) => {
    const values = flat.map((f) => (f as Record<string, string>)[key] ?? '—');
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}

const HEADLINE: Array<{ key: string; label: string; lowerIsBetter?: boolean }> = [
  { key: 'accuracy', label: 'Accuracy' },
  { key: 'balanced_accuracy', label: 'Balanced accuracy' },
  { key: 'macro_f1', label: 'Macro F1' },
  { key: 'micro_f1', label: 'Micro F1' },
  { key: 'precision_macro', label: 'Macro precision' },
  { key: 'recall_macro', label: 'Macro recall' },
  { key: 'hamming_loss', label: 'Hamming loss', lowerIsBetter: true },
  { key: 'mean_auc', label: 'Mean AUC' },
];

export interface MetricRow {
  key: string;
  label: string;
  values: Array<number | null>;
  /** Each version minus the first (baseline) one; null where either is missing. */
  deltas: Array<number | null>;
  lowerIsBetter: boolean;
}

function deltas(values: Array<number | null>): Array<number | null> {
  const base = values[0] ?? null;
  return values.map((v, i) => (i === 0 || v === null || base === null ? null : v - base));
}

/** The headline metrics that at least one version has. */
export function metricRows(versions: ModelVersion[]): MetricRow[] {
  return HEADLINE.flatMap((h) => {
    const values = versions.map((v) => num((v.metrics as Record<string, unknown> | null | undefined)?.[h.key]));
    if (values.every((x) => x === null)) return [];
    return [{ key: h.key, label: h.label, values, deltas: deltas(values), lowerIsBetter: Boolean(h.lowerIsBetter) }];
  });
}

export interface LabelRow {
  label: string;
  f1: Array<number | null>;
  deltas: Array<number | null>;
  support: Array<number | null>;
}

/** Per-label F1 of each version over the union of their labels (first version's order first). */
export function labelRows(versions: ModelVersion[]): LabelRow[] {
  const labels: string[] = [];
  for (const v of versions) for (const l of Object.keys(v.metrics?.per_label ?? {})) if (!labels.includes(l)) labels.push(l);
  return labels.map((label) => {
    const f1 = versions.map((v) => num(v.metrics?.per_label?.[label]?.f1));
    return { label, f1, deltas: deltas(f1), support: versions.map((v) => num(v.metrics?.per_label?.[label]?.support)) };
  });
}

/** "+0.012" / "−0.034" / "±0.000"; a better change reads as good (lower-is-better metrics flip). */
export function formatDelta(d: number | null, lowerIsBetter = false): { text: string; tone: 'good' | 'bad' | 'same' } | null {
  if (d === null) return null;
  if (Math.abs(d) < 0.0005) return { text: '±0.000', tone: 'same' };
  const better = lowerIsBetter ? d < 0 : d > 0;
  return { text: `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`, tone: better ? 'good' : 'bad' };
}

export function comparePath(name: string, versions: number[]): string {
  return `/models/${encodeURIComponent(name)}/compare${versions.length ? `?versions=${versions.join(',')}` : ''}`;
}
