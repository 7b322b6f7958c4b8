/**
 * The dual coordinate-descent solver behind fitLogisticRegression (liblinear's solve_l2r_lr_dual, all labels in
 * one pass over the rows). Phases are separate functions so V8 optimises each hot loop on its own.
 */
import type { Csr } from '../sparse/csr.ts';
import { rowSquaredNorms } from '../sparse/csr.ts';
import { mulberry32, type Rng } from '../split/prng.ts';
import { axpyBlock, blockViews, dotRow, paddedStride } from './kernels.ts';

export interface DualOptions {
  maxEpochs: number;
  tol: number;
  seed: number;
  interceptScaling: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface FitInfo {
  epochs: number;
  converged: boolean;
  /** Largest projected-gradient magnitude of the last pass (over labels). */
  maxViolation: number;
}

export function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

/** Solver state shared by the phases below (kept in separate functions so V8 optimises each loop on its own). */
interface DualState {
  blocks: readonly Csr[];
  Y: Uint8Array;
  L: number;
  S: number;
  width: number;
  bias: number;
  biasRow: number;
  W: Float32Array;
  views: Float32Array[];
  xTx: Float64Array;
  /** alpha[2k] is the dual variable of (row, label) k, alpha[2k+1] = C − alpha[2k], kept apart for precision near C. */
  alpha: Float64Array;
  Cpos: Float64Array;
  Cneg: Float64Array;
  order: Int32Array;
  acc: Float64Array;
  tmp: Float64Array;
  delta: Float64Array;
  gmax: Float64Array;
  /** Newton tolerance of the sub-problems, tightened as liblinear does. */
  inner: number;
}

function initState(blocks: readonly Csr[], Y: Uint8Array, L: number, Cpos: Float64Array, Cneg: Float64Array, bias: number): DualState {
  const n = blocks[0].nRows, d = blocks.reduce((a, b) => a + b.nCols, 0);
  const S = paddedStride(L), W = new Float32Array((d + 1) * S);
  const xTx = new Float64Array(n).fill(bias * bias);
  for (const B of blocks) { const r = rowSquaredNorms(B); for (let i = 0; i < n; i++) xTx[i] += r[i]; }
  // liblinear starts at α = min(0.001·C, 1e-8) with w = Σ y α x; that w is ~1e-8 and is left at 0 here,
  // which saves a pass over the data and changes nothing measurable (the first pass corrects it)
  const alpha = new Float64Array(2 * n * L);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) {
      const k = 2 * (i * L + l), C = Y[i * L + l] ? Cpos[l] : Cneg[l];
      alpha[k] = Math.min(0.001 * C, 1e-8);
      alpha[k + 1] = C - alpha[k];
    }
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return {
    blocks, Y, L, S, width: Math.min(S, 8), bias, biasRow: d * S, W, views: blockViews(W, S, blocks), xTx, alpha, Cpos, Cneg, order,
    acc: new Float64Array(S), tmp: new Float64Array(S), delta: new Float64Array(S), gmax: new Float64Array(L), inner: 1e-2,
  };
}

/** One pass over the rows in a fresh random order; returns the Newton iterations spent. */
function runEpoch(st: DualState, rng: Rng, epoch: number, o: DualOptions): number {
  const { blocks, Y, L, S, width, bias, biasRow, W, views, xTx, alpha, Cpos, Cneg, order, acc, tmp, delta, gmax } = st;
  const n = order.length, inner = st.inner;
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
    if (any) updateRow(st, i);
  }
  return newtonIters;
}

/** w += Σ_labels delta · x_i (blocks of labels whose deltas are all zero are skipped). */
function updateRow(st: DualState, i: number): void {
  const { blocks, L, S, width, bias, biasRow, W, views, delta } = st;
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

export function solveDual(blocks: readonly Csr[], Y: Uint8Array, L: number, Wout: Float32Array, Cpos: Float64Array, Cneg: Float64Array, o: DualOptions): FitInfo {
  const st = initState(blocks, Y, L, Cpos, Cneg, o.interceptScaling), n = st.order.length;
  const rng = mulberry32(o.seed), innerMin = Math.min(1e-8, o.tol);
  let epoch = 0, maxViolation = Infinity, converged = false;
  while (epoch < o.maxEpochs) {
    if (o.signal?.aborted) throw abortError();
    const newtonIters = runEpoch(st, rng, epoch, o);
    epoch++;
    maxViolation = 0;
    for (let l = 0; l < L; l++) if (st.gmax[l] > maxViolation) maxViolation = st.gmax[l];
    o.onProgress?.(epoch / o.maxEpochs);
    if (maxViolation < o.tol) { converged = true; break; }
    if (newtonIters <= (n * L) / 10) st.inner = Math.max(innerMin, 0.1 * st.inner);
  }
  // back to the public stride of nLabels
  const d = st.biasRow / st.S, S = st.S, W = st.W;
  for (let f = 0; f <= d; f++) for (let l = 0; l < L; l++) Wout[f * L + l] = W[f * S + l];
  return { epochs: epoch, converged, maxViolation };
}

