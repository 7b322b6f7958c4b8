/**
 * Multinomial (softmax) logistic regression on dense features — the problem scikit-learn's
 * LogisticRegression(multi_class='multinomial', solver='lbfgs', C, class_weight) solves:
 *
 *   minimise  Σᵢ wᵢ · (logΣₖ exp zᵢₖ − zᵢ,yᵢ) + ‖W‖² / (2C),   zᵢ = W xᵢ + b,
 *
 * with the intercept b unpenalised and wᵢ = sampleWeight × class weight ('balanced': n / (k · count of the class)).
 * Solved by L-BFGS (memory 10) with a strong-Wolfe line search (Nocedal & Wright, Alg. 3.5/3.6, cubic
 * interpolation in the zoom), stopping as scipy's L-BFGS-B does for sklearn: max |gradient| ≤ tol, or a relative
 * objective decrease below 2.2e-9 (scaled down by tol / 1e-4 when tol is below sklearn's default 1e-4).
 *
 * Wide data (d > n, e.g. 1000 backbone logits for ~170 images): the L2-regularised optimum lies in the span of the
 * rows of X, so the problem is solved on the rows' coordinates Z (n × r, r = rank ≤ n) in an orthonormal basis Q of
 * that span (from a pivoted Cholesky of X Xᵀ, see rowSpace). Q is orthonormal, so ‖V‖ = ‖V Q‖ and the reduced
 * problem is exactly the original one (same objective, same conditioning); W = V Q at the end.
 * This makes each gradient O(n·r·k) instead of O(n·d·k).
 *
 * Speed: each objective call is two dense products (logits Z·Vᵀ, gradient Rᵀ·Z), run by ../linalg/denseRows.ts on
 * WebAssembly SIMD kernels (plain-JS blocked loops as fallback); ~1.06 calls per iteration, so caching along the
 * line search would not pay. Results equal the plain loops up to floating-point reassociation.
 */

import { DenseRows } from '../linalg/denseRows.ts';

export interface SoftmaxOptions {
  /** Inverse L2 strength (> 0). Default 1 (sklearn's). */
  C?: number;
  /** 'balanced' → n / (k · count of class c); or one weight per class; null/undefined → 1. */
  classWeight?: 'balanced' | null | ArrayLike<number>;
  /** L-BFGS iterations at most. Default 500. */
  maxIter?: number;
  /** Stop when max |gradient| ≤ tol (gradient of the un-normalised objective, as sklearn's gtol). Default 1e-4. */
  tol?: number;
  /** Per-row weights, multiplied with the class weights. */
  sampleWeight?: ArrayLike<number>;
}

export interface SoftmaxModel {
  nFeatures: number;
  nClasses: number;
  /** nClasses × nFeatures, row-major. */
  coef: Float64Array;
  intercept: Float64Array;
  iterations: number;
  converged: boolean;
}

const LBFGS_MEMORY = 10;
const FTOL = 2.220446049250313e-9; // scipy L-BFGS-B factr=1e7 × machine epsilon

/** Objective + gradient of the problem on dense Float64 features (rows × p), parameters [V (k×p) | b (k)]. */
class Objective {
  readonly logits: Float64Array;
  private readonly rows: DenseRows;
  constructor(
    private readonly Z: Float64Array,
    private readonly n: number,
    private readonly p: number,
    private readonly k: number,
    private readonly y: Int32Array,
    private readonly w: Float64Array,
    private readonly alpha: number,
  ) {
    this.logits = new Float64Array(n * k);
    this.rows = new DenseRows(Z, n, p, k);
  }

