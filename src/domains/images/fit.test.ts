import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { softmaxProba } from '../../ml/linear/softmax.ts';
import { applyStandardizer } from '../../ml/preprocess/standardize.ts';
import { averageModels, evalRows, fitHead, headLogits, testCopies, type ImageFeatures } from './fit.ts';

/** scikit-learn 1.2.1 reference: StandardScaler + balanced multinomial LR at C 0.01, 0.03, 0.1, averaged (head_reference.py). */
const ref = JSON.parse(readFileSync(new URL('./__reference__/head_reference.json', import.meta.url), 'utf8')) as {
  n: number; d: number; k: number; Cs: number[]; X: number[]; y: number[]; Xtest: number[]; coef: number[]; intercept: number[]; proba: number[];
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('image head: C ensemble', () => {
  it('equals scikit-learn heads fitted at each C with coefficients averaged (reference JSON from head_reference.py)', () => {
    const head = fitHead(Float32Array.from(ref.X), Int32Array.from(ref.y), ref.n, ref.d, ref.k, ref.Cs);
    const nt = ref.Xtest.length / ref.d;
    const proba = softmaxProba(head.model, applyStandardizer(head.standardizer, Float32Array.from(ref.Xtest), nt), nt);
    expect(maxDiff(proba, ref.proba)).toBeLessThan(2e-3);
    expect(maxDiff(head.model.coef, ref.coef) / Math.max(...ref.coef.map(Math.abs))).toBeLessThan(1e-2);
    // a single C is not the ensemble: the reference is really the average (the members differ by more than the tolerance)
    const single = fitHead(Float32Array.from(ref.X), Int32Array.from(ref.y), ref.n, ref.d, ref.k, 0.1);
    expect(maxDiff(softmaxProba(single.model, applyStandardizer(single.standardizer, Float32Array.from(ref.Xtest), nt), nt), ref.proba)).toBeGreaterThan(1e-2);
  });

  it('averaged coefficients give the mean of the members\' logits (hand-computed 2-class, 2-feature case)', () => {
    const a = { nFeatures: 2, nClasses: 2, coef: Float64Array.from([1, 2, 3, 4]), intercept: Float64Array.from([0.5, -0.5]), iterations: 3, converged: true };
    const b = { nFeatures: 2, nClasses: 2, coef: Float64Array.from([-1, 0, 1, 2]), intercept: Float64Array.from([1.5, -1.5]), iterations: 7, converged: false };
    const m = averageModels([a, b]);
    expect(Array.from(m.coef)).toEqual([0, 1, 2, 3]);
    expect(Array.from(m.intercept)).toEqual([1, -1]);
    expect([m.iterations, m.converged]).toEqual([7, false]);
    // x = (1, 1): a → (3.5, 6.5), b → (0.5, 1.5); mean (2, 4) = the averaged head's logits
    const standardizer = { mean: Float64Array.from([0, 0]), scale: Float64Array.from([1, 1]) };
    expect(Array.from(headLogits({ standardizer, model: m }, Float32Array.from([1, 1]), 1))).toEqual([2, 4]);
  });
});

describe('image head: prediction rows', () => {
  const f: ImageFeatures = {
    viewNames: ['center', 'hflip'],
    dim: 2,
    items: [
      { views: [Float32Array.from([1, 2]), Float32Array.from([3, 4])], aug: [Float32Array.from([5, 6]), Float32Array.from([7, 8]), Float32Array.from([100, 100])] },
      { views: [Float32Array.from([0, 0]), Float32Array.from([2, 2])], aug: [Float32Array.from([4, 4]), Float32Array.from([6, 6]), Float32Array.from([100, 100])] },
    ],
  };
  it('average the views, and with test-time augmentation the first copies too (hand-computed means)', () => {
    expect(Array.from(evalRows(f, [0, 1], ['center', 'hflip']))).toEqual([2, 3, 1, 1]);
    // (1+3+5+7)/4, (2+4+6+8)/4; (0+2+4+6)/4
    expect(Array.from(evalRows(f, [0, 1], ['center', 'hflip'], 2))).toEqual([4, 5, 3, 3]);
    expect(() => evalRows(f, [0], ['center'], 4)).toThrow(/3 augmented copies were embedded, 4 asked/);
  });
  it('a candidate averages its copies only when it asks for test-time augmentation', () => {
    expect(testCopies({ augment: 4 })).toBe(0);
    expect(testCopies({ augment: 4, testAugment: true })).toBe(4);
  });
});
