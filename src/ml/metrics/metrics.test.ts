import { describe, expect, it } from 'vitest';
import {
  accuracyScore, argmaxRows, confusionMatrix, hammingLoss, labelMatrix, multilabelConfusionMatrix, oneHot,
  precisionRecallFscore, thresholdScores,
} from './classification.ts';
import { averagePrecisionScore, column, nanMean, perLabelRocAuc, precisionRecallCurve, rocAucScore, rocCurve } from './ranking.ts';
import { chooseThreshold, selectThreshold, selectThresholds } from './thresholds.ts';

// Same arrays as src/ml/__reference__/metrics_reference.py (12 rows × 3 labels; scores with ties)
const Y = [[1,0,0],[0,1,0],[1,1,0],[0,0,1],[1,0,1],[0,0,0],[1,1,1],[0,1,0],[0,0,0],[1,0,0],[0,1,1],[1,0,0]];
const S = [[.9,.2,.1],[.3,.8,.2],[.7,.6,.3],[.2,.1,.4],[.6,.3,.35],[.1,.2,.1],[.8,.7,.3],[.4,.9,.2],[.3,.3,.1],[.55,.1,.05],[.2,.45,.3],[.4,.2,.1]];
const truth = Uint8Array.from(Y.flat());
const scores = Float32Array.from(S.flat());
const pred = thresholdScores(scores, 3, 0.5);
const yt = [0, 1, 2, 2, 1, 0, 3, 3, 1, 2, 0, 1];
const yp = [0, 2, 2, 1, 1, 0, 3, 1, 1, 2, 1, 1];

// Printed by src/ml/__reference__/metrics_reference.py with scikit-learn 1.2.1 (Debian python3-sklearn)
const REF = {"accuracy": 0.5833333333, "hamming": 0.1666666667, "perLabel": {"precision": [1.0, 1.0, 0.0], "recall": [0.8333333333, 0.8, 0.0], "f1": [0.9090909091, 0.8888888889, 0.0], "support": [6, 5, 4]}, "macro": [0.6666666667, 0.5444444444, 0.5993265993], "micro": [1.0, 0.6, 0.75], "weighted": [0.7333333333, 0.6, 0.6599326599], "f2macro": 0.5651340996, "mcm": [[[6, 0], [1, 5]], [[7, 0], [1, 4]], [[8, 0], [4, 0]]], "auc": [0.9861111111, 1.0, 0.96875], "ap": [0.9761904762, 1.0, 0.9], "roc2": {"fpr": [0.0, 0.0, 0.0, 0.125, 0.375, 0.875, 1.0], "tpr": [0.0, 0.25, 0.5, 1.0, 1.0, 1.0, 1.0], "thresholds": [1.4, 0.4, 0.35, 0.3, 0.2, 0.1, 0.05]}, "pr": [{"precision": [0.5, 0.5454545455, 0.6666666667, 0.8571428571, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "recall": [1.0, 1.0, 1.0, 1.0, 0.8333333333, 0.6666666667, 0.5, 0.3333333333, 0.1666666667, 0.0], "thresholds": [0.1, 0.2, 0.3, 0.4, 0.55, 0.6, 0.7, 0.8, 0.9], "bestF1Threshold": 0.4, "bestF1": 0.9230769231}, {"precision": [0.4166666667, 0.5, 0.7142857143, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "recall": [1.0, 1.0, 1.0, 1.0, 0.8, 0.6, 0.4, 0.2, 0.0], "thresholds": [0.1, 0.2, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9], "bestF1Threshold": 0.45, "bestF1": 1.0}, {"precision": [0.3333333333, 0.3636363636, 0.5714285714, 0.8, 1.0, 1.0, 1.0], "recall": [1.0, 1.0, 1.0, 1.0, 0.5, 0.25, 0.0], "thresholds": [0.05, 0.1, 0.2, 0.3, 0.35, 0.4], "bestF1Threshold": 0.3, "bestF1": 0.8888888889}], "cm": [[2, 1, 0, 0, 0], [0, 3, 1, 0, 0], [0, 1, 2, 0, 0], [0, 1, 0, 1, 0], [0, 0, 0, 0, 0]], "mcAccuracy": 0.6666666667, "mcPerClass": {"precision": [1.0, 0.5, 0.6666666667, 1.0, 0.0], "recall": [0.6666666667, 0.75, 0.6666666667, 0.5, 0.0], "f1": [0.8, 0.6, 0.6666666667, 0.6666666667, 0.0], "support": [3, 4, 3, 2, 0]}, "mcMacroF1": 0.5466666667, "mcMicroF1": 0.6666666667};

const close = (got: ArrayLike<number>, want: number[], tol = 1e-6) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, k) => expect(Math.abs(got[k] - w), `index ${k}`).toBeLessThan(tol));
};

