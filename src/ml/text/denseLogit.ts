/**
 * Exact L2 logistic regression on a small dense design (the stacked combiner's features: a few logits per label),
 * by Newton's method with a Cholesky solve: min_w ½‖w‖² + C Σ_i log(1 + exp(−y_i·w·[x_i, 1])), the bias a feature
 * of value 1 and regularised (liblinear with intercept scaling 1, which the dual solver of logreg.ts also solves).
 * Why: the dual solver stopped at 15 passes did not converge on the combiner (issue 18); a handful of Newton steps
 * reach the optimum, at O(rows × D²) per step — cheap while D (features + 1) is small.
 */

/** Newton steps stop when the largest coefficient change falls below this (or after maxIter). */
const STEP_TOL = 1e-7;

/**
 * One label's coefficients (cols.length + 1, bias last) on the columns `cols` of Z (rows × width, row-major) over
 * the rows `rows`, for targets y (0/1 per row of Z).
 */
export function fitDenseLogit(Z: Float32Array, width: number, y: ArrayLike<number>, C: number, rows: readonly number[], cols: readonly number[], maxIter = 50): Float64Array {
  const W = cols.length, D = W + 1;
  const w = new Float64Array(D), g = new Float64Array(D), H = new Float64Array(D * D), x = new Float64Array(D), d = new Float64Array(D);
  x[W] = 1;
  for (let it = 0; it < maxIter; it++) {
    g.set(w);
    H.fill(0);
    for (let a = 0; a < D; a++) H[a * D + a] = 1;
    for (const i of rows) {
      let z = w[W]!;
      for (let c = 0; c < W; c++) {
        x[c] = Z[i * width + cols[c]!]!;
        z += w[c]! * x[c]!;
      }
      const p = 1 / (1 + Math.exp(-z)), r = C * (p - y[i]!), h = C * Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < D; a++) {
        const xa = x[a]!;
        g[a]! += r * xa;
        const ha = h * xa, rowA = a * D;
        for (let b = 0; b <= a; b++) H[rowA + b]! += ha * x[b]!;
      }
    }
    choleskySolve(H, g, d, D);
    let step = 0;
    for (let a = 0; a < D; a++) {
      w[a]! -= d[a]!;
      step = Math.max(step, Math.abs(d[a]!));
    }
    if (step < STEP_TOL) break;
  }
  return w;
}

/** Solves H d = g in place of d; H (D × D, lower triangle used) is positive definite (identity + PSD) and is overwritten. */
function choleskySolve(H: Float64Array, g: Float64Array, d: Float64Array, D: number): void {
  for (let a = 0; a < D; a++) {
    for (let b = 0; b <= a; b++) {
      let s = H[a * D + b]!;
      for (let k = 0; k < b; k++) s -= H[a * D + k]! * H[b * D + k]!;
      H[a * D + b] = a === b ? Math.sqrt(s) : s / H[b * D + b]!;
    }
  }
  for (let a = 0; a < D; a++) {
    let s = g[a]!;
    for (let k = 0; k < a; k++) s -= H[a * D + k]! * d[k]!;
    d[a] = s / H[a * D + a]!;
  }
  for (let a = D - 1; a >= 0; a--) {
    let s = d[a]!;
    for (let k = a + 1; k < D; k++) s -= H[k * D + a]! * d[k]!;
    d[a] = s / H[a * D + a]!;
  }
}
