/**
 * The metrics report of a classifier on labeled data, with Comprehend's metric set (accuracy, macro and
 * micro precision/recall/F1, hamming loss for multi-label) plus per-label ROC AUC and support, and the
 * confusion matrix in Comprehend's layout. Works on any "scores + true labels" pair, so image
 * classifiers reuse it. Field names are the CLI contract (`text train --json`).
 */
import {
  accuracyScore,
  argmaxRows,
  confusionMatrix,
  hammingLoss,
  multilabelConfusionMatrix,
  nanMean,
  oneHot,
  perLabelRocAuc,
  precisionRecallFscore,
  thresholdScores,
} from '../../ml/metrics/index.ts';

export type ClassifierMode = 'multi-class' | 'multi-label';

export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  auc: number | null;
}

export interface ClassificationReport {
  mode: ClassifierMode;
  labels: string[];
  n_documents: number;
  /** multi-class: accuracy; multi-label: subset accuracy (every label right). */
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  macro_f1: number;
  micro_precision: number;
  micro_recall: number;
  micro_f1: number;
  hamming_loss?: number;
  mean_auc: number | null;
  per_label: Record<string, LabelMetrics>;
  /** multi-class: N×N (rows actual, columns predicted); multi-label: one [[TN, FP], [FN, TP]] per label. */
  confusion_matrix: number[][] | number[][][];
  thresholds?: number[];
  /** multi-class with an abstain level: documents left unanswered (counted as wrong; not in the confusion matrix). */
  abstained?: number;
}

/** Multi-class decision options (see DecisionRule): abstain below a top score, per-class score offsets. */
export interface MultiClassDecision {
  abstainBelow?: number | null;
  offsets?: ArrayLike<number>;
}

/** The decided class per row (argmax of score + offset), or -1 when the chosen class's score is below abstainBelow. */
export function decideClasses(scores: ArrayLike<number>, n: number, decision: MultiClassDecision = {}): Int32Array {
  const rows = n === 0 ? 0 : Math.floor(scores.length / n);
  const out = new Int32Array(rows);
  const off = decision.offsets;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (scores[i * n + j]! + (off?.[j] ?? 0) > scores[i * n + best]! + (off?.[best] ?? 0)) best = j;
    out[i] = decision.abstainBelow !== undefined && decision.abstainBelow !== null && scores[i * n + best]! < decision.abstainBelow ? -1 : best;
  }
  return out;
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * @param scores rows × labels probabilities
 * @param truth rows × labels 0/1 (multi-class: one-hot)
 * @param thresholds multi-label decision thresholds (default 0.5 each); multi-class uses argmax
 */
export function classificationReport(mode: ClassifierMode, labels: string[], scores: Float32Array, truth: Uint8Array, thresholds?: ArrayLike<number>, decision?: MultiClassDecision): ClassificationReport {
  const n = labels.length;
  const rows = n === 0 ? 0 : truth.length / n;
  const decided = mode === 'multi-class' && decision ? decideClasses(scores, n, decision) : undefined;
  const pred = mode === 'multi-class'
    ? decided ? oneHotOrNone(decided, n) : oneHot(argmaxRows(scores, n), n)
    : thresholdScores(scores, n, thresholds ?? 0.5);
  const prf = precisionRecallFscore(truth, pred, n);
  const aucs = perLabelRocAuc(scores, truth, n);
  const perLabel: Record<string, LabelMetrics> = {};
  labels.forEach((l, j) => {
    perLabel[l] = {
      precision: r4(prf.perLabel.precision[j]!),
      recall: r4(prf.perLabel.recall[j]!),
      f1: r4(prf.perLabel.f[j]!),
      support: prf.perLabel.support[j]!,
      auc: Number.isNaN(aucs[j]!) ? null : r4(aucs[j]!),
    };
  });
  const meanAuc = nanMean(aucs);
  let matrix: number[][] | number[][][];
  let accuracy: number;
  let abstained: number | undefined;
  if (mode === 'multi-class') {
    const trueClasses = argmaxRows(truth, n);
    const predClasses = decided ?? argmaxRows(scores, n);
    const answered = Array.from(predClasses.keys()).filter((i) => predClasses[i]! >= 0);
    const cm = confusionMatrix(answered.map((i) => trueClasses[i]!), answered.map((i) => predClasses[i]!), n);
    matrix = Array.from({ length: n }, (_, i) => Array.from(cm.subarray(i * n, (i + 1) * n)));
    accuracy = rows === 0 ? 0 : trueClasses.reduce((acc, c, i) => acc + (c === predClasses[i] ? 1 : 0), 0) / rows;
    if (decided) abstained = rows - answered.length;
  } else {
    const mcm = multilabelConfusionMatrix(truth, pred, n);
    matrix = Array.from({ length: n }, (_, l) => [
      [mcm[l * 4]!, mcm[l * 4 + 1]!],
      [mcm[l * 4 + 2]!, mcm[l * 4 + 3]!],
    ]);
    accuracy = accuracyScore(truth, pred, n);
  }
  return {
    mode,
    labels,
    n_documents: rows,
    accuracy: r4(accuracy),
    precision_macro: r4(prf.macro.precision),
    recall_macro: r4(prf.macro.recall),
    macro_f1: r4(prf.macro.f),
    micro_precision: r4(prf.micro.precision),
    micro_recall: r4(prf.micro.recall),
    micro_f1: r4(prf.micro.f),
    ...(mode === 'multi-label' ? { hamming_loss: r4(hammingLoss(truth, pred, n)) } : {}),
    mean_auc: Number.isNaN(meanAuc) ? null : r4(meanAuc),
    per_label: perLabel,
    confusion_matrix: matrix,
    ...(thresholds && mode === 'multi-label' ? { thresholds: Array.from(thresholds, r4) } : {}),
    ...(abstained !== undefined ? { abstained } : {}),
  };
}

function oneHotOrNone(classes: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(classes.length * n);
  classes.forEach((c, i) => {
    if (c >= 0) out[i * n + c] = 1;
  });
  return out;
}
