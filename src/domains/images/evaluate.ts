/**
 * The metrics of an image classifier on labelled images (the `metrics` of the HTTP contract): accuracy,
 * balanced accuracy, per-label precision/recall/F1/support/AUC, macro F1, mean one-vs-rest ROC AUC and the
 * confusion matrix (rows = true labels). Reuses the text report for the per-label figures.
 */
import { balancedAccuracyScore, macroF1Score, multiclassRocAuc } from '../../ml/metrics/multiclass.ts';
import { argmaxRows, oneHot } from '../../ml/metrics/index.ts';
import { classificationReport, type LabelMetrics } from '../classifiers/evaluate.ts';

export interface ImageMetrics {
  accuracy: number;
  balanced_accuracy: number;
  macro_f1: number;
  mean_auc: number | null;
  per_label: Record<string, LabelMetrics>;
  confusion_matrix: { labels: string[]; matrix: number[][] };
  n_test: number;
}

export interface CvSummary {
  folds: number;
  /** Fold assignments tried (seeds seed, seed+1, …); the means are over repeats of the pooled out-of-fold scores. */
  repeats: number;
  pooled: Array<{ seed: number; balanced_accuracy: number; macro_f1: number }>;
  balanced_accuracy_mean: number;
  balanced_accuracy_std: number;
  macro_f1_mean: number;
  accuracy_mean: number;
  per_fold: Array<{ balanced_accuracy: number; macro_f1: number; n: number }>;
}

export const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function imageMetrics(labels: string[], proba: ArrayLike<number>, truth: Int32Array): ImageMetrics {
  const k = labels.length;
  const n = truth.length;
  const report = classificationReport('multi-class', labels, Float32Array.from(proba), oneHot(truth, k));
  const pred = argmaxRows(proba, k);
  const auc = multiclassRocAuc(truth, proba, k);
  return {
    accuracy: report.accuracy,
    balanced_accuracy: r4(balancedAccuracyScore(truth, pred, k)),
    macro_f1: report.macro_f1,
    mean_auc: Number.isFinite(auc.macro) ? r4(auc.macro) : report.mean_auc,
    per_label: report.per_label,
    confusion_matrix: { labels, matrix: report.confusion_matrix as number[][] },
    n_test: n,
  };
}

/** Balanced accuracy and macro F1 of class scores (any monotone scores: logits or probabilities). */
export function quickScores(scores: ArrayLike<number>, truth: ArrayLike<number>, k: number): { balancedAccuracy: number; macroF1: number; accuracy: number } {
  const pred = argmaxRows(scores, k);
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) right++;
  return { balancedAccuracy: balancedAccuracyScore(truth, pred, k), macroF1: macroF1Score(truth, pred, k), accuracy: pred.length ? right / pred.length : 0 };
}

/**
 * Repeated grouped k-fold CV: each repeat's out-of-fold predictions are pooled into one balanced accuracy and
 * macro F1 (per-fold figures on 2 images of a rare label swing too much to average), then averaged over repeats;
 * the std is across repeats, i.e. how much the fold assignment alone moves the figure.
 */
export function summariseFolds(perFold: CvSummary['per_fold'], accuracies: number[], pooled: CvSummary['pooled'], folds: number): CvSummary {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const bas = pooled.map((p) => p.balanced_accuracy);
  const m = mean(bas);
  const std = Math.sqrt(mean(bas.map((b) => (b - m) ** 2)));
  return {
    folds,
    repeats: pooled.length,
    pooled: pooled.map((p) => ({ seed: p.seed, balanced_accuracy: r4(p.balanced_accuracy), macro_f1: r4(p.macro_f1) })),
    balanced_accuracy_mean: r4(m),
    balanced_accuracy_std: r4(std),
    macro_f1_mean: r4(mean(pooled.map((p) => p.macro_f1))),
    accuracy_mean: r4(mean(accuracies)),
    per_fold: perFold.map((f) => ({ balanced_accuracy: r4(f.balanced_accuracy), macro_f1: r4(f.macro_f1), n: f.n })),
  };
}
