/**
 * The cross-label combiner of `text.tune --stack` (issue 18), fitted on out-of-fold logits the tune job already
 * has: per label, one logistic regression over the logits of ALL labels of every base model (Z: rows × (M·L),
 * base m's label k at column m·L + k). Its coefficients A ((M·L + 1) × L, feature-major, bias row last) are the
 * `A` of foldBases (stack.ts), so the tuned model stays one linear model. Cross-fitted scores (each row scored by
 * a combiner fitted on the other folds) are what the thresholds are chosen on: the combiner never scores a row it
 * was fitted on.
 */
import { csrFromDense } from '../sparse/csr.ts';
import { fitLogisticRegression } from '../linear/logreg.ts';
import { fitDenseLogit } from './denseLogit.ts';

/**
 * The exact Newton solver (denseLogit.ts) runs while rows × (features + 1)² × labels — one Newton step's work — stays
 * under this; above it (e.g. GoEmotions: 35k rows × 28 labels, one base or more) the dual solver's bounded passes. Measured on
 * jigsaw-10k (bench/quality.stack.ts, .tmp experiments of issue 18): 15 dual passes left the combiner over every C + NB
 * 0.0013 mean AUC below the optimum on the 8,004-row train part; Newton solves 7 labels × 36 features in ~1 s.
 */
export const NEWTON_BUDGET = 4e8;

/** Probabilities → logits, clamped away from 0 and 1 (float32 scores saturate near ±16). */
export function logitsOf(p: ArrayLike<number>): Float32Array {
  return Float32Array.from(p, (v) => {
    const q = Math.min(Math.max(v, 1e-7), 1 - 1e-7);
    return Math.log(q / (1 - q));
  });
}

/** Z of M bases side by side: rows × (M·L), base m's label k at column m·L + k. */
export function sideBySide(bases: readonly Float32Array[], L: number): Float32Array {
  const M = bases.length, n = bases[0]!.length / L, Z = new Float32Array(n * M * L);
  for (let i = 0; i < n; i++) bases.forEach((b, m) => Z.set(b.subarray(i * L, (i + 1) * L), i * M * L + m * L));
  return Z;
}

/** Z (rows × W) with `extra` (rows × E) appended to each row: E more combiner inputs (e.g. shape features). */
export function withColumns(Z: Float32Array, W: number, extra: Float32Array, E: number): Float32Array {
  const N = Z.length / W, out = new Float32Array(N * (W + E));
  for (let i = 0; i < N; i++) {
    out.set(Z.subarray(i * W, (i + 1) * W), i * (W + E));
    out.set(extra.subarray(i * E, (i + 1) * E), i * (W + E) + W);
  }
  return out;
}

export interface CombinerOptions {
  /** Inverse regularisation (the text option stackC's default is 0.1). */
  C: number;
  seed?: number;
  /**
   * Solver passes and tolerance; default 15 and 0.05, the stacked text model's combiner settings (stackFit.ts): the
   * dual solver costs one pass over rows × (M·L) per label, ~0.9 s a pass on GoEmotions' 35k rows × 56 × 28 labels.
   */
  maxEpochs?: number;
  tol?: number;
  /** 'auto' (default): Newton within NEWTON_BUDGET, else the dual solver; 'newton' / 'dual' force one. */
  solver?: 'auto' | 'newton' | 'dual';
}

/** The combiner A ((W + 1) × L, bias row last, intercept scaling 1) fitted on Z's rows `rows` (all when omitted). */
export function fitCombiner(Z: Float32Array, Y: Uint8Array, L: number, o: CombinerOptions, rows?: readonly number[]): Float32Array {
  const N = Y.length / L, W = Z.length / N, nRows = rows?.length ?? N;
  const solver = o.solver ?? 'auto';
  if (solver === 'newton' || (solver === 'auto' && nRows * (W + 1) ** 2 * L <= NEWTON_BUDGET)) {
    const ids = rows ?? Array.from({ length: N }, (_, i) => i), cols = Array.from({ length: W }, (_, c) => c), A = new Float32Array((W + 1) * L);
    const y = new Uint8Array(N);
    for (let j = 0; j < L; j++) {
      for (let i = 0; i < N; i++) y[i] = Y[i * L + j]!;
      fitDenseLogit(Z, W, y, o.C, ids, cols).forEach((v, c) => (A[c * L + j] = v));
    }
    return A;
  }
  let Zr = Z, Yr = Y;
  if (rows) {
    Zr = new Float32Array(rows.length * W);
    Yr = new Uint8Array(rows.length * L);
    rows.forEach((i, r) => {
      Zr.set(Z.subarray(i * W, (i + 1) * W), r * W);
      Yr.set(Y.subarray(i * L, (i + 1) * L), r * L);
    });
  }
  const { model } = fitLogisticRegression(csrFromDense(Zr, Zr.length / W, W), Yr, L, { C: o.C, maxEpochs: o.maxEpochs ?? 15, tol: o.tol ?? 0.05, seed: o.seed ?? 0, interceptScaling: 1 });
  return model.weights;
}

/** Combined logits of Z's rows `rows` (all when omitted): rows × L. */
export function applyCombiner(Z: Float32Array, A: Float32Array, L: number, rows?: readonly number[]): Float32Array {
  const W = A.length / L - 1, ids = rows ?? Array.from({ length: Z.length / W }, (_, i) => i), out = new Float32Array(ids.length * L);
  ids.forEach((i, r) => {
    for (let j = 0; j < L; j++) {
      let s = A[W * L + j]!;
      for (let c = 0; c < W; c++) s += A[c * L + j]! * Z[i * W + c]!;
      out[r * L + j] = s;
    }
  });
  return out;
}

/**
 * Cross-fitted combiner probabilities over `rows` (all when omitted): the rows of fold f are scored by a combiner
 * fitted on the rows of the other folds. Returned in `rows` order, rows × L.
 */
export function crossFitCombiner(Z: Float32Array, Y: Uint8Array, L: number, folds: Int32Array, k: number, o: CombinerOptions, rows?: readonly number[]): Float32Array {
  const ids = rows ?? Array.from({ length: folds.length }, (_, i) => i), out = new Float32Array(ids.length * L);
  for (let f = 0; f < k; f++) {
    const fit: number[] = [], pos: number[] = [];
    ids.forEach((i, r) => (folds[i] === f ? pos.push(r) : fit.push(i)));
    if (pos.length === 0) continue;
    const z = applyCombiner(Z, fitCombiner(Z, Y, L, o, fit), L, pos.map((r) => ids[r]!));
    pos.forEach((r, q) => {
      for (let j = 0; j < L; j++) out[r * L + j] = 1 / (1 + Math.exp(-z[q * L + j]!));
    });
  }
  return out;
}