describe('classification metrics (vs scikit-learn)', () => {
  it('accuracy (subset) and hamming loss', () => {
    expect(accuracyScore(truth, pred, 3)).toBeCloseTo(REF.accuracy, 9);
    expect(hammingLoss(truth, pred, 3)).toBeCloseTo(REF.hamming, 9);
  });

  it('per-label, macro, micro and weighted precision / recall / F1 with zero_division=0', () => {
    const r = precisionRecallFscore(truth, pred, 3);
    close(r.perLabel.precision, REF.perLabel.precision);
    close(r.perLabel.recall, REF.perLabel.recall);
    close(r.perLabel.f, REF.perLabel.f1);
    expect(Array.from(r.perLabel.support)).toEqual(REF.perLabel.support);
    close([r.macro.precision, r.macro.recall, r.macro.f], REF.macro);
    close([r.micro.precision, r.micro.recall, r.micro.f], REF.micro);
    close([r.weighted.precision, r.weighted.recall, r.weighted.f], REF.weighted);
    expect(precisionRecallFscore(truth, pred, 3, 2).macro.f).toBeCloseTo(REF.f2macro, 9);
  });

  it('multilabel confusion matrices [[tn, fp], [fn, tp]]', () => {
    expect(Array.from(multilabelConfusionMatrix(truth, pred, 3))).toEqual(REF.mcm.flat(2));
  });

  it('multi-class confusion matrix and per-class metrics via one-hot', () => {
    expect(Array.from(confusionMatrix(yt, yp, 5))).toEqual(REF.cm.flat());
    const T = oneHot(yt, 5), P = oneHot(yp, 5);
    expect(accuracyScore(T, P, 5)).toBeCloseTo(REF.mcAccuracy, 9);
    const r = precisionRecallFscore(T, P, 5);
    close(r.perLabel.precision, REF.mcPerClass.precision);
    close(r.perLabel.recall, REF.mcPerClass.recall);
    close(r.perLabel.f, REF.mcPerClass.f1);
    expect(Array.from(r.perLabel.support)).toEqual(REF.mcPerClass.support);
    expect(r.macro.f).toBeCloseTo(REF.mcMacroF1, 9);
    expect(r.micro.f).toBeCloseTo(REF.mcMicroF1, 9);
  });

  it('helpers: argmax, label matrices, per-label thresholds, shape errors', () => {
    expect(Array.from(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0], 3))).toEqual([1, 0]);
    expect(Array.from(labelMatrix([[0, 2], [], [1]], 3))).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(Array.from(thresholdScores([0.3, 0.3], 2, [0.2, 0.4]))).toEqual([1, 0]);
    expect(() => labelMatrix([[3]], 3)).toThrow(/label 3 at row 0/);
    expect(() => oneHot([5], 3)).toThrow(/class 5 at row 0/);
    expect(() => hammingLoss([1, 0], [1], 1)).toThrow(/entries/);
    expect(() => confusionMatrix([0, 4], [0, 0], 3)).toThrow(/row 1/);
  });
});

