/**
 * Fit time of the image head (fitSoftmax) on a seeded synthetic problem shaped like the 4-view HAM10000 setting:
 * n rows × d = 1000 standardised features × 7 classes, float64, class_weight 'balanced'.
 *   npx tsx bench/softmax.speed.ts [n ...]                 — current src/ml/linear/softmax.ts
 *   VIEWS=4 npx tsx bench/softmax.speed.ts 544                  — 136 images × 4 near-duplicate views (one CV fold)
 *   TOL=1e-9 …                                                  — a smaller tol: hundreds of iterations, as the real embeddings need
 *   BEFORE=/tmp/softmax.before.ts npx tsx bench/softmax.speed.ts   — also time another copy (e.g. `git show
 *   <rev>:src/ml/linear/softmax.ts`) in the same run and print the ratio
 */
import { fitSoftmax as fitNow } from '../src/ml/linear/softmax.ts';

type Fit = typeof fitNow;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/**
 * Gaussian classes (imbalanced, like HAM10000), then per-column standardised. With VIEWS=4 each image is 4 rows:
 * one base row plus small per-view noise, as the 4-view TTA embeddings are (near-duplicate rows, ill-conditioned,
 * many L-BFGS iterations — the slow case of the bench's "head trained on all 4 views").
 */
function problem(n: number, d: number, k: number, seed: number, views: number): { X: Float64Array; y: Int32Array } {
  const r = rng(seed), gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
  const means = Float64Array.from({ length: k * d }, () => 0.3 * gauss());
  const X = new Float64Array(n * d), y = new Int32Array(n), base = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (i % views === 0) {
      const c = Math.min(k - 1, Math.floor(k * r() ** 1.8));
      for (let j = 0; j < d; j++) base[j] = means[c * d + j] + gauss();
      y[i] = c;
    } else y[i] = y[i - 1];
    const noise = views > 1 ? 0.3 : 0;
    for (let j = 0; j < d; j++) X[i * d + j] = base[j] + noise * gauss();
  }
  for (let j = 0; j < d; j++) {
    let m = 0, v = 0;
    for (let i = 0; i < n; i++) m += X[i * d + j];
    m /= n;
    for (let i = 0; i < n; i++) v += (X[i * d + j] - m) ** 2;
    const s = Math.sqrt(v / n) || 1;
    for (let i = 0; i < n; i++) X[i * d + j] = (X[i * d + j] - m) / s;
  }
  return { X, y };
}

function time(fit: Fit, X: Float64Array, y: Int32Array, n: number, d: number, k: number): { s: number; iterations: number; coef: Float64Array } {
  const t0 = performance.now();
  const m = fit(X, y, n, d, k, { C: 0.03, classWeight: 'balanced', tol });
  return { s: (performance.now() - t0) / 1000, iterations: m.iterations, coef: m.coef };
}

const sizes = process.argv.slice(2).map(Number).filter((v) => v > 0);
const before: Fit | null = process.env.BEFORE ? (await import(process.env.BEFORE) as { fitSoftmax: Fit }).fitSoftmax : null;
// warm up both copies (JIT, wasm compile) on a small problem so the timed fits compare steady-state code
for (const fit of before ? [fitNow, before] : [fitNow]) {
  const w = problem(96, 1000, 7, 1, 1);
  fit(w.X, w.y, 96, 1000, 7, { C: 0.03, classWeight: 'balanced' });
}
const d = 1000, k = 7, views = Number(process.env.VIEWS ?? 1), tol = Number(process.env.TOL ?? 1e-4);
for (const n of sizes.length ? sizes : [680, 2720]) {
  const { X, y } = problem(n, d, k, 17 + n, views);
  const now = time(fitNow, X, y, n, d, k);
  let line = `n=${n} (${views} view${views > 1 ? 's' : ''}) d=${d} k=${k}: now ${now.s.toFixed(2)} s (${now.iterations} it)`;
  if (before) {
    const b = time(before, X, y, n, d, k);
    let diff = 0;
    for (let i = 0; i < now.coef.length; i++) diff = Math.max(diff, Math.abs(now.coef[i] - b.coef[i]));
    line += `, before ${b.s.toFixed(2)} s (${b.iterations} it), speed-up ${(b.s / now.s).toFixed(2)}×, max |Δcoef| ${diff.toExponential(1)}`;
  }
  console.log(line);
}
