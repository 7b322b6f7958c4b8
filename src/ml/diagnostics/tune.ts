/**
 * Decision rules from validation scores (normally out-of-fold scores of the training part):
 * - multi-label: one threshold per label from its precision-recall curve (F-beta, or a target precision/recall);
 * - multi-class: an abstain level on the top score ("answer only when confident"), chosen on the selective
 *   curve where precision = accuracy of the answered rows and recall = correct answers / all rows.
 * Inputs are the generic rows × labels Float32Array scores + Uint8Array truth shared by every classifier kind.
 */
import { argmaxRows } from '../metrics/classification.ts';
import { binaryClfCurve, column, precisionRecallCurve, type PrecisionRecallCurve } from '../metrics/ranking.ts';
import { chooseThreshold, type ThresholdChoice, type ThresholdObjective } from '../metrics/thresholds.ts';

export interface LabelTuning {
  /** The threshold applied (fallback where no threshold meets the objective). */
  threshold: number;
  /** The curve point chosen on the validation scores; null when the objective cannot be met. */
  choice: ThresholdChoice | null;
  curve: PrecisionRecallCurve;
}

export interface ThresholdTuning {
  thresholds: Float64Array;
  labels: LabelTuning[];
}

/**
 * Per-label thresholds. The applied threshold is the midpoint between the chosen score and the next lower
 * distinct score when `midpoint` is set (the same decisions on the validation rows, more room on new rows);
 * by default it is the chosen score itself, as scikit-learn's `precision_recall_curve` reports it.
 */
export function tuneThresholds(scores: ArrayLike<number>, truth: ArrayLike<number>, nLabels: number, objective: ThresholdObjective, options: { fallback?: number; midpoint?: boolean } = {}): ThresholdTuning {
  const fallback = options.fallback ?? 0.5;
  const thresholds = new Float64Array(nLabels);
  const labels: LabelTuning[] = [];
  for (let l = 0; l < nLabels; l++) {
    const curve = precisionRecallCurve(column(truth, nLabels, l), column(scores, nLabels, l));
    const choice = chooseThreshold(curve, objective);
    let t = choice ? choice.threshold : fallback;
    if (choice && options.midpoint) {
      const k = curve.thresholds.indexOf(choice.threshold);
      if (k > 0) t = (curve.thresholds[k] + curve.thresholds[k - 1]) / 2;
    }
    thresholds[l] = t;
    labels.push({ threshold: t, choice, curve });
  }
  return { thresholds, labels };
}

/**
 * The selective-classification curve of a multi-class scorer: answering only rows whose top score is ≥ t,
 * precision = correct answers / answers and recall = correct answers / all rows. Same layout as a PR curve.
 */
export function selectiveCurve(scores: ArrayLike<number>, truth: ArrayLike<number>, nClasses: number): PrecisionRecallCurve {
  const n = Math.floor(scores.length / nClasses);
  const top = argmaxRows(scores, nClasses), trueClass = argmaxRows(truth, nClasses);
  const correct = new Uint8Array(n), conf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    correct[i] = top[i] === trueClass[i] && truth[i * nClasses + trueClass[i]] ? 1 : 0;
    conf[i] = scores[i * nClasses + top[i]];
  }
  const { fps, tps, thresholds } = binaryClfCurve(correct, conf);
  const m = tps.length;
  const precision = new Float64Array(m + 1), recall = new Float64Array(m + 1), th = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const r = m - 1 - k, answered = tps[r] + fps[r];
    precision[k] = answered ? tps[r] / answered : 0;
    recall[k] = n ? tps[r] / n : 0;
    th[k] = thresholds[r];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}

export interface AbstainTuning {
  /** Answer only when the top score is ≥ this; null = always answer (the lowest candidate won). */
  abstainBelow: number | null;
  choice: ThresholdChoice | null;
  curve: PrecisionRecallCurve;
}

export function tuneAbstain(scores: ArrayLike<number>, truth: ArrayLike<number>, nClasses: number, objective: ThresholdObjective): AbstainTuning {
  const curve = selectiveCurve(scores, truth, nClasses);
  const choice = chooseThreshold(curve, objective);
  const abstainBelow = !choice || choice.threshold <= curve.thresholds[0] ? null : choice.threshold;
  return { abstainBelow, choice, curve };
}

/** Precision and recall of one label's column at a threshold (predict positive when score ≥ threshold). */
export function pointAt(truth: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): { precision: number; recall: number; f1: number } {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const pos = scores[i] >= threshold;
    if (pos && truth[i]) tp++;
    else if (pos) fp++;
    else if (truth[i]) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0, recall = tp + fn ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}
