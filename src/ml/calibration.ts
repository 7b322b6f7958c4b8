/**
 * Temperature scaling (Guo, Pleiss, Sun & Weinberger 2017, "On calibration of modern neural networks"): one scalar
 * T > 0 divides every logit before the softmax, chosen to minimise the negative log-likelihood on held-out rows.
 * It never changes the argmax, only how confident the probabilities are.
 *
 * NLL(β = 1/T) = mean over rows of logΣexp(β zᵢ) − β zᵢ,yᵢ is convex in β, hence unimodal in log T, so a golden
 * section search over log T ∈ [ln 0.01, ln 100] finds the global minimum (at a bound if the data are separable).
 * ECE: equal-width confidence bins (default 15, as in the paper), bin m = (m/M, (m+1)/M], confidence = the top
 * probability, ECE = Σ_bins |bin|/n · |accuracy − mean confidence|.
 */

const LOG_T_MIN = Math.log(0.01), LOG_T_MAX = Math.log(100);

function check(fn: string, values: ArrayLike<number>, y: ArrayLike<number>, n: number, k: number): void {
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(k) && k >= 2)) throw new Error(`${fn}: n must be ≥ 1 and k ≥ 2 (got n=${n}, k=${k})`);
  if (values.length !== n * k) throw new Error(`${fn}: expected n×k = ${n}×${k} = ${n * k} values, got ${values.length}`);
  if (y.length !== n) throw new Error(`${fn}: y has ${y.length} labels, expected n = ${n}`);
  for (let i = 0; i < n; i++) if (!(Number.isInteger(y[i]) && y[i] >= 0 && y[i] < k)) throw new Error(`${fn}: y[${i}] = ${y[i]} is not a class index in 0..${k - 1}`);
}

/** Mean negative log-likelihood of softmax(logits / T). */
export function temperatureNll(logits: ArrayLike<number>, y: ArrayLike<number>, n: number, k: number, temperature: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[o + c] / temperature);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logits[o + c] / temperature - max);
    total += max + Math.log(sum) - logits[o + y[i]] / temperature;
  }
  return total / n;
}

/** n × k probabilities softmax(logits / T). */
export function temperatureProba(logits: ArrayLike<number>, n: number, k: number, temperature: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[o + c] / temperature);
    let sum = 0;
    for (let c = 0; c < k; c++) { const e = Math.exp(logits[o + c] / temperature - max); out[o + c] = e; sum += e; }
    for (let c = 0; c < k; c++) out[o + c] /= sum;
  }
  return out;
}

export function expectedCalibrationError(proba: ArrayLike<number>, y: ArrayLike<number>, n: number, k: number, bins = 15): number {
  check('expectedCalibrationError', proba, y, n, k);
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`expectedCalibrationError: bins must be an integer ≥ 1 (got ${bins})`);
  const count = new Float64Array(bins), conf = new Float64Array(bins), correct = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[o + c] > proba[o + best]) best = c;
    const p = proba[o + best];
    // bin m holds (m/M, (m+1)/M]; p = 0 cannot be a top probability, clamp anyway
    const m = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
    count[m]++; conf[m] += p; if (best === y[i]) correct[m]++;
  }
  let ece = 0;
  for (let m = 0; m < bins; m++) if (count[m] > 0) ece += Math.abs(correct[m] - conf[m]) / n;
  return ece;
}

/** The temperature minimising the NLL of held-out logits (n × k) with true classes y, and the NLL / ECE before (T = 1) and after. */
export function fitTemperature(logits: ArrayLike<number>, y: ArrayLike<number>, n: number, k: number): { temperature: number; nllBefore: number; nllAfter: number; eceBefore: number; eceAfter: number } {
  check('fitTemperature', logits, y, n, k);
  for (let i = 0; i < logits.length; i++) if (!Number.isFinite(logits[i])) throw new Error(`fitTemperature: logit ${i} (row ${Math.floor(i / k)}) is not finite`);
  const f = (logT: number) => temperatureNll(logits, y, n, k, Math.exp(logT));
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = LOG_T_MIN, b = LOG_T_MAX;
  let x1 = b - phi * (b - a), x2 = a + phi * (b - a), f1 = f(x1), f2 = f(x2);
  while (b - a > 1e-10) {
    if (f1 <= f2) { b = x2; x2 = x1; f2 = f1; x1 = b - phi * (b - a); f1 = f(x1); }
    else { a = x1; x1 = x2; f1 = f2; x2 = a + phi * (b - a); f2 = f(x2); }
  }
  const temperature = Math.exp((a + b) / 2);
  return {
    temperature,
    nllBefore: temperatureNll(logits, y, n, k, 1),
    nllAfter: temperatureNll(logits, y, n, k, temperature),
    eceBefore: expectedCalibrationError(temperatureProba(logits, n, k, 1), y, n, k),
    eceAfter: expectedCalibrationError(temperatureProba(logits, n, k, temperature), y, n, k),
  };
}
