/** The create-classifier form: its values, validation and the POST /text/classifiers body (unit-tested). */
import type { TextFormat, TextMode, TrainingCheckRequest, TrainOptions, TrainRequest } from '../api/types.ts';
import { MODEL_NAME } from '../models/metrics.ts';

/** Number inputs hold '' while empty (server default). */
export type Num = number | '';

export interface ClassifierFormValues {
  name: string;
  dataset: string;
  datasetVersion: number | null;
  mode: TextMode;
  format: TextFormat;
  delimiter: string;
  textColumn: string | null;
  labelColumns: string[];
  noneLabel: string;
  testSource: 'split' | 'dataset';
  testFraction: Num;
  seed: Num;
  testDataset: string;
  testDatasetVersion: number | null;
  wordNgram: [Num, Num];
  charNgram: [Num, Num];
  minDf: Num;
  maxWordFeatures: Num;
  maxCharFeatures: Num;
  C: Num;
  classWeight: 'none' | 'balanced';
  maxEpochs: Num;
}

/** The server's defaults, shown as placeholders. */
export const OPTION_DEFAULTS = { wordNgram: [1, 2], charNgram: [2, 5], minDf: 2, maxWordFeatures: 50000, maxCharFeatures: 100000, C: 4, classWeight: 'none', maxEpochs: 3 } as const;

/** Comprehend's allowed multi-label delimiters. */
export const DELIMITERS = ['|', '~', '!', '@', '#', '$', '%', '^', '*', '-', '_', '+', '=', '\\', ':', ';', '>', '?', '/', ' ', '\t'];

export function initialValues(dataset = '', datasetVersion: number | null = null): ClassifierFormValues {
  return {
    name: '',
    dataset,
    datasetVersion,
    mode: 'multi-class',
    format: 'auto',
    delimiter: '|',
    textColumn: null,
    labelColumns: [],
    noneLabel: '',
    testSource: 'split',
    testFraction: 0.2,
    seed: 42,
    testDataset: '',
    testDatasetVersion: null,
    wordNgram: ['', ''],
    charNgram: ['', ''],
    minDf: '',
    maxWordFeatures: '',
    maxCharFeatures: '',
    C: '',
    classWeight: 'none',
    maxEpochs: '',
  };
}

/** A model name suggested from a dataset name. */
export function suggestName(dataset: string): string {
  const base = dataset.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 52);
  return base ? `${base}-classifier` : '';
}

export type FormErrors = Partial<Record<keyof ClassifierFormValues | 'wordNgram' | 'charNgram', string>>;

