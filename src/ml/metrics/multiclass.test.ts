import { describe, expect, it } from 'vitest';
import { balancedAccuracyScore, macroF1Score, multiclassRocAuc } from './multiclass.ts';
import { imagesReference as ref } from '../__reference__/imagesReference.ts';

describe('multi-class metrics (sklearn 1.2.1)', () => {
  const m = ref.metrics;
  it('balanced accuracy, macro F1, one-vs-rest ROC AUC', () => {
    expect(balancedAccuracyScore(m.truth, m.pred, m.k)).toBeCloseTo(m.balancedAccuracy, 9);
    expect(macroF1Score(m.truth, m.pred, m.k)).toBeCloseTo(m.macroF1, 9);
    const auc = multiclassRocAuc(m.truth, m.proba, m.k);
    auc.perClass.forEach((v, c) => expect(v).toBeCloseTo(m.aucPerClass[c], 9));
    expect(auc.macro).toBeCloseTo(m.aucMacro, 9);
  });

  it('balanced accuracy averages recall over the classes present in truth; AUC is NaN for an absent class', () => {
    expect(balancedAccuracyScore([0, 0, 1, 1], [0, 0, 1, 2], 3)).toBeCloseTo(0.75, 12);
    const auc = multiclassRocAuc([0, 1, 0, 1], [0.9, 0.1, 0, 0.2, 0.8, 0, 0.6, 0.4, 0, 0.3, 0.7, 0], 3);
    expect(auc.perClass[0]).toBe(1);
    expect(Number.isNaN(auc.perClass[2])).toBe(true);
    expect(auc.macro).toBe(1);
  });

  it('rejects bad input', () => {
    expect(() => balancedAccuracyScore([0, 1], [0], 2)).toThrow(/2 rows, predictions 1/);
    expect(() => balancedAccuracyScore([0, 3], [0, 1], 2)).toThrow(/truth\[1\] = 3/);
    expect(() => multiclassRocAuc([0, 1], [1, 0, 0], 2)).toThrow(/proba has 3 values/);
  });
});
