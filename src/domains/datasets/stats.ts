/**
 * Streaming column profiles with bounded memory: per column the non-empty count, a distinct count
 * (exact up to DISTINCT_CAP values, then a lower bound), counts per label for label-like columns,
 * numeric range, and the text length distribution (exact percentiles from a length histogram).
 */

export const DISTINCT_CAP = 10_000;
/** Lengths below this are counted exactly in a typed array; longer ones are kept in a list. */
const EXACT_LENGTHS = 16_384;
/** Only the first columns get a length histogram (bounds memory for very wide files). */
const MAX_LENGTH_COLUMNS = 256;
const MAX_LABELS = 100;
const MAX_LIST_LABELS = 1_000;
/** Fixed histogram bin edges, in characters; the last bin is open-ended. */
export const LENGTH_BINS = [1, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export interface LabelCount {
  label: string;
  count: number;
}

export interface LengthStats {
  unit: 'characters';
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
  histogram: Array<{ from: number; to: number | null; count: number }>;
}

/** A column of a delimited or JSON Lines dataset: its inferred type and role. */
export interface ColumnSchema {
  name: string;
  type: 'string' | 'number' | 'empty' | 'json';
  role: 'label' | 'text' | 'id' | 'number' | 'other';
}

export interface ColumnStats {
  name: string;
  type: ColumnSchema['type'];
  role: ColumnSchema['role'];
  nonEmpty: number;
  empty: number;
  distinct: number;
  /** True when there are more distinct values than were counted (`distinct` is then a lower bound). */
  distinctCapped: boolean;
  /** Counts per label (label-like columns), most frequent first. */
  labels?: LabelCount[];
  /** For label columns whose values list several labels separated by `|` (multi-label), counts per label. */
  multiLabels?: LabelCount[];
  numeric?: { min: number; max: number; mean: number };
  length?: LengthStats;
}

export interface TabularStats {
  kind: 'tabular' | 'text';
  rowCount: number;
  columnCount: number;
  /** All-empty rows that were skipped. */
  blankRows: number;
  columns: ColumnStats[];
}

export interface ImageStats {
  kind: 'images';
  imageCount: number;
  labelCount: number;
  labels: LabelCount[];
  /** Images directly in the root folder (no label folder): not part of the dataset. */
  unlabeled: number;
  /** Non-image files and system files (`__MACOSX/`, `.DS_Store`) that were skipped. */
  ignoredFiles: number;
  uncompressedBytes: number;
  extensions: Record<string, number>;
}

class ColumnState {
  nonEmpty = 0;
  numericOk = true;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  distinct: Map<string, number> | undefined = new Map();
  distinctCount = 0;
  lengths: Uint32Array | undefined;
  longLengths: number[] = [];
  /** The longest length counted in `lengths`. */
  longestExact = 0;
  lengthSum = 0;
  jsonValues = 0;
  listLabels: Map<string, number> | undefined;

  constructor(readonly name: string, readonly trackLengths: boolean) {}

  add(v: string): void {
    const len = v.length;
    if (len === 0) return;
    this.nonEmpty++;
    if (this.trackLengths) {
      this.lengths ??= new Uint32Array(EXACT_LENGTHS);
      if (len < EXACT_LENGTHS) {
        this.lengths[len]++;
        if (len > this.longestExact) this.longestExact = len;
      } else this.longLengths.push(len);
      this.lengthSum += len;
    }
    if (this.numericOk) {
      const n = Number(v);
      if (Number.isFinite(n) && v.charCodeAt(0) > 32) {
        if (n < this.min) this.min = n;
        if (n > this.max) this.max = n;
        this.sum += n;
      } else this.numericOk = false;
    }
    const map = this.distinct;
    if (map) {
      const key = len <= 64 ? v : `${len}\u0000${v.slice(0, 64)}`;
      map.set(key, (map.get(key) ?? 0) + 1);
      if (map.size > DISTINCT_CAP) {
        this.distinctCount = map.size;
        this.distinct = undefined;
      }
    }
  }

  addList(items: string[]): void {
    const m = (this.listLabels ??= new Map());
    for (const item of items) if (m.size < MAX_LIST_LABELS || m.has(item)) m.set(item, (m.get(item) ?? 0) + 1);
  }

  finish(rows: number): ColumnStats {
    const capped = this.distinct === undefined;
    const distinct = capped ? this.distinctCount : (this.distinct as Map<string, number>).size;
    const length = this.lengths ? lengthStats(this.lengths, this.longestExact, this.longLengths, this.nonEmpty, this.lengthSum) : undefined;
    const isNumber = this.nonEmpty > 0 && this.numericOk;
    const isJson = this.jsonValues > 0 && this.jsonValues === this.nonEmpty;
    const type: ColumnStats['type'] = this.nonEmpty === 0 ? 'empty' : isJson ? 'json' : isNumber ? 'number' : 'string';
    const medianLen = length?.median ?? 0;
    const integral = isNumber && Number.isInteger(this.min) && Number.isInteger(this.max);
    const labelLike =
      !capped &&
      this.nonEmpty > 0 &&
      distinct <= Math.min(MAX_LABELS, Math.max(2, Math.floor(rows / 2))) &&
      !(distinct === this.nonEmpty && rows > 2) &&
      medianLen <= 64 &&
      (type === 'string' || (integral && distinct <= 10));
    const listLike = this.listLabels !== undefined && this.listLabels.size > 0;
    const multi = !capped && type === 'string' && medianLen <= 64 ? splitLabels(this.distinct as Map<string, number>) : undefined;
    const multiLike = multi !== undefined && multi.size <= MAX_LABELS && multi.size < [...multi.values()].reduce((a, b) => a + b, 0);
    let role: ColumnStats['role'] = 'other';
    if (labelLike || listLike || multiLike) role = 'label';
    else if (isNumber) role = 'number';
    else if (type === 'string' && (medianLen >= 20 || (length?.mean ?? 0) >= 20) && !(distinct === rows && medianLen <= 40 && /(^|_|\b)id$/i.test(this.name))) role = 'text';
    else if (type === 'string' && medianLen <= 64 && (/(^|_|\b)id$/i.test(this.name) || (!capped && distinct === rows && rows > 2))) role = 'id';
    const out: ColumnStats = { name: this.name, type, role, nonEmpty: this.nonEmpty, empty: rows - this.nonEmpty, distinct, distinctCapped: capped };
    if ((labelLike || multiLike) && this.distinct) out.labels = sortedCounts(this.distinct);
    if ((labelLike || multiLike) && multi) out.multiLabels = sortedCounts(multi);
    if (listLike) out.multiLabels = sortedCounts(this.listLabels as Map<string, number>);
    if (isNumber) out.numeric = { min: this.min, max: this.max, mean: this.sum / this.nonEmpty };
    if (length && type !== 'number') out.length = length;
    return out;
  }
}

/** Counts per label for values like `a|b` (Comprehend multi-label); undefined when no value has a `|`. */
function splitLabels(distinct: Map<string, number>): Map<string, number> | undefined {
  if (![...distinct.keys()].some((k) => k.includes('|'))) return undefined;
  const out = new Map<string, number>();
  for (const [k, c] of distinct) for (const part of k.split('|')) if (part) out.set(part, (out.get(part) ?? 0) + c);
  return out;
}

function sortedCounts(m: Map<string, number>): LabelCount[] {
  return [...m].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
}

/**
 * Exact percentiles and the histogram from the length counts, in one pass over the lengths up to the longest seen
 * (`top`): this runs once per column at the end of an import, before V8 has compiled it, so walking all 16,384 slots
 * several times (once per percentile, and a bin search per slot) cost tens of ms of a 10k-row import (issue 17).
 */
function lengthStats(exact: Uint32Array, top: number, long: number[], n: number, sum: number): LengthStats | undefined {
  if (n === 0) return undefined;
  long.sort((a, b) => a - b);
  const ranks = [1, Math.ceil(n * 0.5), Math.ceil(n * 0.95), n];
  const at = [-1, -1, -1, -1];
  const histogram = LENGTH_BINS.map((from, i) => ({ from, to: (LENGTH_BINS[i + 1] as number | undefined) ?? null, count: 0 }));
  let seen = 0;
  let k = 0;
  let bin = 0;
  for (let len = 1; len <= top; len++) {
    const c = exact[len];
    if (c === 0) continue;
    while (bin + 1 < LENGTH_BINS.length && len >= LENGTH_BINS[bin + 1]) bin++;
    histogram[bin].count += c;
    seen += c;
    while (k < ranks.length && seen >= ranks[k]) at[k++] = len;
  }
  // ranks past the exact counts fall among the long lengths
  for (; k < ranks.length; k++) at[k] = long[ranks[k] - seen - 1] ?? long[long.length - 1] ?? 0;
  for (const len of long) histogram[binOf(len)].count++;
  return {
    unit: 'characters',
    min: at[0],
    median: at[1],
    p95: at[2],
    max: at[3],
    mean: Math.round((sum / n) * 100) / 100,
    histogram,
  };
}

function binOf(len: number): number {
  let i = LENGTH_BINS.length - 1;
  while (i > 0 && len < LENGTH_BINS[i]) i--;
  return i;
}

/** Profiles rows of string cells. Use `addRow` for CSV/TSV and `add`/`addList`/`addJson` for JSON Lines. */
export class TableProfiler {
  rows = 0;
  private readonly cols: ColumnState[] = [];

  constructor(columns: string[]) {
    for (const name of columns) this.addColumn(name);
  }

  get columnCount(): number {
    return this.cols.length;
  }

  addColumn(name: string): number {
    this.cols.push(new ColumnState(name, this.cols.length < MAX_LENGTH_COLUMNS));
    return this.cols.length - 1;
  }

  addRow(cells: string[]): void {
    this.rows++;
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) cols[i].add(cells[i]);
  }

  /** For JSON Lines: call `beginRow` once per row, then `add` per present cell. */
  beginRow(): void {
    this.rows++;
  }

  add(col: number, value: string): void {
    this.cols[col].add(value);
  }

  addJson(col: number, value: string, listItems?: string[]): void {
    const c = this.cols[col];
    c.jsonValues++;
    c.add(value);
    if (listItems) c.addList(listItems);
  }

  finish(blankRows = 0): { stats: TabularStats; columns: ColumnSchema[] } {
    const columns = this.cols.map((c) => c.finish(this.rows));
    const kind = columns.some((c) => c.role === 'text') ? 'text' : 'tabular';
    return {
      stats: { kind, rowCount: this.rows, columnCount: columns.length, blankRows, columns },
      columns: columns.map((c) => ({ name: c.name, type: c.type, role: c.role })),
    };
  }
}