function isInt(v: Num, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function rangeError(r: [Num, Num], maxAllowed: number): string | undefined {
  const [a, b] = r;
  if (a === '' && b === '') return undefined;
  if (!isInt(a, 1, maxAllowed) || !isInt(b, 1, maxAllowed)) return `Give both ends as whole numbers from 1 to ${maxAllowed} (or leave both empty).`;
  if (a > b) return 'The first number must not exceed the second.';
  return undefined;
}

export function validate(v: ClassifierFormValues): FormErrors {
  const e: FormErrors = {};
  if (!v.name.trim()) e.name = 'Name the model.';
  else if (!MODEL_NAME.test(v.name.trim())) e.name = 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.';
  if (!v.dataset) e.dataset = 'Choose the training dataset.';
  if (v.mode === 'multi-label' && v.format !== 'wide-csv' && !DELIMITERS.includes(v.delimiter)) e.delimiter = 'Use one character Comprehend allows, e.g. "|".';
  if (v.testSource === 'split') {
    if (typeof v.testFraction !== 'number' || !(v.testFraction > 0 && v.testFraction < 1)) e.testFraction = 'A fraction between 0 and 1, e.g. 0.2.';
    if (v.seed !== '' && !isInt(v.seed, Number.MIN_SAFE_INTEGER)) e.seed = 'A whole number.';
  } else if (!v.testDataset) e.testDataset = 'Choose the test dataset.';
  const w = rangeError(v.wordNgram, 6);
  if (w) e.wordNgram = w;
  const c = rangeError(v.charNgram, 10);
  if (c) e.charNgram = c;
  if (v.minDf !== '' && !isInt(v.minDf, 1)) e.minDf = 'A whole number ≥ 1.';
  if (v.maxWordFeatures !== '' && !isInt(v.maxWordFeatures, 1)) e.maxWordFeatures = 'A whole number ≥ 1.';
  if (v.maxCharFeatures !== '' && !isInt(v.maxCharFeatures, 1)) e.maxCharFeatures = 'A whole number ≥ 1.';
  if (v.C !== '' && !(typeof v.C === 'number' && v.C > 0)) e.C = 'A positive number.';
  if (v.maxEpochs !== '' && !isInt(v.maxEpochs, 1, 1000)) e.maxEpochs = 'A whole number from 1 to 1000.';
  return e;
}

function range(r: [Num, Num]): [number, number] | undefined {
  return typeof r[0] === 'number' && typeof r[1] === 'number' ? [r[0], r[1]] : undefined;
}

/** The request body: only what differs from the server's defaults or was chosen. */
export function toRequest(v: ClassifierFormValues): TrainRequest {
  const body: TrainRequest = { name: v.name.trim(), dataset: v.dataset, mode: v.mode };
  if (v.datasetVersion) body.datasetVersion = v.datasetVersion;
  if (v.format !== 'auto') body.format = v.format;
  if (v.mode === 'multi-label' && v.format !== 'wide-csv' && v.delimiter !== '|') body.delimiter = v.delimiter;
  if (v.format === 'wide-csv') {
    if (v.textColumn) body.textColumn = v.textColumn;
    if (v.labelColumns.length > 0) body.labelColumns = v.labelColumns;
  }
  if ((v.format === 'wide-csv' || v.format === 'jsonl') && v.noneLabel.trim()) body.noneLabel = v.noneLabel.trim();
  if (v.testSource === 'dataset') {
    body.testDataset = v.testDataset;
    if (v.testDatasetVersion) body.testDatasetVersion = v.testDatasetVersion;
  } else {
    if (typeof v.testFraction === 'number') body.testFraction = v.testFraction;
    if (typeof v.seed === 'number') body.seed = v.seed;
  }
  const options: TrainOptions = {};
  const w = range(v.wordNgram);
  if (w) options.wordNgram = w;
  const c = range(v.charNgram);
  if (c) options.charNgram = c;
  if (v.minDf !== '') options.minDf = v.minDf;
  if (v.maxWordFeatures !== '') options.maxWordFeatures = v.maxWordFeatures;
  if (v.maxCharFeatures !== '') options.maxCharFeatures = v.maxCharFeatures;
  if (v.C !== '') options.C = v.C;
  if (v.classWeight !== 'none') options.classWeight = v.classWeight;
  if (v.maxEpochs !== '') options.maxEpochs = v.maxEpochs;
  if (Object.keys(options).length > 0) body.options = options;
  return body;
}

/** Reads a NumberInput's value ('' or a number; partial text such as "0." stays ''). */
export function numValue(v: string | number): Num {
  if (typeof v === 'number') return Number.isFinite(v) ? v : '';
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : '';
}

export interface SchemaColumn {
  name: string;
  role?: string;
  type?: string;
}

/** Columns of a dataset version's `schema` (defensive: the shape belongs to the datasets domain). */
export function schemaColumns(schema: unknown): SchemaColumn[] {
  const cols = schema && typeof schema === 'object' ? (schema as { columns?: unknown }).columns : undefined;
  if (!Array.isArray(cols)) return [];
  return cols.flatMap((c) => (c && typeof c === 'object' && typeof (c as SchemaColumn).name === 'string' ? [c as SchemaColumn] : []));
}

/** Did the import find a header row? */
export function schemaHasHeader(schema: unknown): boolean {
  return Boolean(schema && typeof schema === 'object' && (schema as { header?: unknown }).header === true);
}

/** Label values joined by "|" (e.g. "toxic|insult") in the stats mean a multi-label dataset. */
export function looksMultiLabel(labels: string[], delimiter = '|'): boolean {
  return labels.some((l) => l.includes(delimiter));
}

export interface DatasetHints {
  format: TextFormat;
  mode: TextMode;
  /** wide-csv: the likely text column. */
  textColumn: string | null;
  /** Label values with counts (comprehend-csv: split on the delimiter), or the 0/1 label columns. */
  labels: Array<{ label: string; count: number }>;
}

interface StatsColumn {
  name?: string;
  role?: string;
  labels?: Array<{ label: string; count: number }>;
}

/** What the dataset version's schema and stats suggest for format, mode and columns. */
export function datasetHints(schema: unknown, stats: unknown, delimiter = '|'): DatasetHints {
  const cols = schemaColumns(schema);
  const statCols: StatsColumn[] = stats && typeof stats === 'object' && Array.isArray((stats as { columns?: unknown }).columns) ? (stats as { columns: StatsColumn[] }).columns : [];
  if (schemaHasHeader(schema) && cols.length >= 3) {
    const text = cols.find((c) => /^(comment_text|text)$/i.test(c.name)) ?? cols.find((c) => c.role === 'text') ?? cols.find((c) => c.type === 'string');
    const labelCols = statCols.filter((c) => c.name !== text?.name && c.labels && c.labels.length > 0 && c.labels.every((l) => l.label === '0' || l.label === '1'));
    const labels = labelCols.map((c) => ({ label: c.name!, count: c.labels!.find((l) => l.label === '1')?.count ?? 0 }));
    return { format: 'wide-csv', mode: 'multi-label', textColumn: text?.name ?? null, labels };
  }
  const labelCol = statCols.find((c) => c.role === 'label' && Array.isArray(c.labels)) ?? statCols.find((c) => Array.isArray(c.labels));
  const raw = labelCol?.labels ?? [];
  const multi = looksMultiLabel(raw.map((l) => l.label), delimiter);
  const counts = new Map<string, number>();
  for (const { label, count } of raw) for (const l of multi ? label.split(delimiter) : [label]) if (l) counts.set(l, (counts.get(l) ?? 0) + count);
  const labels = [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count);
  return { format: 'auto', mode: multi ? 'multi-label' : 'multi-class', textColumn: null, labels };
}

/** The body of POST /text/classifiers/check: the data part of the training request (no name, split or options). */
export function toCheckRequest(v: ClassifierFormValues): TrainingCheckRequest {
  const { name: _n, testFraction: _f, seed: _s, options: _o, ...data } = toRequest({ ...v, name: v.name || 'check' });
  return data;
}

/** The form values a dataset version's hints suggest (the dataset page checks the data with them). */
export function valuesFromHints(dataset: string, version: number, hints: DatasetHints): ClassifierFormValues {
  return { ...initialValues(dataset, version), format: hints.format, mode: hints.mode, textColumn: hints.format === 'wide-csv' ? hints.textColumn : null };
}
