import { describe, expect, it } from 'vitest';
import { fitSoftmax, fitSoftmaxPath, softmaxLogits, softmaxProba } from './softmax.ts';
import { imagesReference as ref, type SoftmaxCase } from '../__reference__/imagesReference.ts';
import { mulberry32 } from '../split/prng.ts';

/** The objective sklearn minimises, Σ wᵢ CEᵢ + ‖W‖²/(2C), evaluated at (coef, intercept). */
function objective(coef: ArrayLike<number>, intercept: ArrayLike<number>, c: SoftmaxCase): number {
  const model = { nFeatures: c.d, nClasses: c.k, coef: Float64Array.from(coef), intercept: Float64Array.from(intercept), iterations: 0, converged: true };
  const z = softmaxLogits(model, c.X, c.n), counts = new Array<number>(c.k).fill(0);
  for (const v of c.y) counts[v]++;
  let f = 0;
  for (let i = 0; i < c.n; i++) {
    const row = Array.from(z.subarray(i * c.k, (i + 1) * c.k)), mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    f += (c.classWeight === 'balanced' ? c.n / (c.k * counts[c.y[i]]) : 1) * (lse - row[c.y[i]]);
  }
  let r = 0;
  for (let j = 0; j < coef.length; j++) r += coef[j] * coef[j];
  return f + r / (2 * c.C);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('fitSoftmax matches sklearn LogisticRegression(multinomial, lbfgs) 1.2.1', () => {
  for (const c of ref.softmax) {
    it(c.name, () => {
      const model = fitSoftmax(c.X, c.y, c.n, c.d, c.k, { C: c.C, classWeight: c.classWeight, tol: 1e-9, maxIter: 5000 });
      expect(model.converged).toBe(true);
      // the optimum itself: our objective is no worse than sklearn's (to 1e-7 relative; sklearn's own stop leaves it ~1e-8 short here)
      const ours = objective(model.coef, model.intercept, c), theirs = objective(c.coef, c.intercept, c);
      expect((ours - theirs) / theirs).toBeLessThan(1e-7);
      // and the parameters agree up to the flatness of the optimum (iris is unscaled, so some directions are flat)
      const scale = Math.max(1, ...c.coef.map(Math.abs));
      expect(maxDiff(model.coef, c.coef) / scale).toBeLessThan(2e-3);
      expect(maxDiff(model.intercept, c.intercept) / scale).toBeLessThan(2e-3);
      expect(maxDiff(softmaxProba(model, c.X, c.n), c.proba)).toBeLessThan(5e-4);
    });
  }

  it('default tolerance is close enough for predictions', () => {
    const c = ref.softmax.find((s) => s.name === 'wide-balanced')!;
    const model = fitSoftmax(c.X, c.y, c.n, c.d, c.k, { C: c.C, classWeight: 'balanced' });
    expect(maxDiff(softmaxProba(model, c.X, c.n), c.proba)).toBeLessThan(1e-3);
  });
});

describe('fitSoftmaxPath (one row-space basis, warm-started C path) matches sklearn at every C', () => {
  const check = (model: ReturnType<typeof fitSoftmax>, c: SoftmaxCase) => {
    expect(model.converged).toBe(true);
    const ours = objective(model.coef, model.intercept, c), theirs = objective(c.coef, c.intercept, c);
    expect((ours - theirs) / theirs).toBeLessThan(1e-7);
    expect(maxDiff(softmaxProba(model, c.X, c.n), c.proba)).toBeLessThan(5e-4);
  };
  it('iris at C 1 and C 0.05 in one call (sklearn 1.2.1 reference fits of the same data), in the caller\'s order', () => {
    const c1 = ref.softmax.find((s) => s.name === 'iris-C1')!, c05 = ref.softmax.find((s) => s.name === 'iris-C0.05')!;
    const [m1, m05] = fitSoftmaxPath(c1.X, c1.y, c1.n, c1.d, c1.k, [1, 0.05], { tol: 1e-9, maxIter: 5000 });
    check(m1!, c1);
    check(m05!, c05);
  });
  it('wide balanced data (row-space solve) reaches the sklearn optimum when warm-started from a 10× smaller C', () => {
    const c = ref.softmax.find((s) => s.name === 'wide-balanced')!;
    const path = fitSoftmaxPath(c.X, c.y, c.n, c.d, c.k, [c.C / 10, c.C], { classWeight: 'balanced', tol: 1e-9, maxIter: 5000 });
    check(path[1]!, c);
    // the warm start pays: the second solve needs fewer iterations than a cold fit at the same C
    const cold = fitSoftmax(c.X, c.y, c.n, c.d, c.k, { C: c.C, classWeight: 'balanced', tol: 1e-9, maxIter: 5000 });
    expect(path[1]!.iterations).toBeLessThan(cold.iterations);
  });
  it('rejects an empty path and a bad C', () => {
    const c = ref.softmax[0]!;
    expect(() => fitSoftmaxPath(c.X, c.y, c.n, c.d, c.k, [])).toThrow(/Cs is empty/);
    expect(() => fitSoftmaxPath(c.X, c.y, c.n, c.d, c.k, [0.1, -1])).toThrow(/C must be/);
  });
});

describe('fitSoftmax', () => {
  it('explicit class weights equal to the balanced ones give the same model', () => {
    const c = ref.softmax.find((s) => s.name === 'iris-imbalanced-balanced')!;
    const counts = [0, 0, 0];
    for (const v of c.y) counts[v]++;
    const weights = counts.map((m) => c.n / (3 * m));
    const a = fitSoftmax(c.X, c.y, c.n, c.d, 3, { C: c.C, classWeight: 'balanced', tol: 1e-9 });
    const b = fitSoftmax(c.X, c.y, c.n, c.d, 3, { C: c.C, classWeight: weights, tol: 1e-9 });
    const s = fitSoftmax(c.X, c.y, c.n, c.d, 3, { C: c.C, sampleWeight: c.y.map((v) => weights[v]), tol: 1e-9 });
    expect(maxDiff(a.coef, b.coef)).toBeLessThan(1e-6);
    expect(maxDiff(a.coef, s.coef)).toBeLessThan(1e-6);
  });

  it('probabilities sum to 1, temperature flattens them, logits are W x + b', () => {
    const c = ref.softmax[0];
    const model = fitSoftmax(c.X, c.y, c.n, c.d, c.k, { C: c.C });
    const p1 = softmaxProba(model, c.X, c.n), p3 = softmaxProba(model, c.X, c.n, 3);
    const z = softmaxLogits(model, c.X, c.n);
    for (let i = 0; i < c.n; i++) {
      let s1 = 0, s3 = 0;
      for (let j = 0; j < c.k; j++) { s1 += p1[i * c.k + j]; s3 += p3[i * c.k + j]; }
      expect(s1).toBeCloseTo(1, 12);
      expect(s3).toBeCloseTo(1, 12);
      expect(Math.max(...p3.subarray(i * c.k, (i + 1) * c.k))).toBeLessThanOrEqual(Math.max(...p1.subarray(i * c.k, (i + 1) * c.k)) + 1e-12);
    }
    let manual = model.intercept[1];
    for (let j = 0; j < c.d; j++) manual += model.coef[c.d + j] * c.X[5 * c.d + j];
    expect(z[5 * c.k + 1]).toBeCloseTo(manual, 12);
  });

  it('is stable with huge feature values and duplicate rows (wide, rank-deficient)', () => {
    const n = 30, d = 100, k = 3, rng = mulberry32(4);
    const X = new Float64Array(n * d), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i < 20 ? i % k : y[i - 10];
      for (let j = 0; j < d; j++) X[i * d + j] = i < 20 ? (rng.next() - 0.5 + (j % k === y[i] ? 1 : 0)) * 1e3 : X[(i - 10) * d + j];
    }
    const model = fitSoftmax(X, y, n, d, k, { C: 10 });
    const p = softmaxProba(model, X, n);
    expect(p.every((v) => Number.isFinite(v))).toBe(true);
    let right = 0;
    for (let i = 0; i < n; i++) if (p[i * k + y[i]] === Math.max(...p.subarray(i * k, i * k + k))) right++;
    expect(right).toBe(n);
  });

  it('fits ~170 × 1000 × 7 (the image head) and converges', () => {
    const n = 170, d = 1000, k = 7, rng = mulberry32(9);
    const X = new Float32Array(n * d), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % k;
      for (let j = 0; j < d; j++) X[i * d + j] = rng.next() * 2 - 1 + (j % 50 === y[i] ? 0.5 : 0);
    }
    const model = fitSoftmax(X, y, n, d, k, { C: 0.01, classWeight: 'balanced' });
    expect(model.converged).toBe(true);
    expect(model.coef.length).toBe(k * d);
  });

  it('rejects bad input with the argument named', () => {
    expect(() => fitSoftmax([1, 2, 3], [0, 1], 2, 2, 2)).toThrow(/X has 3 values/);
    expect(() => fitSoftmax([1, 2, 3, 4], [0, 2], 2, 2, 2)).toThrow(/y\[1\] = 2/);
    expect(() => fitSoftmax([1, 2, 3, 4], [0, 1], 2, 2, 2, { C: 0 })).toThrow(/C must be/);
    expect(() => fitSoftmax([1, NaN, 3, 4], [0, 1], 2, 2, 2)).toThrow(/non-finite value at row 0, column 1/);
  });
});
