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
import { rowSquaredNorms } from '../sparse/csr.ts';
import { mulberry32 } from '../split/prng.ts';
import { axpyBlock, dotBlock, paddedStride } from './kernels.ts';
import { bytesF32, f32Bytes, packSections, unpackSections } from '../serialize.ts';

export type ClassMode = 'multi-label' | 'multi-class';
export type ClassWeight = 'none' | 'balanced';

export interface LogRegOptions {
  /** Inverse regularisation strength (> 0). Default 4. */
  C?: number;
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

export interface FitInfo {
  epochs: number;
  converged: boolean;
  /** Largest projected-gradient magnitude of the last pass (over labels). */
  maxViolation: number;
}

export const LOGREG_DEFAULTS = { C: 4, classWeight: 'none' as ClassWeight, maxEpochs: 10, tol: 0.1, seed: 0, interceptScaling: 1 };

function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

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
  const Cpos = new Float64Array(L).fill(o.C), Cneg = new Float64Array(L).fill(o.C);
  if (o.classWeight === 'balanced') {
    for (let l = 0; l < L; l++) {
      let pos = 0;
      for (let i = 0; i < n; i++) pos += Y[i * L + l];
      if (pos > 0) Cpos[l] = (o.C * n) / (2 * pos);
      if (pos < n) Cneg[l] = (o.C * n) / (2 * (n - pos));
    }
  }
  const W = new Float32Array((d + 1) * L);
  const info = solveDual(blocks, Y, L, W, Cpos, Cneg, o);
  return { model: { nFeatures: d, nLabels: L, weights: W, interceptScaling: o.interceptScaling }, info };
}

function asBlocks(X: Csr | readonly Csr[]): readonly Csr[] {
  const blocks = Array.isArray(X) ? (X as readonly Csr[]) : [X as Csr];
  if (blocks.length === 0) throw new Error('logistic regression: no feature blocks');
  for (const B of blocks) if (B.nRows !== blocks[0].nRows) throw new Error(`logistic regression: blocks have ${blocks[0].nRows} and ${B.nRows} rows`);
  return blocks;
}

/** Views of W where block b's weights start (after the widths of the blocks before it). */
function blockViews(W: Float32Array, S: number, blocks: readonly Csr[]): Float32Array[] {
  let offset = 0;
  return blocks.map((B) => { const v = W.subarray(offset * S); offset += B.nCols; return v; });
}

/** acc[0..S) = Σ over blocks of the row's dot products with every label's weights. */
function dotRow(blocks: readonly Csr[], views: Float32Array[], S: number, width: number, i: number, acc: Float64Array, tmp: Float64Array): void {
  for (let b = 0; b < blocks.length; b++) {
    const B = blocks[b], out = b === 0 ? acc : tmp;
    for (let c = 0; c < S; c += width) dotBlock(views[b], S, c, width, B.indices, B.data, B.indptr[i], B.indptr[i + 1], out);
    if (b > 0) for (let l = 0; l < S; l++) acc[l] += tmp[l];
  }
}

