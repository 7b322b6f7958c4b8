import { describe, expect, it } from 'vitest';
import { csrFromDense } from '../sparse/csr.ts';
import { decisionFunction, type LinearModel } from '../linear/logreg.ts';
import { mulberry32 } from '../split/prng.ts';
import { fitNbModel, foldModels, innerFolds, nbRatios } from './stack.ts';
import { fitStackedModel } from './stackFit.ts';
import { resolveTextClassifierOptions } from './options.ts';

// From __reference__/stack_reference.py (numpy ratios; scikit-learn 1.2.1 liblinear NB-LR, weights × r).
const REF = {
  X: [[0.5, 0.0, 0.8, 0.1], [0.0, 0.6, 0.0, 0.8], [0.7, 0.2, 0.0, 0.0], [0.0, 0.0, 0.9, 0.4], [0.3, 0.9, 0.0, 0.0], [0.0, 0.4, 0.6, 0.0], [0.8, 0.0, 0.0, 0.6], [0.2, 0.7, 0.3, 0.0]],
  Y: [[1, 0], [0, 1], [1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1]],
  C: 2.0,
  ratios: [[0.670674, -1.121085, 0.328925, 0.131678], [-0.738099, 0.648196, -0.131963, 0.212878]],
  weights: [[0.51986, -1.80478, 0.06268, 0.00433], [-0.64318, 0.53299, -0.0032, 0.02361]],
  intercepts: [0.34719, 0.00712],
};
const X = csrFromDense(REF.X.flat(), 8, 4);
const Y = Uint8Array.from(REF.Y.flat());

describe('NB weighting', () => {
  it('log-count ratios match numpy', () => {
    const r = nbRatios(X, Y, 2);
    for (let l = 0; l < 2; l++) for (let f = 0; f < 4; f++) expect(r[f * 2 + l]).toBeCloseTo(REF.ratios[l]![f]!, 5);
  });

  it('NB-LR weights (ratio folded in) and intercepts match scikit-learn liblinear on X ⊙ r', () => {
    const m = fitNbModel(X, Y, 2, { C: REF.C, classWeight: 'none', maxEpochs: 5000, tol: 1e-7, seed: 0 });
    for (let l = 0; l < 2; l++) {
      for (let f = 0; f < 4; f++) expect(m.weights[f * 2 + l]).toBeCloseTo(REF.weights[l]![f]!, 3);
      expect(m.weights[4 * 2 + l]! * m.interceptScaling).toBeCloseTo(REF.intercepts[l]!, 3);
    }
  });
});

describe('stacking folded into one linear model', () => {
  const rng = mulberry32(3);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
  const model = (d: number, L: number, scaling = 1): LinearModel => ({ nFeatures: d, nLabels: L, weights: rand((d + 1) * L), interceptScaling: scaling });

  it('scores exactly as the combiner applied to the base models\' logits', () => {
    const L = 3, words = csrFromDense(rand(6 * 5), 6, 5), chars = csrFromDense(rand(6 * 4), 6, 4);
    const full = model(9, L, 2), nb = model(5, L), A = rand((2 * L + 1) * L);
    const folded = foldModels({ full, nb }, [5, 4], 0, A);
    const zf = decisionFunction(full, [words, chars]), zn = decisionFunction(nb, words), got = decisionFunction(folded, [words, chars]);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < L; j++) {
        let want = A[2 * L * L + j]!;
        for (let k = 0; k < L; k++) want += A[k * L + j]! * zf[i * L + k]! + A[(L + k) * L + j]! * zn[i * L + k]!;
        expect(got[i * L + j]).toBeCloseTo(want, 4);
      }
    }
  });

  it('without a combiner the two models\' logits are averaged', () => {
    const L = 2, words = csrFromDense(rand(4 * 3), 4, 3), chars = csrFromDense(rand(4 * 2), 4, 2);
    const full = model(5, L), nb = model(3, L);
    const got = decisionFunction(foldModels({ full, nb }, [3, 2], 0, null), [words, chars]);
    const zf = decisionFunction(full, [words, chars]), zn = decisionFunction(nb, words);
    for (let k = 0; k < got.length; k++) expect(got[k]).toBeCloseTo((zf[k]! + zn[k]!) / 2, 5);
  });

  it('inner folds are balanced and seeded', () => {
    const f = innerFolds(10, 3, 1);
    expect([0, 1, 2].map((k) => f.filter((x) => x === k).length).sort()).toEqual([3, 3, 4]);
    expect(innerFolds(10, 3, 1)).toEqual(f);
  });

  it('fits a stacked model that separates a learnable problem', () => {
    const n = 60, words = csrFromDense(Float32Array.from({ length: n * 4 }, (_, k) => ((k % 4) === (Math.floor(k / 4) % 2) * 2 ? 1 : 0.1)), n, 4);
    const Yl = Uint8Array.from({ length: n * 2 }, (_, k) => (k % 2 === 0 ? Math.floor(k / 2) % 2 === 1 : Math.floor(k / 2) % 2 === 0) ? 1 : 0);
    const { model: m } = fitStackedModel([words], Yl, 2, { C: 4, classWeight: 'none', maxEpochs: 20, tol: 0.01, seed: 0, nbBlock: 0, stackFolds: 3, stackC: 1, stackRefit: false });
    const s = decisionFunction(m, words);
    for (let i = 0; i < n; i++) {
      expect(s[i * 2]! > 0).toBe(Yl[i * 2] === 1);
      expect(s[i * 2 + 1]! > 0).toBe(Yl[i * 2 + 1] === 1);
    }
  });
});

describe('options', () => {
  it('validates the new options and names the fix', () => {
    expect(() => resolveTextClassifierOptions({ stackFolds: 1 })).toThrow(/stackFolds: expected 0 \(off\) or an integer from 2 to 10/);
    expect(() => resolveTextClassifierOptions({ nbWords: 'yes' as never })).toThrow(/nbWords: expected true or false/);
    expect(() => resolveTextClassifierOptions({ stackC: 0 })).toThrow(/stackC: expected a positive/);
    expect(resolveTextClassifierOptions({})).toMatchObject({ nbWords: false, stackFolds: 0, stackC: 0.1, stackRefit: false, blendWordChar: false, classWeight: 'none' });
    expect(() => resolveTextClassifierOptions({ blendWordChar: 1 as never })).toThrow(/option blendWordChar: expected true or false/);
  });
});
