/**
 * Training-set resampling for quality experiments (seeded, so a sweep is repeatable):
 * - `resamplePositives`: one label's positives limited (a seeded subsample) or augmented (duplicates, dealt
 *   round-robin over a seeded order) to exactly n, every other row kept. Subsamples are nested: the rows kept
 *   for n = 10 are among those kept for n = 25.
 * - `nestedFractions`: training subsets for a learning curve, stratified through k-fold assignment and nested
 *   (the 20 % subset contains the 10 % one).
 */
import { mulberry32, permutation } from '../split/prng.ts';
import { kFoldAssignment, type QualityMode } from './oof.ts';

export interface Resampled {
  /** Row indices to train on (duplicates allowed), ascending. */
  rows: Int32Array;
  /** Distinct positive rows used. */
  uniquePositives: number;
  /** Positive rows including duplicates. */
  positives: number;
  /** Positives available before resampling. */
  available: number;
}

export function resamplePositives(rows: ArrayLike<number>, labels: readonly (readonly number[])[], label: number, n: number, options: { duplicate: boolean; seed?: number }): Resampled {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`resamplePositives: n must be an integer ≥ 1, got ${n}`);
  const pos: number[] = [], neg: number[] = [];
  for (let k = 0; k < rows.length; k++) (labels[rows[k]].includes(label) ? pos : neg).push(rows[k]);
  const order = Array.from(permutation(pos.length, mulberry32(options.seed ?? 0)), (i) => pos[i]);
  const chosen = order.slice(0, Math.min(n, order.length));
  if (n > order.length && options.duplicate && order.length > 0) for (let k = order.length; k < n; k++) chosen.push(order[k % order.length]);
  const out = Int32Array.from([...neg, ...chosen]).sort();
  return { rows: out, uniquePositives: Math.min(n, order.length), positives: chosen.length, available: pos.length };
}

/** One subset per fraction (0 < f ≤ 1), as ascending row indices into `labels`. */
export function nestedFractions(labels: readonly (readonly number[])[], mode: QualityMode, fractions: readonly number[], seed = 0): Int32Array[] {
  const n = labels.length;
  for (const f of fractions) if (!(f > 0 && f <= 1)) throw new Error(`fractions: each must be in (0, 1], got ${f}`);
  const k = Math.min(10, n);
  const folds = k >= 2 ? kFoldAssignment(labels, mode, k, seed) : new Int32Array(n);
  const tie = permutation(n, mulberry32(seed + 1));
  const rank = new Int32Array(n);
  tie.forEach((row, r) => (rank[row] = r));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => folds[a] - folds[b] || rank[a] - rank[b]);
  return fractions.map((f) => Int32Array.from(order.slice(0, Math.max(1, Math.ceil(f * n - 1e-9)))).sort());
}
