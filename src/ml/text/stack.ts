/**
 * Model-side quality gains that keep scoring cost unchanged (issue 18): an NB-weighted word model and a stacked
 * per-label combiner, both folded into ONE linear model over the same feature blocks.
 *
 * - NB weighting (NB-LR, Wang & Manning 2012 as used on Jigsaw): per label l, the log-count ratio
 *   r_l = log((p/‖p‖₁) / (q/‖q‖₁)) with p = α + Σ_{y=1} x, q = α + Σ_{y=0} x over the word tf-idf block; a binary
 *   logistic regression is fitted on x ⊙ r_l. Its weights times r_l are weights on x itself, so the ratio folds
 *   into the stored weights.
 * - Stacking: the base logits (the word+char model's and the NB model's, every label) of rows the base models did
 *   not see (inner k-fold) are the features of one small logistic regression per label, which learns how much
 *   each base model and each *other* label says about the label (e.g. severe_toxic from toxic). Logits are linear
 *   in x, so the combiner folds into the weights too: w'_j = Σ_k a_kj w_k, b'_j = Σ_k a_kj b_k + c_j.
 */
import { csrFromDense, sliceRows, type Csr } from '../sparse/csr.ts';
import { decisionFunction, fitLogisticRegression, type ClassWeight, type FitInfo, type LinearModel } from '../linear/logreg.ts';
import { mulberry32, permutation } from '../split/prng.ts';

