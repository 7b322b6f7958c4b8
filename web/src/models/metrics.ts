/** Pure helpers that read classification metrics and results for the model pages (unit-tested). */
import type { ClassifyResult, ClassScore, LabelMetrics, TextMetrics } from '../api/types.ts';

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A metric in 0..1 shown with three decimals, or an em dash. */
export function formatMetric(v: unknown, digits = 3): string {
  const n = num(v);
  return n === null ? '—' : n.toFixed(digits);
}

export interface MetricRow {
  key: keyof TextMetrics;
  label: string;
  value: number | null;
  hint: string;
}

const OVERALL: Array<{ key: keyof TextMetrics; label: string; hint: string }> = [
  { key: 'accuracy', label: 'Accuracy', hint: 'multi-class: share of documents whose class is right; multi-label: exact match of the whole label set' },
  { key: 'precision_macro', label: 'Macro precision', hint: 'mean over labels of TP / (TP + FP)' },
  { key: 'recall_macro', label: 'Macro recall', hint: 'mean over labels of TP / (TP + FN)' },
  { key: 'macro_f1', label: 'Macro F1', hint: 'mean over labels of F1: every label counts the same' },
  { key: 'micro_precision', label: 'Micro precision', hint: 'TP / (TP + FP) over all decisions' },
  { key: 'micro_recall', label: 'Micro recall', hint: 'TP / (TP + FN) over all decisions' },
  { key: 'micro_f1', label: 'Micro F1', hint: 'F1 over all decisions: frequent labels weigh more' },
  { key: 'hamming_loss', label: 'Hamming loss', hint: 'share of wrong label decisions (lower is better)' },
  { key: 'mean_auc', label: 'Mean AUC', hint: 'mean ROC AUC over labels: how well the scores rank (threshold-free)' },
];

/** The overall metrics present in `m` (hamming loss only for multi-label models). */
export function overallRows(m: TextMetrics | null | undefined): MetricRow[] {
  if (!m) return [];
  return OVERALL.filter((o) => o.key !== 'hamming_loss' || num(m.hamming_loss) !== null).map((o) => ({ ...o, value: num(m[o.key]) }));
}

export interface LabelRow extends LabelMetrics {
  label: string;
}

/** Per-label rows in the model's label order (else the metrics' key order). */
export function perLabelRows(m: TextMetrics | null | undefined, labels?: string[]): LabelRow[] {
  const per = m?.per_label;
  if (!per || typeof per !== 'object') return [];
  const order = (labels ?? m?.labels ?? []).filter((l) => l in per);
  for (const l of Object.keys(per)) if (!order.includes(l)) order.push(l);
  return order.map((label) => ({ label, ...per[label]! }));
}

export interface MatrixCell {
  actual: string;
  predicted: string;
  count: number;
  /** count / actual row total (0 when the row is empty): recall on the diagonal. */
  rowFraction: number;
}

/** Multi-class N×N matrix (rows actual, columns predicted) as cells; null when the shape does not fit. */
export function multiClassCells(matrix: unknown, labels: string[]): MatrixCell[] | null {
  if (!Array.isArray(matrix) || matrix.length !== labels.length || labels.length === 0) return null;
  const cells: MatrixCell[] = [];
  for (let i = 0; i < labels.length; i++) {
    const row = matrix[i] as unknown;
    if (!Array.isArray(row) || row.length !== labels.length || !row.every((v) => num(v) !== null)) return null;
    const total = (row as number[]).reduce((a, b) => a + b, 0);
    for (let j = 0; j < labels.length; j++) {
      const count = row[j] as number;
      cells.push({ actual: labels[i]!, predicted: labels[j]!, count, rowFraction: total > 0 ? count / total : 0 });
    }
  }
  return cells;
}

export interface BinaryMatrix {
  label: string;
  cells: MatrixCell[];
}

/** Multi-label: one [[TN,FP],[FN,TP]] per label → 2×2 cells with actual/predicted "no"/"yes". */
export function multiLabelMatrices(matrix: unknown, labels: string[]): BinaryMatrix[] | null {
  if (!Array.isArray(matrix) || matrix.length !== labels.length || labels.length === 0) return null;
  const out: BinaryMatrix[] = [];
  for (let k = 0; k < labels.length; k++) {
    const m = multiClassCells(matrix[k], ['no', 'yes']);
    if (!m) return null;
    out.push({ label: labels[k]!, cells: m });
  }
  return out;
}

/** Is `matrix` a list of 2×2 matrices (multi-label) rather than one N×N matrix? */
export function isPerLabelMatrix(matrix: unknown): boolean {
  return Array.isArray(matrix) && matrix.length > 0 && Array.isArray(matrix[0]) && Array.isArray((matrix[0] as unknown[])[0]);
}

export interface Scores {
  scores: ClassScore[];
  predicted: string[];
}

/** Scores (highest first) and predicted labels of a ClassifyDocument answer. */
export function readScores(r: ClassifyResult | null | undefined): Scores {
  const list = (r?.Classes ?? r?.Labels ?? []).filter((c) => c && typeof c.Name === 'string' && num(c.Score) !== null);
  const scores = [...list].sort((a, b) => b.Score - a.Score);
  const p = r?.Predicted;
  const predicted = Array.isArray(p) ? p : typeof p === 'string' ? [p] : [];
  return { scores, predicted };
}

const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** An endpoint name derived from a model name (endpoint names allow letters, digits and "-"), not in `taken`. */
export function endpointNameFor(modelName: string, version: number, taken: Iterable<string>): string {
  const used = new Set(taken);
  let base = modelName.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 55) || 'endpoint';
  if (!/^[A-Za-z0-9]/.test(base)) base = `m${base}`;
  for (const candidate of [base, `${base}-v${version}`]) if (!used.has(candidate)) return candidate;
  for (let i = 2; ; i++) {
    const c = `${base}-v${version}-${i}`;
    if (!used.has(c)) return c;
  }
}

export function isValidEndpointName(name: string): boolean {
  return ENDPOINT_NAME.test(name);
}