  /** Returns f(theta), writes ∇f into grad. Two dense products per call: logits Z·Vᵀ and the gradient Rᵀ·Z. */
  eval(theta: Float64Array, grad: Float64Array): number {
    const { n, p, k, y, w, alpha, logits } = this;
    const bOff = k * p;
    this.rows.logits(theta, logits);
    grad.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const lo = i * k;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        const z = logits[lo + c] + theta[bOff + c];
        logits[lo + c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logits[lo + c] - max);
      const lse = max + Math.log(sum), wi = w[i];
      if (wi === 0) { logits.fill(0, lo, lo + k); continue; }
      f += wi * (lse - logits[lo + y[i]]);
      // residuals r_c = w (p_c − 1[c = y]) reuse the logits buffer
      for (let c = 0; c < k; c++) {
        const r = wi * (Math.exp(logits[lo + c] - lse) - (c === y[i] ? 1 : 0));
        logits[lo + c] = r;
        grad[bOff + c] += r;
      }
    }
    this.rows.addGradient(logits, grad);
    let reg = 0;
    for (let q = 0; q < bOff; q++) {
      reg += theta[q] * theta[q];
      grad[q] += alpha * theta[q];
    }
    return f + 0.5 * alpha * reg;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) { const v = Math.abs(a[i]); if (v > m) m = v; }
  return m;
}

/** Minimiser of the cubic interpolating (a, fa, ga), (b, fb, gb), clamped inside the interval (N&W eq. 3.59). */
function cubicMin(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - 3 * (fa - fb) / (a - b);
  const disc = d1 * d1 - ga * gb;
  const lo = Math.min(a, b), hi = Math.max(a, b);
  if (disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2 * d2);
    // keep away from the ends so the interval shrinks
    const margin = 0.1 * (hi - lo);
    if (Number.isFinite(t) && t > lo + margin && t < hi - margin) return t;
  }
  return (lo + hi) / 2;
}

interface LineResult { step: number; f: number; ok: boolean }

/**
 * Strong-Wolfe line search along d from x (f0, g0d = ∇f·d < 0); on return x1/g1 hold the accepted point.
 * c1 = 1e-4, c2 = 0.9 (quasi-Newton values).
 */
function wolfeSearch(obj: Objective, x: Float64Array, f0: number, g0d: number, d: Float64Array, x1: Float64Array, g1: Float64Array, step0: number): LineResult {
  const c1 = 1e-4, c2 = 0.9;
  const at = (t: number): { f: number; gd: number } => {
    for (let i = 0; i < x.length; i++) x1[i] = x[i] + t * d[i];
    const f = obj.eval(x1, g1);
    return { f, gd: dot(g1, d) };
  };
  let tPrev = 0, fPrev = f0, gPrev = g0d, t = step0;
  const zoom = (lo: number, flo: number, glo: number, hi: number, fhi: number, ghi: number): LineResult => {
    for (let it = 0; it < 30; it++) {
      const tj = cubicMin(lo, flo, glo, hi, fhi, ghi);
      const r = at(tj);
      if (r.f > f0 + c1 * tj * g0d || r.f >= flo) { hi = tj; fhi = r.f; ghi = r.gd; }
      else {
        if (Math.abs(r.gd) <= -c2 * g0d) return { step: tj, f: r.f, ok: true };
        if (r.gd * (hi - lo) >= 0) { hi = lo; fhi = flo; ghi = glo; }
        lo = tj; flo = r.f; glo = r.gd;
      }
      if (Math.abs(hi - lo) < 1e-16 * Math.max(1, lo)) break;
    }
    // fall back to the best point seen with sufficient decrease
    const r = at(lo);
    return { step: lo, f: r.f, ok: lo > 0 && r.f < f0 };
  };
  for (let it = 0; it < 30; it++) {
    const r = at(t);
    if (!Number.isFinite(r.f)) { t = (tPrev + t) / 2; continue; }
    if (r.f > f0 + c1 * t * g0d || (it > 0 && r.f >= fPrev)) return zoom(tPrev, fPrev, gPrev, t, r.f, r.gd);
    if (Math.abs(r.gd) <= -c2 * g0d) return { step: t, f: r.f, ok: true };
    if (r.gd >= 0) return zoom(t, r.f, r.gd, tPrev, fPrev, gPrev);
    tPrev = t; fPrev = r.f; gPrev = r.gd;
    t *= 2;
  }
  const r = at(tPrev);
  return { step: tPrev, f: r.f, ok: tPrev > 0 && r.f < f0 };
}