describe('ranking metrics (vs scikit-learn)', () => {
  it('ROC AUC with ties, per label and mean', () => {
    for (let j = 0; j < 3; j++) expect(rocAucScore(column(truth, 3, j), column(scores, 3, j))).toBeCloseTo(REF.auc[j], 6);
    close(perLabelRocAuc(scores, truth, 3), REF.auc);
    expect(rocAucScore([1, 1], [0.2, 0.3])).toBeNaN();
    expect(nanMean([0.5, NaN, 1])).toBe(0.75);
  });

  it('roc_curve with dropped intermediate points', () => {
    const r = rocCurve(column(truth, 3, 2), column(scores, 3, 2));
    close(r.fpr, REF.roc2.fpr);
    close(r.tpr, REF.roc2.tpr);
    close(r.thresholds, REF.roc2.thresholds);
  });

  it('precision_recall_curve, average precision and the best-F1 threshold', () => {
    for (let j = 0; j < 3; j++) {
      const c = precisionRecallCurve(column(truth, 3, j), column(scores, 3, j));
      close(c.precision, REF.pr[j].precision);
      close(c.recall, REF.pr[j].recall);
      close(c.thresholds, REF.pr[j].thresholds);
      expect(averagePrecisionScore(column(truth, 3, j), column(scores, 3, j))).toBeCloseTo(REF.ap[j], 6);
      const best = chooseThreshold(c, { kind: 'f-beta' })!;
      expect(best.threshold).toBeCloseTo(REF.pr[j].bestF1Threshold, 6);
      expect(best.f).toBeCloseTo(REF.pr[j].bestF1, 6);
    }
    const none = precisionRecallCurve([0, 0], [0.1, 0.2]);
    expect(Array.from(none.recall)).toEqual([1, 1, 0]);
  });
});

describe('threshold selection', () => {
  const t0 = column(truth, 3, 0), s0 = column(scores, 3, 0);
  it('target precision: best recall among thresholds reaching it', () => {
    // label 0 curve: precision 0.857 at 0.4 (recall 1), 1.0 from 0.55 (recall 0.833)
    expect(selectThreshold(t0, s0, { kind: 'target-precision', target: 0.95 })).toMatchObject({ threshold: 0.550000011920929, precision: 1 });
    expect(selectThreshold(t0, s0, { kind: 'target-precision', target: 0.8 })!.threshold).toBeCloseTo(0.4, 6);
  });

  it('target recall: best precision among thresholds reaching it', () => {
    const c = selectThreshold(t0, s0, { kind: 'target-recall', target: 0.8 })!;
    expect(c.threshold).toBeCloseTo(0.55, 6);
    expect(c.recall).toBeCloseTo(5 / 6, 9);
    expect(selectThreshold(t0, s0, { kind: 'target-recall', target: 1 })!.threshold).toBeCloseTo(0.4, 6);
  });

  it('F-beta weights recall more for beta > 1, and per-label selection falls back', () => {
    const f2 = selectThreshold(column(truth, 3, 2), column(scores, 3, 2), { kind: 'f-beta', beta: 2 })!;
    expect(f2.threshold).toBeCloseTo(0.3, 6);
    const { thresholds, choices } = selectThresholds(scores, truth, 3, { kind: 'target-precision', target: 1 }, 0.5);
    expect(Array.from(thresholds).map((t) => +t.toFixed(6))).toEqual([0.55, 0.45, 0.35]);
    expect(choices.map((c) => c!.precision)).toEqual([1, 1, 1]);
    // without positives precision is 0 everywhere (and recall 1, as sklearn): no threshold reaches precision 1
    const impossible = selectThresholds(new Float32Array([0.1, 0.2]), new Uint8Array([0, 0]), 1, { kind: 'target-precision', target: 1 }, 0.7);
    expect(impossible.thresholds[0]).toBe(0.7);
    expect(impossible.choices[0]).toBeNull();
    expect(() => selectThreshold(t0, s0, { kind: 'target-recall', target: 2 })).toThrow(/target/);
  });
});
