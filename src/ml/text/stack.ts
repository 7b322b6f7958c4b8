/**
 * Model-side quality gains that keep scoring cost unchanged (issue 18): an NB-weighted word model, separate word
 * and char models and a stacked per-label combiner, all folded into ONE linear model over the same feature blocks.
 *
 * - NB weighting (NB-LR, Wang & Manning 2012 as used on Jigsaw): per label l, the log-count ratio
 *   r_l = log((p/‖p‖₁) / (q/‖q‖₁)) with p = α + Σ_{y=1} x, q = α + Σ_{y=0} x over the word tf-idf block; a binary
 *   logistic regression is fitted on x ⊙ r_l. Its weights times r_l are weights on x itself, so the ratio folds
 *   into the stored weights.
 * - Stacking: the base logits (every base model's, every label) of rows the base models did not see (inner
 *   k-fold) are the features of one small logistic regression per label, which learns how much each base model
 *   and each *other* label says about the label (e.g. severe_toxic from toxic) — with word-only and char-only
 *   bases that is a per-label word/char blend chosen on out-of-fold scores. Logits are linear in x, so the
 *   combiner folds into the weights too: w'_j = Σ_k a_kj w_k, b'_j = Σ_k a_kj b_k + c_j.
 * The fitting itself (folds × bases as independent tasks, on worker threads) is in stackFit.ts.
 */
import type { Csr } from '../sparse/csr.ts';
import { fitLogisticRegression, type ClassWeight, type LinearModel } from '../linear/logreg.ts';
import { mulberry32, permutation } from '../split/prng.ts';

/** Log-count ratios, feature-major (r[f * L + l]), with Laplace smoothing α (NB-SVM's default 1). */
export function nbRatios(X: Csr, Y: Uint8Array, L: number, alpha = 1): Float32Array {
  const d = X.nCols, p = new Float64Array(d * L).fill(alpha), q = new Float64Array(d * L).fill(alpha);
  for (let i = 0; i < X.nRows; i++) {
    for (let k = X.indptr[i]; k < X.indptr[i + 1]; k++) {
      const f = X.indices[k] * L, v = X.data[k];
      for (let l = 0; l < L; l++) (Y[i * L + l] ? p : q)[f + l] += v;
    }
  }
  const ps = new Float64Array(L), qs = new Float64Array(L);
  for (let f = 0; f < d; f++) for (let l = 0; l < L; l++) { ps[l] += p[f * L + l]; qs[l] += q[f * L + l]; }
  const r = new Float32Array(d * L);
  for (let f = 0; f < d; f++) for (let l = 0; l < L; l++) r[f * L + l] = Math.log(p[f * L + l] / ps[l] / (q[f * L + l] / qs[l]));
  return r;
}

export interface BaseFitOptions {
  C: number;
  classWeight: ClassWeight;
  maxEpochs: number;
  tol: number;
  seed: number;
  signal?: AbortSignal;
}

/** One binary NB-LR per label on X ⊙ r_l; returned weights are already multiplied by r (they score X directly). */
export function fitNbModel(X: Csr, Y: Uint8Array, L: number, o: BaseFitOptions): LinearModel {
  const r = nbRatios(X, Y, L), d = X.nCols, n = X.nRows;
  const weights = new Float32Array((d + 1) * L), y = new Uint8Array(n), data = new Float32Array(X.data.length);
  for (let l = 0; l < L; l++) {
    for (let k = 0; k < data.length; k++) data[k] = X.data[k] * r[X.indices[k] * L + l];
    for (let i = 0; i < n; i++) y[i] = Y[i * L + l];
    const { model } = fitLogisticRegression({ ...X, data }, y, 1, { C: o.C, classWeight: o.classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, signal: o.signal });
    for (let f = 0; f < d; f++) weights[f * L + l] = model.weights[f] * r[f * L + l];
    weights[d * L + l] = model.weights[d] * model.interceptScaling;
  }
  return { nFeatures: d, nLabels: L, weights, interceptScaling: 1 };
}

/** A base model over the feature columns [from, from + model.nFeatures) of the full feature space. */
export interface PlacedModel {
  model: LinearModel;
  from: number;
}

/**
 * Folds base models and a combiner A ((nBases·L + 1) × L feature-major, last row = bias, interceptScaling 1) into
 * one linear model over all d features. Without a combiner the base logits are averaged.
 */
export function foldBases(bases: readonly PlacedModel[], d: number, A: Float32Array | null): LinearModel {
  const L = bases[0]!.model.nLabels, M = bases.length, width = M * L;
  const coef = A ?? averaging(L, M);
  const W = new Float32Array((d + 1) * L);
  const row = new Float64Array(L);
  for (let f = 0; f <= d; f++) {
    row.fill(0);
    const bias = f === d;
    for (let m = 0; m < M; m++) {
      const { model, from } = bases[m]!, g = bias ? model.nFeatures : f - from;
      if (!bias && (g < 0 || g >= model.nFeatures)) continue;
      const scale = bias ? model.interceptScaling : 1, w = model.weights;
      for (let k = 0; k < L; k++) {
        const v = w[g * L + k]! * scale;
        if (v !== 0) for (let j = 0; j < L; j++) row[j] += coef[(m * L + k) * L + j]! * v;
      }
    }
    if (bias) for (let j = 0; j < L; j++) row[j] += coef[width * L + j]!;
    for (let j = 0; j < L; j++) W[f * L + j] = row[j]!;
  }
  return { nFeatures: d, nLabels: L, weights: W, interceptScaling: 1 };
}

/** The two-base case (a word+char model and an NB model over block nbBlock) of foldBases. */
export function foldModels(bases: { full: LinearModel; nb: LinearModel | null }, blockWidths: readonly number[], nbBlock: number, A: Float32Array | null): LinearModel {
  const nbFrom = blockWidths.slice(0, Math.max(nbBlock, 0)).reduce((s, w) => s + w, 0);
  const placed: PlacedModel[] = [{ model: bases.full, from: 0 }];
  if (bases.nb) placed.push({ model: bases.nb, from: nbFrom });
  return foldBases(placed, bases.full.nFeatures, A);
}

/** The model's weights times s with the intercept scaling folded in (bagging the inner folds' models). */
export function scaledModel(x: LinearModel, s: number): LinearModel {
  const w = Float32Array.from(x.weights, (v) => v * s), d = x.nFeatures, L = x.nLabels;
  for (let j = 0; j < L; j++) w[d * L + j]! *= x.interceptScaling;
  return { ...x, weights: w, interceptScaling: 1 };
}

/** acc += s · m, weight by weight (acc has interceptScaling 1). */
export function addScaledInto(acc: LinearModel, m: LinearModel, s: number): void {
  const c = scaledModel(m, s);
  for (let i = 0; i < c.weights.length; i++) acc.weights[i]! += c.weights[i]!;
}

function averaging(L: number, M: number): Float32Array {
  const A = new Float32Array((M * L + 1) * L);
  for (let m = 0; m < M; m++) for (let j = 0; j < L; j++) A[(m * L + j) * L + j] = 1 / M;
  return A;
}

/** Seeded fold number per row: a random permutation dealt round-robin (cheap; every fold gets ⌊n/k⌋ or ⌈n/k⌉ rows). */
export function innerFolds(n: number, k: number, seed: number): Int32Array {
  const order = permutation(n, mulberry32(seed ^ 0x5eed)), folds = new Int32Array(n);
  for (let p = 0; p < n; p++) folds[order[p]!] = p % k;
  return folds;
}
