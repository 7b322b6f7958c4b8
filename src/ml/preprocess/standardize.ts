/**
 * Per-feature standardisation with scikit-learn StandardScaler semantics: mean and population standard deviation
 * (ddof = 0) over the rows; a constant feature (variance within rounding error of 0) gets scale 1, so
 * it is only centred. Sums are Float64 and two-pass (mean, then squared deviations) for accuracy.
 */

export interface Standardizer {
  mean: Float64Array;
  scale: Float64Array;
}

export function fitStandardizer(X: ArrayLike<number>, n: number, d: number): Standardizer {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1)) throw new Error(`fitStandardizer: n and d must be positive integers (got n=${n}, d=${d})`);
  if (X.length !== n * d) throw new Error(`fitStandardizer: X has ${X.length} values, expected n×d = ${n}×${d} = ${n * d}`);
  const mean = new Float64Array(d), scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) { const v = X[i * d + j] - mean[j]; scale[j] += v * v; }
  }
  for (let j = 0; j < d; j++) {
    if (!Number.isFinite(mean[j]) || !Number.isFinite(scale[j])) throw new Error(`fitStandardizer: column ${j} has a non-finite value; impute or drop it first`);
    const variance = scale[j] / n, eps = Number.EPSILON;
    // sklearn _is_constant_feature: a variance within rounding error of 0 means a constant column → scale 1
    const constant = variance <= n * eps * variance + (n * mean[j] * eps) ** 2;
    scale[j] = constant ? 1 : Math.sqrt(variance);
  }
  return { mean, scale };
}

/** (x − mean) / scale per feature; n rows of mean.length features. */
export function applyStandardizer(s: Standardizer, X: ArrayLike<number>, n: number): Float32Array {
  const d = s.mean.length;
  if (X.length !== n * d) throw new Error(`applyStandardizer: X has ${X.length} values, expected ${n}×${d} = ${n * d} (the standardizer was fitted on ${d} features)`);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = (X[o + j] - s.mean[j]) / s.scale[j];
  }
  return out;
}
