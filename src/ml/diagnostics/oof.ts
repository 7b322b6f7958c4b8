/**
 * Out-of-fold scores: every row is scored by a model that never saw it. Rows are dealt to k folds (iterative
 * stratification for multi-label, stratified k-fold for multi-class, both seeded); for each fold the caller's
 * `fitPredict` trains on the other folds and scores the held-out rows. The result has the same rows × labels shape
 * as the input, so threshold tuning and noisy-label ranking run on it like on any "scores + truth" pair.
 */
import { foldIndices, stratifiedKFold } from '../split/stratified.ts';
import { iterativeStratifiedKFold } from '../split/iterative.ts';

export type QualityMode = 'multi-class' | 'multi-label';

/** Fold number (0..k-1) per row. Multi-class rows use their first label as the class. */
export function kFoldAssignment(labels: readonly (readonly number[])[], mode: QualityMode, k: number, seed = 0): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`folds: k must be an integer ≥ 2, got ${k}`);
  if (labels.length < k) throw new Error(`folds: ${labels.length} rows cannot make ${k} folds; use fewer folds or more rows`);
  return mode === 'multi-label'
    ? iterativeStratifiedKFold(labels as number[][], k, seed)
    : stratifiedKFold(labels.map((l) => l[0] ?? -1), k, seed);
}

export interface OutOfFoldInput {
  nRows: number;
  nLabels: number;
  folds: Int32Array;
  k: number;
  /** Trains on `train` rows and returns rows × labels scores for the `test` rows (in `test` order). */
  fitPredict(train: Int32Array, test: Int32Array, fold: number): Float32Array | Promise<Float32Array>;
  /** Called after each fold with the number of folds done. */
  onFold?(done: number, k: number): void | Promise<void>;
  signal?: AbortSignal;
}

export async function outOfFoldScores(input: OutOfFoldInput): Promise<Float32Array> {
  const { nRows, nLabels, folds, k } = input;
  if (folds.length !== nRows) throw new Error(`outOfFoldScores: ${folds.length} fold numbers for ${nRows} rows`);
  const out = new Float32Array(nRows * nLabels);
  for (let f = 0; f < k; f++) {
    input.signal?.throwIfAborted();
    const { train, test } = foldIndices(folds, f);
    if (test.length === 0) continue;
    const s = await input.fitPredict(train, test, f);
    if (s.length !== test.length * nLabels) throw new Error(`outOfFoldScores: fold ${f} returned ${s.length} scores, expected ${test.length * nLabels}`);
    for (let r = 0; r < test.length; r++) out.set(s.subarray(r * nLabels, (r + 1) * nLabels), test[r] * nLabels);
    await input.onFold?.(f + 1, k);
  }
  return out;
}