/** Minimises obj from theta (in place) by L-BFGS. */
function lbfgs(obj: Objective, theta: Float64Array, maxIter: number, tol: number): { iterations: number; converged: boolean } {
  const m = theta.length;
  const g = new Float64Array(m), x1 = new Float64Array(m), g1 = new Float64Array(m), d = new Float64Array(m);
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  const alphaBuf = new Float64Array(LBFGS_MEMORY);
  // scipy's relative-decrease stop at the default tol; proportionally stricter when a smaller tol asks for precision
  const ftol = FTOL * Math.min(1, tol / 1e-4);
  let f = obj.eval(theta, g);
  if (maxAbs(g) <= tol) return { iterations: 0, converged: true };
  for (let iter = 1; iter <= maxIter; iter++) {
    // two-loop recursion: d = −H ∇f
    for (let i = 0; i < m; i++) d[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      const a = rho[j] * dot(S[j], d);
      alphaBuf[j] = a;
      const yj = Y[j];
      for (let i = 0; i < m; i++) d[i] -= a * yj[i];
    }
    if (S.length > 0) {
      const last = S.length - 1, gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < m; i++) d[i] *= gamma;
    }
    for (let j = 0; j < S.length; j++) {
      const b = rho[j] * dot(Y[j], d), sj = S[j], a = alphaBuf[j];
      for (let i = 0; i < m; i++) d[i] += (a - b) * sj[i];
    }
    let gd = dot(g, d);
    if (!(gd < 0)) { // not a descent direction (numerical trouble): restart from steepest descent
      S.length = 0; Y.length = 0; rho.length = 0;
      for (let i = 0; i < m; i++) d[i] = -g[i];
      gd = dot(g, d);
    }
    const step0 = S.length === 0 ? Math.min(1, 1 / Math.sqrt(-gd)) : 1;
    const ls = wolfeSearch(obj, theta, f, gd, d, x1, g1, step0);
    if (!ls.ok) return { iterations: iter, converged: maxAbs(g) <= tol * 10 };
    const s = new Float64Array(m), yv = new Float64Array(m);
    for (let i = 0; i < m; i++) { s[i] = x1[i] - theta[i]; yv[i] = g1[i] - g[i]; }
    const sy = dot(s, yv);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(yv, yv))) {
      if (S.length === LBFGS_MEMORY) { S.shift(); Y.shift(); rho.shift(); }
      S.push(s); Y.push(yv); rho.push(1 / sy);
    }
    const fPrev = f;
    theta.set(x1); g.set(g1); f = ls.f;
    if (maxAbs(g) <= tol) return { iterations: iter, converged: true };
    if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= ftol) return { iterations: iter, converged: true };
  }
  return { iterations: maxIter, converged: false };
}

/**
 * Row-space coordinates of X (n × d) by pivoted Cholesky of the Gram matrix X Xᵀ = L Lᵀ: row i of L (n × r) is
 * row i of X in the orthonormal basis Q = L_P⁻¹ X_P (P = the r pivot rows, L_P their r × r lower-triangular block).
 * Pivots whose remaining squared norm is below 1e-12 of the largest row's (duplicate or dependent rows) are dropped.
 * Costs n²d/2 + n r², against 2n²d for Gram–Schmidt.
 */
function rowSpace(X: Float64Array, n: number, d: number): { L: Float64Array; r: number; pivots: Int32Array } {
  const K = new Float64Array(n * n);
  new DenseRows(X, n, d, 1).gram(K);
  const diag = new Float64Array(n), used = new Uint8Array(n), pivots = new Int32Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) { diag[i] = K[i * n + i]; maxDiag = Math.max(maxDiag, diag[i]); }
  // L built row-major with stride n (row i at i·n), so the update's inner loop reads two contiguous rows
  const Lfull = new Float64Array(n * n);
  const threshold = 1e-12 * maxDiag;
  let r = 0;
  for (; r < n; r++) {
    let j = -1;
    for (let i = 0; i < n; i++) if (!used[i] && (j < 0 || diag[i] > diag[j])) j = i;
    if (j < 0 || !(diag[j] > threshold)) break;
    used[j] = 1; pivots[r] = j;
    const ljm = Math.sqrt(diag[j]), jo = j * n;
    Lfull[jo + r] = ljm;
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      const io = i * n;
      let s = K[io + j];
      for (let q = 0; q < r; q++) s -= Lfull[io + q] * Lfull[jo + q];
      const v = s / ljm;
      Lfull[io + r] = v;
      diag[i] -= v * v;
    }
  }
  const L = new Float64Array(n * r);
  for (let i = 0; i < n; i++) L.set(Lfull.subarray(i * n, i * n + r), i * r);
  return { L, r, pivots: pivots.subarray(0, r) };
}