function solveDual(blocks: readonly Csr[], Y: Uint8Array, L: number, Wout: Float32Array, Cpos: Float64Array, Cneg: Float64Array, o: typeof LOGREG_DEFAULTS & LogRegOptions): FitInfo {
  const n = blocks[0].nRows, d = blocks.reduce((a, b) => a + b.nCols, 0), bias = o.interceptScaling;
  const S = paddedStride(L), width = Math.min(S, 8), biasRow = d * S;
  const W = new Float32Array((d + 1) * S), views = blockViews(W, S, blocks), tmp = new Float64Array(S);
  const xTx = new Float64Array(n).fill(bias * bias);
  for (const B of blocks) { const r = rowSquaredNorms(B); for (let i = 0; i < n; i++) xTx[i] += r[i]; }
  // alpha[2k] is the dual variable, alpha[2k+1] = C - alpha[2k] kept separately for precision near C
  const alpha = new Float64Array(2 * n * L);
  const acc = new Float64Array(S), delta = new Float64Array(S), gmax = new Float64Array(L);
  // liblinear starts at α = min(0.001·C, 1e-8) with w = Σ y α x; that w is ~1e-8 and is left at 0 here,
  // which saves a pass over the data and changes nothing measurable (the solver corrects it in the first pass)
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) {
      const k = 2 * (i * L + l), C = Y[i * L + l] ? Cpos[l] : Cneg[l];
      alpha[k] = Math.min(0.001 * C, 1e-8);
      alpha[k + 1] = C - alpha[k];
    }
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = mulberry32(o.seed);
  const innerMin = Math.min(1e-8, o.tol);
  let inner = 1e-2, epoch = 0, maxViolation = Infinity, converged = false;
  while (epoch < o.maxEpochs) {
    if (o.signal?.aborted) throw abortError();
    for (let i = 0; i < n - 1; i++) {
      const j = i + rng.int(n - i), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    gmax.fill(0);
    let newtonIters = 0;
    for (let s = 0; s < n; s++) {
      if ((s & 4095) === 4095) {
        // large data sets: progress within the epoch, and a prompt stop on abort
        if (o.signal?.aborted) throw abortError();
        o.onProgress?.((epoch + s / n) / o.maxEpochs);
      }
      const i = order[s], a = xTx[i];
      dotRow(blocks, views, S, width, i, acc, tmp);
      let any = false;
      for (let l = 0; l < L; l++) {
        const yPos = Y[i * L + l] === 1, C = yPos ? Cpos[l] : Cneg[l];
        const wx = acc[l] + W[biasRow + l] * bias, b = yPos ? wx : -wx;
        const k = 2 * (i * L + l);
        let i1 = k, i2 = k + 1, sign = 1;
        if (0.5 * a * (alpha[i2] - alpha[i1]) + b < 0) { i1 = k + 1; i2 = k; sign = -1; }
        // Newton's method on g(z) = z log z + (C−z) log(C−z) + ½a(z−α)² + sign·b(z−α), 0 < z < C
        const old = alpha[i1];
        let z = old;
        if (C - z < 0.5 * C) z *= 0.1;
        let gp = a * (z - old) + sign * b + Math.log(z / (C - z));
        const ag = Math.abs(gp);
        if (ag > gmax[l]) gmax[l] = ag;
        let it = 0;
        while (it <= 100 && Math.abs(gp) >= inner) {
          const gpp = a + C / (C - z) / z, tz = z - gp / gpp;
          z = tz <= 0 ? z * 0.1 : tz;
          gp = a * (z - old) + sign * b + Math.log(z / (C - z));
          it++;
        }
        newtonIters += it;
        if (it > 0) {
          alpha[i1] = z;
          alpha[i2] = C - z;
          delta[l] = sign * (z - old) * (yPos ? 1 : -1);
          any = true;
        } else delta[l] = 0;
      }
      if (!any) continue;
      for (let l = 0; l < L; l++) W[biasRow + l] += delta[l] * bias;
      for (let c = 0; c < S; c += width) {
        let nz = false;
        for (let l = c; l < c + width; l++) if (delta[l] !== 0) { nz = true; break; }
        if (!nz) continue;
        for (let b = 0; b < blocks.length; b++) {
          const B = blocks[b];
          axpyBlock(views[b], S, c, width, B.indices, B.data, B.indptr[i], B.indptr[i + 1], delta);
        }
      }
    }
    epoch++;
    maxViolation = 0;
    for (let l = 0; l < L; l++) if (gmax[l] > maxViolation) maxViolation = gmax[l];
    o.onProgress?.(epoch / o.maxEpochs);
    if (maxViolation < o.tol) { converged = true; break; }
    if (newtonIters <= (n * L) / 10) inner = Math.max(innerMin, 0.1 * inner);
  }
  // back to the public stride of nLabels
  for (let f = 0; f <= d; f++) for (let l = 0; l < L; l++) Wout[f * L + l] = W[f * S + l];
  return { epochs: epoch, converged, maxViolation };
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
