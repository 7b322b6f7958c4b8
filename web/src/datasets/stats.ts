/**
 * Readers for `DatasetVersion.stats`. They read the shape written by src/domains/datasets/stats.ts
 * first (TabularStats: `columns[]` with `role`, `labels`/`multiLabels` as `[{label, count}]` and
 * `length.histogram` as `[{from, to|null, count}]`; ImageStats: top-level `labels`), and fall back to a
 * defensive search for other layouts: counts as `{label: n}`, `[{label, count}]` or `[[label, n]]`;
 * histograms as `[{x0,x1,count}]` (or from/to, start/end, lo/hi) or `{edges, counts}`.
 */
import type { BarDatum } from '../components/BarChart.tsx';

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const LABEL_KEYS = ['label', 'name', 'value', 'key', 'class', 'category'];
const COUNT_KEYS = ['count', 'n', 'rows', 'frequency', 'freq', 'total'];

/** Reads a count-like value into [{label, value}], or null when it is not one. */
export function toCounts(v: unknown): BarDatum[] | null {
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    const out: BarDatum[] = [];
    for (const item of v) {
      if (Array.isArray(item) && item.length === 2 && isNum(item[1])) {
        out.push({ label: String(item[0]), value: item[1] });
        continue;
      }
      if (!isObj(item)) return null;
      const countKey = COUNT_KEYS.find((k) => isNum(item[k]));
      const labelKey = LABEL_KEYS.find((k) => k !== countKey && (typeof item[k] === 'string' || isNum(item[k])));
      if (!countKey || !labelKey) return null;
      out.push({ label: String(item[labelKey]), value: item[countKey] as number });
    }
    return out;
  }
  if (isObj(v)) {
    for (const inner of ['counts', 'labelCounts', 'values', 'valueCounts', 'items', 'top', 'topValues']) {
      if (inner in v) {
        const c = toCounts(v[inner]);
        if (c) return c;
      }
    }
    const entries = Object.entries(v);
    if (entries.length === 0 || !entries.every(([, n]) => isNum(n))) return null;
    return entries.map(([label, n]) => ({ label, value: n as number }));
  }
  return null;
}

const BIN_KEYS: Array<[string, string]> = [
  ['x0', 'x1'],
  ['from', 'to'],
  ['start', 'end'],
  ['lo', 'hi'],
  ['min', 'max'],
  ['low', 'high'],
];

/** Reads a histogram-like value into bins, or null. */
export function toBins(v: unknown): HistogramBin[] | null {
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    const out: HistogramBin[] = [];
    for (const item of v) {
      if (!isObj(item)) return null;
      const pair = BIN_KEYS.find(([a, b]) => isNum(item[a]) && isNum(item[b]));
      const countKey = COUNT_KEYS.find((k) => isNum(item[k]));
      if (!pair || !countKey) return null;
      out.push({ x0: item[pair[0]] as number, x1: item[pair[1]] as number, count: item[countKey] as number });
    }
    return out;
  }
  if (isObj(v)) {
    const edges = [v.edges, v.boundaries, v.thresholds, v.breaks].find((e) => Array.isArray(e) && e.every(isNum)) as number[] | undefined;
    const counts = [v.counts, v.values, v.frequencies].find((c) => Array.isArray(c) && c.every(isNum)) as number[] | undefined;
    if (edges && counts && edges.length === counts.length + 1) return counts.map((count, i) => ({ x0: edges[i]!, x1: edges[i + 1]!, count }));
    for (const inner of ['bins', 'buckets', 'histogram', 'hist']) {
      if (inner in v) {
        const b = toBins(v[inner]);
        if (b) return b;
      }
    }
  }
  return null;
}

interface Found<T> {
  path: string[];
  value: T;
}

/** Depth-first search for the first value under a key matching `keyRe` that `read` accepts. */
function findDeep<T>(root: unknown, keyRe: RegExp, read: (v: unknown) => T | null, maxDepth = 4): Found<T> | null {
  const visit = (node: unknown, path: string[], depth: number): Found<T> | null => {
    if (depth > maxDepth) return null;
    const entries: Array<[string, unknown]> = isObj(node)
      ? Object.entries(node)
      : Array.isArray(node)
        ? node.map((c, i) => [isObj(c) && typeof c.name === 'string' ? c.name : String(i), c])
        : [];
    for (const [k, v] of entries) {
      if (keyRe.test(k)) {
        const r = read(v);
        if (r) return { path: [...path, k], value: r };
      }
    }
    for (const [k, v] of entries) {
      if (isObj(v) || Array.isArray(v)) {
        const r = visit(v, [...path, k], depth + 1);
        if (r) return r;
      }
    }
    return null;
  };
  return visit(root, [], 0);
}

export interface LabelStats {
  data: BarDatum[];
  /** Where in stats it was found, e.g. "columns.label.labels" or "labels". */
  source: string;
  /** Chart title hint. */
  title: string;
}

/** The shape written by src/domains/datasets/stats.ts (TabularStats.columns / ImageStats.labels). */
interface ColumnStatsLike {
  name?: unknown;
  role?: unknown;
  type?: unknown;
  labels?: unknown;
  multiLabels?: unknown;
  length?: unknown;
}

