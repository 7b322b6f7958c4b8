/**
 * The cross-label combiner of text.tune --stack against scikit-learn (__reference__/stack_combiner_reference.py,
 * scikit-learn 1.2.1 liblinear per label, computed independently of this code), and the tuned model's folded
 * weights against the base models' logits combined by hand.
 */
import { describe, expect, it } from 'vitest';
import { applyCombiner, crossFitCombiner, fitCombiner, logitsOf, sideBySide } from './stackCombiner.ts';
import { trainTextClassifierGrid } from './trainGrid.ts';
import { foldBases } from './stack.ts';
import { decisionFunction } from '../linear/logreg.ts';

const REF = {
  Z: [[2.0, -1.0, 1.5, -0.5], [-1.5, 1.0, -1.0, 0.5], [1.0, 0.5, 0.2, 1.0], [-0.5, -1.5, -1.2, -1.0], [0.3, 2.0, 0.8, 1.8], [-2.0, -0.2, -1.7, 0.4], [1.2, 1.1, 0.1, 0.3], [-0.8, 0.6, 0.4, -0.6], [0.6, -0.9, 1.1, -1.3], [-1.1, 1.4, -0.3, 1.2]],
  Y: [[1, 0], [0, 1], [1, 1], [0, 0], [0, 1], [0, 0], [1, 1], [1, 0], [1, 0], [0, 1]],
  folds: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
  C: 1.0,
  coef: [[0.86919, -0.00085, 0.73408, -0.64548], [0.36078, 1.04542, -0.1462, 0.93591]],
  intercept: [0.1315, -0.27565],
  cross: [[0.85915, 0.32835], [0.2096, 0.832], [0.48938, 0.73468], [0.7228, 0.20881], [0.51682, 0.92305], [0.21749, 0.68742], [0.58643, 0.72988], [0.4734, 0.51964], [0.78812, 0.17927], [0.19933, 0.89833]],
};
const Z = Float32Array.from(REF.Z.flat()), Y = Uint8Array.from(REF.Y.flat()), L = 2, W = 4;

describe('cross-label combiner (scikit-learn liblinear reference)', () => {
  it('fits per label the coefficients and intercept scikit-learn fits on all labels\' logits', () => {
    const A = fitCombiner(Z, Y, L, { C: REF.C, maxEpochs: 5000, tol: 1e-7, solver: 'dual' });
    expect(A.length).toBe((W + 1) * L);
    for (let j = 0; j < L; j++) {
      for (let c = 0; c < W; c++) expect(A[c * L + j]).toBeCloseTo(REF.coef[j]![c]!, 2);
      expect(A[W * L + j]).toBeCloseTo(REF.intercept[j]!, 2);
    }
  });

  it('solves small designs exactly by default (Newton): scikit-learn\'s optimum to 4 decimals', () => {
    const A = fitCombiner(Z, Y, L, { C: REF.C });
    for (let j = 0; j < L; j++) {
      for (let c = 0; c < W; c++) expect(A[c * L + j]).toBeCloseTo(REF.coef[j]![c]!, 4);
      expect(A[W * L + j]).toBeCloseTo(REF.intercept[j]!, 4);
    }
  });

  it('the dual solver stops at the default 15 passes (its cost bound) near the converged solution', () => {
    const A = fitCombiner(Z, Y, L, { C: REF.C, solver: 'dual' });
    for (let j = 0; j < L; j++) for (let c = 0; c < W; c++) expect(A[c * L + j]).toBeCloseTo(REF.coef[j]![c]!, 1);
  });

  it('cross-fits: each fold\'s rows are scored by a combiner fitted on the other fold', () => {
    const p = crossFitCombiner(Z, Y, L, Int32Array.from(REF.folds), 2, { C: REF.C, maxEpochs: 5000, tol: 1e-7 });
    for (let i = 0; i < REF.Z.length; i++) for (let j = 0; j < L; j++) expect(p[i * L + j]).toBeCloseTo(REF.cross[i]![j]!, 2);
  });

  it('scores a row subset in the order given', () => {
    const A = fitCombiner(Z, Y, L, { C: REF.C, maxEpochs: 5000, tol: 1e-7 }), all = applyCombiner(Z, A, L), some = applyCombiner(Z, A, L, [7, 2]);
    expect(Array.from(some)).toEqual([...all.subarray(14, 16), ...all.subarray(4, 6)]);
  });

  it('logits invert the sigmoid and stay finite at 0 and 1; bases go side by side', () => {
    const z = logitsOf([0.5, 1 / (1 + Math.exp(-2)), 0, 1]);
    expect(z[0]).toBeCloseTo(0, 6);
    expect(z[1]).toBeCloseTo(2, 5);
    expect(Number.isFinite(z[2]) && Number.isFinite(z[3])).toBe(true);
    expect(Array.from(sideBySide([Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8])], 2))).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });
});

describe('the NB word base of the grid trainer, folded with a combiner', () => {
  const texts = ['good great fine', 'bad awful', 'great stuff here', 'awful bad bad', 'fine and good', 'terrible bad', 'good good', 'bad stuff'];
  const labels = [[0], [1], [0], [1, 2], [0], [1, 2], [0], [1]];
  it('places the NB model on the word block and the folded model scores as the combiner applied to both bases\' logits (by hand)', () => {
    const [lr, nb] = trainTextClassifierGrid({ texts, labels, labelNames: ['pos', 'neg', 'strong'], mode: 'multi-label', options: { minDf: 1 } }, [{ C: 4, classWeight: 'none' }], { nbWords: true });
    expect(nb!.vectorizers).toBe(lr!.vectorizers);
    const nWord = lr!.vectorizers[0]!.nFeatures, d = lr!.linear.nFeatures, Ln = 3;
    // the NB model has no weight on the char block
    for (let f = nWord; f < d; f++) for (let j = 0; j < Ln; j++) expect(nb!.linear.weights[f * Ln + j]).toBe(0);
    const A = Float32Array.from({ length: (2 * Ln + 1) * Ln }, (_, i) => Math.sin(i + 1));
    const folded = foldBases([{ model: lr!.linear, from: 0 }, { model: nb!.linear, from: 0 }], d, A);
    const X = lr!.vectorizers.map((v) => v.transform(texts));
    const z1 = decisionFunction(lr!.linear, X), z2 = decisionFunction(nb!.linear, X), got = decisionFunction(folded, X);
    for (let i = 0; i < texts.length; i++) {
      for (let j = 0; j < Ln; j++) {
        let want = A[2 * Ln * Ln + j]!;
        for (let k = 0; k < Ln; k++) want += A[k * Ln + j]! * z1[i * Ln + k]! + A[(Ln + k) * Ln + j]! * z2[i * Ln + k]!;
        expect(got[i * Ln + j]).toBeCloseTo(want, 4);
      }
    }
  });
});
