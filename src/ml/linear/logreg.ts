/**
 * L2-regularised logistic regression by dual coordinate descent — liblinear's `solve_l2r_lr_dual`
 * (Yu, Huang & Lin 2011, "Dual coordinate descent methods for logistic regression and maximum entropy models").
 * It minimises ½‖w‖² + Σᵢ Cᵢ log(1 + exp(−yᵢ wᵀxᵢ)), the problem scikit-learn's
 * LogisticRegression(solver='liblinear') solves, with the intercept fitted as a regularised feature of
 * constant value `interceptScaling` (liblinear's bias term; sklearn's intercept_ = interceptScaling × w_bias).
 *
 * One-vs-rest over all labels at once: each pass over the (shuffled) rows computes the dot products of a row with
 * every label's weights together and updates them together, so a row's features are looked up once per pass
 * instead of once per label. Weights are feature-major float32 (weights[feature * nLabels + label]), which keeps
 * a row's reads and writes for all labels on adjacent memory.
 *
 * Multi-class uses the same one-vs-rest fit; probabilities are the per-class sigmoids normalised to sum to 1,
 * as sklearn's liblinear/ovr predict_proba does (no softmax fit).
 */
import type { Csr } from '../sparse/csr.ts';
import { asBlocks, blockViews, dotRow, paddedStride } from './kernels.ts';
import { solveDual, type FitInfo } from './dualSolver.ts';
import { bytesF32, f32Bytes, packSections, unpackSections } from '../serialize.ts';

export type ClassMode = 'multi-label' | 'multi-class';
export type ClassWeight = 'none' | 'balanced';

export interface LogRegOptions {
  /** Inverse regularisation strength (> 0). Default 4. */
  C?: number;
  /**
   * Per-label C (length nLabels) in place of C: each label's binary problem is independent, so this is the same
   * as fitting each label alone at its own C (e.g. C chosen per label by inner cross-validation).
   */
  labelC?: ArrayLike<number>;
  /** Per-label class weights (length nLabels) in place of classWeight; independent per label like labelC. */
  labelClassWeight?: readonly ClassWeight[];
  /** 'balanced': per label, positives weigh n/(2·#pos) and negatives n/(2·#neg) (sklearn's formula for each binary problem). */
  classWeight?: ClassWeight;
  /** Passes over the data at most. Default 10. */
  maxEpochs?: number;
  /** Stop when every label's largest dual projected gradient is below tol (liblinear's criterion). Default 0.1. */
  tol?: number;
  /** Seed of the row order shuffle. Default 0. */
  seed?: number;
  /** Value of the constant intercept feature; 0 fits no intercept. Default 1 (sklearn's intercept_scaling). */
  interceptScaling?: number;
  /** Fraction of maxEpochs done, at each epoch's end and every 4,096 rows. */
  onProgress?: (fraction: number) => void;
  /** Checked every 4,096 rows and at each epoch's start; throws an Error named 'AbortError'. */
  signal?: AbortSignal;
}

export interface LinearModel {
  nFeatures: number;
  nLabels: number;
  /** (nFeatures + 1) × nLabels, feature-major; row nFeatures is the bias weight (times interceptScaling). */
  weights: Float32Array;
  interceptScaling: number;
}

export type { FitInfo } from './dualSolver.ts';

export const LOGREG_DEFAULTS = { C: 4, classWeight: 'none' as ClassWeight, maxEpochs: 10, tol: 0.1, seed: 0, interceptScaling: 1 };

/**
 * Fits one binary logistic regression per label; Y is rows × labels with 1 for positive. X may be given as column
 * blocks (e.g. word and char tf-idf) that are used in place — no hstack copy.
 */
export function fitLogisticRegression(X: Csr | readonly Csr[], Y: Uint8Array, nLabels: number, options: LogRegOptions = {}): { model: LinearModel; info: FitInfo } {
  const o = { ...LOGREG_DEFAULTS, ...options };
  const blocks = asBlocks(X);
  const n = blocks[0].nRows, d = blocks.reduce((a, b) => a + b.nCols, 0), L = nLabels;
  if (Y.length !== n * L) throw new Error(`logistic regression: Y has ${Y.length} entries, expected ${n} × ${L}`);
  if (!(o.C > 0) || !Number.isFinite(o.C)) throw new Error(`logistic regression: C must be a positive number, got ${o.C}`);
  const labelC = Float64Array.from({ length: L }, (_, l) => (o.labelC ? o.labelC[l]! : o.C));
  if (o.labelC && o.labelC.length !== L) throw new Error(`logistic regression: labelC has ${o.labelC.length} values, expected one per label (${L})`);
  labelC.forEach((c, l) => {
    if (!(c > 0) || !Number.isFinite(c)) throw new Error(`logistic regression: labelC[${l}] must be a positive number, got ${c}`);
  });
  const Cpos = Float64Array.from(labelC), Cneg = Float64Array.from(labelC);
  if (o.labelClassWeight && o.labelClassWeight.length !== L) throw new Error(`logistic regression: labelClassWeight has ${o.labelClassWeight.length} values, expected one per label (${L})`);
  for (let l = 0; l < L; l++) {
    if ((o.labelClassWeight ? o.labelClassWeight[l] : o.classWeight) === 'balanced') {
      let pos = 0;
      for (let i = 0; i < n; i++) pos += Y[i * L + l];
      if (pos > 0) Cpos[l] = (labelC[l]! * n) / (2 * pos);
      if (pos < n) Cneg[l] = (labelC[l]! * n) / (2 * (n - pos));
    }
  }
  const W = new Float32Array((d + 1) * L);
  const info = solveDual(blocks, Y, L, W, Cpos, Cneg, o);
  return { model: { nFeatures: d, nLabels: L, weights: W, interceptScaling: o.interceptScaling }, info };
}