function columnsOf(stats: unknown): ColumnStatsLike[] {
  return isObj(stats) && Array.isArray(stats.columns) ? (stats.columns.filter(isObj) as ColumnStatsLike[]) : [];
}

const BINARY = new Set(['0', '1', 'true', 'false']);

function fromColumns(stats: unknown): LabelStats | null {
  const labelCols = columnsOf(stats).filter((c) => c.role === 'label' && (toCounts(c.multiLabels) ?? toCounts(c.labels)));
  if (labelCols.length === 0) return null;
  // Kaggle/Jigsaw wide layout: several 0/1 label columns -> rows flagged per column.
  if (labelCols.length > 1 && labelCols.every((c) => (toCounts(c.labels) ?? []).every((d) => BINARY.has(d.label.toLowerCase())))) {
    const data = labelCols.map((c) => ({
      label: String(c.name),
      value: (toCounts(c.labels) ?? []).filter((d) => d.label === '1' || d.label.toLowerCase() === 'true').reduce((a, d) => a + d.value, 0),
    }));
    return { data, source: 'columns[*].labels', title: 'Rows flagged per label column' };
  }
  const col = labelCols[0]!;
  const multi = toCounts(col.multiLabels);
  if (multi) return { data: multi, source: `columns.${String(col.name)}.multiLabels`, title: 'Rows per label (multi-label)' };
  return { data: toCounts(col.labels)!, source: `columns.${String(col.name)}.labels`, title: `Rows per label (column “${String(col.name)}”)` };
}

export function extractLabelCounts(stats: unknown): LabelStats | null {
  const exact = fromColumns(stats);
  if (exact) return exact;
  if (isObj(stats) && stats.kind === 'images') {
    const c = toCounts(stats.labels);
    if (c) return { data: c, source: 'labels', title: 'Images per label' };
  }
  const found = findDeep(stats, /label|class/i, (v) => {
    const c = toCounts(v);
    return c && c.length > 0 ? c : null;
  });
  return found ? { data: found.value, source: found.path.join('.'), title: 'Rows per label' } : null;
}

export interface LengthStats {
  /** Ordered bins as bar data ("10–24" characters → rows). */
  data: BarDatum[];
  source: string;
  column?: string;
  summary?: { min?: number; median?: number; p95?: number; max?: number; mean?: number };
}

function binLabel(b: HistogramBin, open: boolean): string {
  if (open) return `≥ ${b.x0}`;
  const ints = Number.isInteger(b.x0) && Number.isInteger(b.x1);
  return ints && b.x1 - 1 > b.x0 ? `${b.x0}–${b.x1 - 1}` : ints ? `${b.x0}` : `${b.x0}–${b.x1}`;
}

/** Bins (possibly with an open-ended last bin `to: null`) as ordered bar data, without empty bins at either end. */
export function binsToBars(raw: unknown): BarDatum[] | null {
  if (!Array.isArray(raw)) {
    const b = toBins(raw);
    return b ? trim(b.map((x) => ({ label: binLabel(x, false), value: x.count }))) : null;
  }
  const out: BarDatum[] = [];
  for (const item of raw) {
    if (!isObj(item)) return null;
    const from = [item.from, item.x0, item.start, item.lo, item.min].find(isNum);
    const toRaw = [item.to, item.x1, item.end, item.hi, item.max].find((v) => isNum(v) || v === null);
    const count = COUNT_KEYS.map((k) => item[k]).find(isNum);
    if (from === undefined || count === undefined || toRaw === undefined) return null;
    out.push({ label: binLabel({ x0: from, x1: toRaw ?? from, count }, toRaw === null), value: count });
  }
  return trim(out);
}

function trim(data: BarDatum[]): BarDatum[] | null {
  let a = 0;
  let b = data.length;
  while (a < b && data[a]!.value === 0) a++;
  while (b > a && data[b - 1]!.value === 0) b--;
  return b > a ? data.slice(a, b) : null;
}

export function extractLengthHistogram(stats: unknown): LengthStats | null {
  const cols = columnsOf(stats).filter((c) => isObj(c.length));
  const col = cols.find((c) => c.role === 'text') ?? cols.find((c) => c.type === 'string' && c.role !== 'label' && c.role !== 'id');
  if (col && isObj(col.length)) {
    const len = col.length;
    const data = binsToBars(len.histogram);
    if (data) {
      const pick = (k: string) => (isNum(len[k]) ? (len[k] as number) : undefined);
      return {
        data,
        source: `columns.${String(col.name)}.length.histogram`,
        column: String(col.name),
        summary: { min: pick('min'), median: pick('median'), p95: pick('p95'), max: pick('max'), mean: pick('mean') },
      };
    }
  }
  const found = findDeep(stats, /length|len$|histogram|chars|tokens/i, (v) => {
    const b = binsToBars(v) ?? (isObj(v) ? binsToBars(v.histogram ?? v.bins ?? v.buckets) : null);
    return b && b.length > 0 ? b : null;
  });
  return found ? { data: found.value, source: found.path.join('.') } : null;
}