function checkInputs(X: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, nClasses: number): void {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new Error(`fitSoftmax: n and d must be positive integers (got n=${n}, d=${d})`);
  if (X.length !== n * d) throw new Error(`fitSoftmax: X has ${X.length} values, expected n×d = ${n}×${d} = ${n * d}`);
  if (y.length !== n) throw new Error(`fitSoftmax: y has ${y.length} labels, expected n = ${n}`);
  if (!(Number.isInteger(nClasses) && nClasses >= 2)) throw new Error(`fitSoftmax: nClasses must be an integer ≥ 2 (got ${nClasses})`);
  for (let i = 0; i < n; i++) {
    const c = y[i];
    if (!(Number.isInteger(c) && c >= 0 && c < nClasses)) throw new Error(`fitSoftmax: y[${i}] = ${c} is not a class index in 0..${nClasses - 1}`);
  }
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) throw new Error(`fitSoftmax: X has a non-finite value at row ${Math.floor(i / d)}, column ${i % d}; impute or drop it first`);
}

/** Row weights: sampleWeight × class weight. */
function rowWeights(y: ArrayLike<number>, n: number, k: number, options: SoftmaxOptions): Float64Array {
  const w = new Float64Array(n).fill(1);
  if (options.sampleWeight) {
    if (options.sampleWeight.length !== n) throw new Error(`fitSoftmax: sampleWeight has ${options.sampleWeight.length} values, expected n = ${n}`);
    for (let i = 0; i < n; i++) {
      const v = options.sampleWeight[i];
      if (!(v >= 0 && Number.isFinite(v))) throw new Error(`fitSoftmax: sampleWeight[${i}] = ${v} must be a finite number ≥ 0`);
      w[i] = v;
    }
  }
  const cw = options.classWeight;
  if (cw === 'balanced') {
    // sklearn compute_class_weight: n / (k_present · count), on the labels present (weights of absent classes are irrelevant)
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) counts[y[i]]++;
    const present = counts.reduce((a, c) => a + (c > 0 ? 1 : 0), 0);
    for (let i = 0; i < n; i++) w[i] *= n / (present * counts[y[i]]);
  } else if (cw) {
    if (cw.length !== k) throw new Error(`fitSoftmax: classWeight has ${cw.length} values, expected one per class (${k})`);
    for (let i = 0; i < n; i++) w[i] *= cw[y[i]];
  }
  return w;
}

export function fitSoftmax(X: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, nClasses: number, options: SoftmaxOptions = {}): SoftmaxModel {
  return fitSoftmaxPath(X, y, n, d, nClasses, [options.C ?? 1], options)[0]!;
}

/**
 * The same problem at several C on the same rows (a regularisation path, e.g. the image head's C grid or its
 * C ensemble): the row-space basis is computed once, and each C is solved warm-started from the solution at the
 * next smaller C (the optimum moves smoothly with C, so later solves take fewer L-BFGS iterations). Models come back
 * in the order of `Cs`; each equals `fitSoftmax` at that C up to the solver's tolerance (options.C is ignored).
 */
