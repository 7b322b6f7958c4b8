/**
 * Classification metrics with scikit-learn 1.2 semantics and zero_division=0, on a generic shape shared by
 * text and image classifiers: rows × labels matrices, truth as Uint8Array 0/1, predictions as Uint8Array 0/1
 * (multi-label, from `thresholdScores`) or one-hot (multi-class, from `argmaxRows` + `oneHot`).
 * On one-hot inputs the per-label figures are sklearn's per-class ones and micro F1 equals accuracy.
 */

/** 1 where score ≥ threshold (one threshold, or one per label). */
export function thresholdScores(scores: ArrayLike<number>, nLabels: number, thresholds: number | ArrayLike<number> = 0.5): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let k = 0; k < scores.length; k++) {
    const t = typeof thresholds === 'number' ? thresholds : thresholds[k % nLabels];
    out[k] = scores[k] >= t ? 1 : 0;
  }
  return out;
}

/** Index of the largest score per row (first on ties, as numpy argmax). */
export function argmaxRows(scores: ArrayLike<number>, nLabels: number): Int32Array {
  const n = Math.floor(scores.length / nLabels), out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let l = 1; l < nLabels; l++) if (scores[i * nLabels + l] > scores[i * nLabels + best]) best = l;
    out[i] = best;
  }
  return out;
}

/** rows × nClasses 0/1 matrix from class indices. */
export function oneHot(classes: ArrayLike<number>, nClasses: number): Uint8Array {
  const out = new Uint8Array(classes.length * nClasses);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (!(c >= 0 && c < nClasses && Number.isInteger(c))) throw new Error(`oneHot: class ${c} at row ${i} is not in 0..${nClasses - 1}`);
    out[i * nClasses + c] = 1;
  }
  return out;
}

/** rows × nLabels 0/1 matrix from label-index lists. */
export function labelMatrix(labels: readonly (readonly number[])[], nLabels: number): Uint8Array {
  const out = new Uint8Array(labels.length * nLabels);
  labels.forEach((ls, i) => {
    for (const c of ls) {
      if (!(c >= 0 && c < nLabels && Number.isInteger(c))) throw new Error(`labelMatrix: label ${c} at row ${i} is not in 0..${nLabels - 1}`);
      out[i * nLabels + c] = 1;
    }
  });
  return out;
}

function checkShapes(truth: ArrayLike<number>, pred: ArrayLike<number>, nLabels: number): number {
  if (truth.length !== pred.length) throw new Error(`metrics: truth has ${truth.length} entries, predictions ${pred.length}`);
  if (nLabels < 1 || truth.length % nLabels !== 0) throw new Error(`metrics: ${truth.length} entries is not a multiple of ${nLabels} labels`);
  return truth.length / nLabels;
}

/** sklearn accuracy_score: fraction of rows predicted exactly (subset accuracy for multi-label). */
export function accuracyScore(truth: ArrayLike<number>, pred: ArrayLike<number>, nLabels: number): number {
  const n = checkShapes(truth, pred, nLabels);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let same = true;
    for (let l = 0; l < nLabels && same; l++) same = !truth[i * nLabels + l] === !pred[i * nLabels + l];
    if (same) ok++;
  }
  return n ? ok / n : 0;
}

/** sklearn hamming_loss: fraction of wrong label decisions. */
export function hammingLoss(truth: ArrayLike<number>, pred: ArrayLike<number>, nLabels: number): number {
  checkShapes(truth, pred, nLabels);
  let wrong = 0;
  for (let k = 0; k < truth.length; k++) if (!truth[k] !== !pred[k]) wrong++;
  return truth.length ? wrong / truth.length : 0;
}

/** sklearn multilabel_confusion_matrix: nLabels blocks of [[tn, fp], [fn, tp]], flattened (index l*4 + 2*true + pred). */
export function multilabelConfusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, nLabels: number): Int32Array {
  const n = checkShapes(truth, pred, nLabels), out = new Int32Array(nLabels * 4);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < nLabels; l++) out[l * 4 + 2 * (truth[i * nLabels + l] ? 1 : 0) + (pred[i * nLabels + l] ? 1 : 0)]++;
  }
  return out;
}

/** sklearn confusion_matrix: nClasses × nClasses, row = true class, column = predicted class (flattened row-major). */
export function confusionMatrix(trueClasses: ArrayLike<number>, predClasses: ArrayLike<number>, nClasses: number): Int32Array {
  if (trueClasses.length !== predClasses.length) throw new Error(`confusionMatrix: ${trueClasses.length} true vs ${predClasses.length} predicted`);
  const out = new Int32Array(nClasses * nClasses);
  for (let i = 0; i < trueClasses.length; i++) {
    const t = trueClasses[i], p = predClasses[i];
    if (!(t >= 0 && t < nClasses && p >= 0 && p < nClasses)) throw new Error(`confusionMatrix: row ${i} has class ${t} / ${p} outside 0..${nClasses - 1}`);
    out[t * nClasses + p]++;
  }
  return out;
}

export interface Prf {
  precision: number;
  recall: number;
  f: number;
}

export interface PrfReport {
  perLabel: { precision: Float64Array; recall: Float64Array; f: Float64Array; support: Int32Array };
  macro: Prf;
  micro: Prf;
  /** Averages weighted by support. */
  weighted: Prf;
}

function fScore(p: number, r: number, beta2: number): number {
  const denom = beta2 * p + r;
  return denom > 0 ? ((1 + beta2) * p * r) / denom : 0;
}

/** sklearn precision_recall_fscore_support (zero_division=0) per label plus macro / micro / weighted averages. */
export function precisionRecallFscore(truth: ArrayLike<number>, pred: ArrayLike<number>, nLabels: number, beta = 1): PrfReport {
  const mcm = multilabelConfusionMatrix(truth, pred, nLabels), b2 = beta * beta;
  const precision = new Float64Array(nLabels), recall = new Float64Array(nLabels), f = new Float64Array(nLabels), support = new Int32Array(nLabels);
  let TP = 0, FP = 0, FN = 0, totalSupport = 0;
  const macro = { precision: 0, recall: 0, f: 0 }, weighted = { precision: 0, recall: 0, f: 0 };
  for (let l = 0; l < nLabels; l++) {
    const fp = mcm[l * 4 + 1], fn = mcm[l * 4 + 2], tp = mcm[l * 4 + 3];
    precision[l] = tp + fp > 0 ? tp / (tp + fp) : 0;
    recall[l] = tp + fn > 0 ? tp / (tp + fn) : 0;
    f[l] = fScore(precision[l], recall[l], b2);
    support[l] = tp + fn;
    TP += tp; FP += fp; FN += fn; totalSupport += tp + fn;
    macro.precision += precision[l]; macro.recall += recall[l]; macro.f += f[l];
    weighted.precision += precision[l] * support[l]; weighted.recall += recall[l] * support[l]; weighted.f += f[l] * support[l];
  }
  macro.precision /= nLabels; macro.recall /= nLabels; macro.f /= nLabels;
  if (totalSupport > 0) { weighted.precision /= totalSupport; weighted.recall /= totalSupport; weighted.f /= totalSupport; }
  else { weighted.precision = 0; weighted.recall = 0; weighted.f = 0; }
  const mp = TP + FP > 0 ? TP / (TP + FP) : 0, mr = TP + FN > 0 ? TP / (TP + FN) : 0;
  return { perLabel: { precision, recall, f, support }, macro, micro: { precision: mp, recall: mr, f: fScore(mp, mr, b2) }, weighted };
}