/** Weights re-laid with the kernels' padded label stride, built once per model (prediction speed). */
const padded = new WeakMap<Float32Array, Float32Array>();
function paddedWeights(model: LinearModel): Float32Array {
  const L = model.nLabels, S = paddedStride(L);
  if (S === L) return model.weights;
  let W = padded.get(model.weights);
  if (!W) {
    W = new Float32Array((model.nFeatures + 1) * S);
    for (let f = 0; f <= model.nFeatures; f++) for (let l = 0; l < L; l++) W[f * S + l] = model.weights[f * L + l];
    padded.set(model.weights, W);
  }
  return W;
}

/**
 * Raw scores wᵀx + b, rows × labels. X may be given as column blocks (e.g. word and char tf-idf) whose widths
 * add up to nFeatures: scoring them in place avoids building their hstack.
 */
export function decisionFunction(model: LinearModel, X: Csr | readonly Csr[]): Float32Array {
  const blocks = asBlocks(X);
  const L = model.nLabels, S = paddedStride(L), width = Math.min(S, 8), W = paddedWeights(model);
  const biasRow = model.nFeatures * S, bias = model.interceptScaling, nRows = blocks[0].nRows;
  const widthSum = blocks.reduce((a, b) => a + b.nCols, 0);
  if (widthSum !== model.nFeatures) throw new Error(`decisionFunction: X has ${widthSum} columns, model has ${model.nFeatures} features`);
  const out = new Float32Array(nRows * L), acc = new Float64Array(S), tmp = new Float64Array(S);
  const views = blockViews(W, S, blocks);
  for (let i = 0; i < nRows; i++) {
    dotRow(blocks, views, S, width, i, acc, tmp);
    for (let l = 0; l < L; l++) out[i * L + l] = acc[l] + W[biasRow + l] * bias;
  }
  return out;
}

/** Probabilities rows × labels: independent sigmoids (multi-label) or sigmoids normalised per row (multi-class). */
export function predictProba(model: LinearModel, X: Csr | readonly Csr[], mode: ClassMode): Float32Array {
  const out = decisionFunction(model, X), L = model.nLabels, nRows = out.length / L;
  for (let k = 0; k < out.length; k++) out[k] = 1 / (1 + Math.exp(-out[k]));
  if (mode === 'multi-class') {
    for (let i = 0; i < nRows; i++) {
      let s = 0;
      for (let l = 0; l < L; l++) s += out[i * L + l];
      if (s > 0) for (let l = 0; l < L; l++) out[i * L + l] /= s;
    }
  }
  return out;
}

/** sklearn-layout coefficients: coef[label][feature] and intercept[label] (intercept = interceptScaling × bias weight). */
export function coefficients(model: LinearModel): { coef: Float64Array[]; intercept: Float64Array } {
  const L = model.nLabels, d = model.nFeatures;
  const coef = Array.from({ length: L }, () => new Float64Array(d)), intercept = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    for (let f = 0; f < d; f++) coef[l][f] = model.weights[f * L + l];
    intercept[l] = model.weights[d * L + l] * model.interceptScaling;
  }
  return { coef, intercept };
}

/** Compact binary form of a linear model (header + float32 weights). */
export function serializeLinearModel(model: LinearModel): Buffer {
  const { nFeatures, nLabels, interceptScaling } = model;
  return packSections({ kind: 'linear-model', nFeatures, nLabels, interceptScaling }, { weights: f32Bytes(model.weights) });
}

export function deserializeLinearModel(buf: Uint8Array): LinearModel {
  const { header: h, section } = unpackSections(buf, 'linear model');
  if (h.kind !== 'linear-model') throw new Error(`linear model: the file holds a ${String(h.kind)}, not a linear model`);
  const nFeatures = h.nFeatures as number, nLabels = h.nLabels as number, weights = bytesF32(section('weights'));
  if (weights.length !== (nFeatures + 1) * nLabels) throw new Error('linear model: weight section size does not match the header');
  return { nFeatures, nLabels, interceptScaling: h.interceptScaling as number, weights };
}