export function fitSoftmaxPath(X: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, nClasses: number, Cs: readonly number[], options: SoftmaxOptions = {}): SoftmaxModel[] {
  checkInputs(X, y, n, d, nClasses);
  const maxIter = options.maxIter ?? 500, tol = options.tol ?? 1e-4;
  if (Cs.length === 0) throw new Error('fitSoftmaxPath: Cs is empty; give at least one C');
  for (const C of Cs) if (!(C > 0 && Number.isFinite(C))) throw new Error(`fitSoftmax: C must be a finite number > 0 (got ${C})`);
  const k = nClasses;
  const w = rowWeights(y, n, k, options);
  const yi = Int32Array.from(y as ArrayLike<number>);
  const X64 = X instanceof Float64Array ? X : Float64Array.from(X);

  // reduce to the row space when that is smaller than the feature space
  let Z = X64, p = d, space: ReturnType<typeof rowSpace> | null = null;
  if (d > n) {
    space = rowSpace(X64, n, d);
    Z = space.L; p = space.r;
  }
  const theta = new Float64Array(k * p + k);
  const order = [...Cs.keys()].sort((a, b) => Cs[a]! - Cs[b]!);
  const models: SoftmaxModel[] = new Array(Cs.length);
  for (const at of order) {
    const obj = new Objective(Z, n, p, k, yi, w, 1 / Cs[at]!);
    const { iterations, converged } = lbfgs(obj, theta, maxIter, tol);
    models[at] = toModel(theta, space, X64, d, p, k, iterations, converged);
  }
  return models;
}

function toModel(theta: Float64Array, space: ReturnType<typeof rowSpace> | null, X64: Float64Array, d: number, p: number, k: number, iterations: number, converged: boolean): SoftmaxModel {
  const coef = new Float64Array(k * d);
  if (space) {
    // W = V Q = (V L_P⁻¹) X_P: per class solve u L_P = v (back substitution on L_Pᵀ), then coef = u X_P
    const { L, r, pivots } = space, u = new Float64Array(r);
    for (let c = 0; c < k; c++) {
      for (let q = r - 1; q >= 0; q--) {
        let s = theta[c * p + q];
        for (let m = q + 1; m < r; m++) s -= u[m] * L[pivots[m] * r + q];
        u[q] = s / L[pivots[q] * r + q];
      }
      const co = c * d;
      for (let q = 0; q < r; q++) {
        const uq = u[q], xo = pivots[q] * d;
        if (uq !== 0) for (let j = 0; j < d; j++) coef[co + j] += uq * X64[xo + j];
      }
    }
  } else coef.set(theta.subarray(0, k * d));
  // softmax is invariant to a shift of all intercepts; centre them (sklearn's lbfgs keeps Σb = 0 from its zero start)
  const intercept = Float64Array.from(theta.subarray(k * p));
  const mean = intercept.reduce((a, b) => a + b, 0) / k;
  for (let c = 0; c < k; c++) intercept[c] -= mean;
  return { nFeatures: d, nClasses: k, coef, intercept, iterations, converged };
}

/** n × k raw scores W x + b. */
export function softmaxLogits(model: SoftmaxModel, X: ArrayLike<number>, n: number): Float64Array {
  const d = model.nFeatures, k = model.nClasses;
  if (X.length !== n * d) throw new Error(`softmaxLogits: X has ${X.length} values, expected ${n}×${d} = ${n * d}`);
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    for (let c = 0; c < k; c++) {
      let s = model.intercept[c];
      const co = c * d;
      for (let j = 0; j < d; j++) s += model.coef[co + j] * X[xo + j];
      out[i * k + c] = s;
    }
  }
  return out;
}

/** In place: each row of an n × k logit matrix (divided by temperature) → probabilities (stable log-sum-exp). */
export function softmaxRows(logits: Float64Array, k: number, temperature = 1): Float64Array {
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new Error(`softmax: temperature must be a finite number > 0 (got ${temperature})`);
  for (let o = 0; o < logits.length; o += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) { logits[o + c] /= temperature; if (logits[o + c] > max) max = logits[o + c]; }
    let sum = 0;
    for (let c = 0; c < k; c++) { const e = Math.exp(logits[o + c] - max); logits[o + c] = e; sum += e; }
    for (let c = 0; c < k; c++) logits[o + c] /= sum;
  }
  return logits;
}

/** n × k class probabilities, softmax(logits / temperature); rows sum to 1. */
export function softmaxProba(model: SoftmaxModel, X: ArrayLike<number>, n: number, temperature = 1): Float64Array {
  return softmaxRows(softmaxLogits(model, X, n), model.nClasses, temperature);
}