export interface StackOptions {
  C: number;
  classWeight: ClassWeight;
  maxEpochs: number;
  tol: number;
  seed: number;
  /** Index of the word block in `blocks` (the NB model's features), or -1 for no NB model. */
  nbBlock: number;
  /** Inner folds for the combiner's training scores; 0 = no combiner (base logits are averaged). */
  stackFolds: number;
  /** Inverse regularisation of the combiner. */
  stackC: number;
  /**
   * true: refit the base models on all rows after the inner folds (about stackFolds + 1 fits); false: the base
   * models are the average of the inner folds' models (bagging; stackFolds − 1 data-equivalents of fitting).
   */
  stackRefit: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

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

/** One binary NB-LR per label on X ⊙ r_l; returned weights are already multiplied by r (they score X directly). */
export function fitNbModel(X: Csr, Y: Uint8Array, L: number, o: Pick<StackOptions, 'C' | 'classWeight' | 'maxEpochs' | 'tol' | 'seed' | 'signal'>): LinearModel {
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

interface BaseModels {
  full: LinearModel;
  nb: LinearModel | null;
  info: FitInfo;
}

function fitBases(blocks: readonly Csr[], Y: Uint8Array, L: number, o: StackOptions): BaseModels {
  const { model: full, info } = fitLogisticRegression(blocks, Y, L, { C: o.C, classWeight: o.classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, signal: o.signal });
  const nb = o.nbBlock >= 0 ? fitNbModel(blocks[o.nbBlock]!, Y, L, o) : null;
  return { full, nb, info };
}

/** Base logits rows × (L · nBases): the full model's labels first, then the NB model's. */
function baseLogits(bases: BaseModels, blocks: readonly Csr[], nbBlock: number): { Z: Float32Array; width: number } {
  const a = decisionFunction(bases.full, blocks), L = bases.full.nLabels, n = blocks[0]!.nRows;
  if (!bases.nb) return { Z: a, width: L };
  const b = decisionFunction(bases.nb, blocks[nbBlock]!), Z = new Float32Array(n * 2 * L);
  for (let i = 0; i < n; i++) {
    Z.set(a.subarray(i * L, (i + 1) * L), i * 2 * L);
    Z.set(b.subarray(i * L, (i + 1) * L), i * 2 * L + L);
  }
  return { Z, width: 2 * L };
}

/**
 * Folds base models and a combiner A ((width + 1) × L feature-major, last row = bias, interceptScaling 1) into one
 * linear model over all blocks. Without a combiner the base logits are averaged.
 */
export function foldModels(bases: Omit<BaseModels, 'info'>, blockWidths: readonly number[], nbBlock: number, A: Float32Array | null): LinearModel {
  const L = bases.full.nLabels, d = bases.full.nFeatures, M = bases.nb ? 2 : 1, width = M * L;
  const coef = A ?? averaging(L, M);
  const W = new Float32Array((d + 1) * L);
  const nbFrom = blockWidths.slice(0, Math.max(nbBlock, 0)).reduce((s, w) => s + w, 0);
  const wf = bases.full.weights, wn = bases.nb?.weights;
  const row = new Float64Array(L);
  for (let f = 0; f <= d; f++) {
    row.fill(0);
    const bias = f === d, scaleF = bias ? bases.full.interceptScaling : 1;
    for (let k = 0; k < L; k++) {
      const v = wf[f * L + k]! * scaleF;
      if (v !== 0) for (let j = 0; j < L; j++) row[j] += coef[k * L + j]! * v;
    }
    if (wn) {
      const g = bias ? bases.nb!.nFeatures : f - nbFrom;
      if (bias || (g >= 0 && g < bases.nb!.nFeatures)) {
        for (let k = 0; k < L; k++) {
          const v = wn[g * L + k]!;
          if (v !== 0) for (let j = 0; j < L; j++) row[j] += coef[(L + k) * L + j]! * v;
        }
      }
    }
    if (bias) for (let j = 0; j < L; j++) row[j] += coef[width * L + j]!;
    for (let j = 0; j < L; j++) W[f * L + j] = row[j]!;
  }
  return { nFeatures: d, nLabels: L, weights: W, interceptScaling: 1 };
}

/** acc + s · m, weight by weight (bagging the inner folds' models); the fit info is the last model's. */
function addScaled(acc: BaseModels | null, m: BaseModels, s: number): BaseModels {
  const scale = (x: LinearModel): LinearModel => {
    const w = Float32Array.from(x.weights, (v) => v * s), d = x.nFeatures, L = x.nLabels;
    for (let j = 0; j < L; j++) w[d * L + j]! *= x.interceptScaling;
    return { ...x, weights: w, interceptScaling: 1 };
  };
  const add = (a: LinearModel, b: LinearModel): LinearModel => {
    const c = scale(b);
    for (let i = 0; i < c.weights.length; i++) c.weights[i]! += a.weights[i]!;
    return c;
  };
  if (!acc) return { full: scale(m.full), nb: m.nb && scale(m.nb), info: m.info };
  return { full: add(acc.full, m.full), nb: acc.nb && m.nb && add(acc.nb, m.nb), info: m.info };
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

/** The base models (and, with stackFolds ≥ 2, the combiner fitted on their inner out-of-fold logits) as one model. */
export function fitStackedModel(blocks: readonly Csr[], Y: Uint8Array, L: number, o: StackOptions): { model: LinearModel; info: FitInfo } {
  const n = blocks[0]!.nRows, k = o.stackFolds, steps = k >= 2 ? k + 1 : 1;
  let step = 0;
  const tick = () => o.onProgress?.(++step / steps);
  let A: Float32Array | null = null, bag: BaseModels | null = null;
  if (k >= 2) {
    const folds = innerFolds(n, k, o.seed);
    let Z: Float32Array | null = null, width = 0;
    for (let f = 0; f < k; f++) {
      const tr: number[] = [], te: number[] = [];
      for (let i = 0; i < n; i++) (folds[i] === f ? te : tr).push(i);
      const Ytr = new Uint8Array(tr.length * L);
      tr.forEach((i, r) => Ytr.set(Y.subarray(i * L, (i + 1) * L), r * L));
      const bases = fitBases(blocks.map((b) => sliceRows(b, tr)), Ytr, L, o);
      const z = baseLogits(bases, blocks.map((b) => sliceRows(b, te)), o.nbBlock);
      width = z.width;
      if (!o.stackRefit) bag = addScaled(bag, bases, 1 / k);
      Z ??= new Float32Array(n * width);
      te.forEach((i, r) => Z!.set(z.Z.subarray(r * width, (r + 1) * width), i * width));
      tick();
    }
    const fit = fitLogisticRegression(csrFromDense(Z!, n, width), Y, L, { C: o.stackC, maxEpochs: 15, tol: 0.05, seed: o.seed, signal: o.signal });
    A = fit.model.weights; // (width + 1) × L, bias row last with interceptScaling 1
  }
  const bases = bag ?? fitBases(blocks, Y, L, o);
  tick();
  return { model: foldModels(bases, blocks.map((b) => b.nCols), o.nbBlock, A), info: bases.info };
}
