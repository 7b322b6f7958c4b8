/**
 * Ranking metrics with scikit-learn 1.2 semantics: `_binary_clf_curve`, `roc_curve`, `roc_auc_score` (binary,
 * ties count half through the trapezoid over distinct thresholds), `precision_recall_curve` (thresholds
 * ascending, all of them, then a final precision 1 / recall 0 point) and `average_precision_score`.
 * Inputs are one label's column: truth 0/1 and scores. Multi-label matrices go through `column`.
 */

/** Column j of a rows × nCols row-major matrix, as float64. */
export function column(matrix: ArrayLike<number>, nCols: number, j: number): Float64Array {
  const n = Math.floor(matrix.length / nCols), out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = matrix[i * nCols + j];
  return out;
}

export interface BinaryClfCurve {
  /** Cumulative false / true positives at each distinct threshold, thresholds decreasing. */
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

/** sklearn `_binary_clf_curve`: counts at each distinct score, from the highest score down. */
export function binaryClfCurve(truth: ArrayLike<number>, scores: ArrayLike<number>): BinaryClfCurve {
  const n = truth.length;
  if (scores.length !== n) throw new Error(`metrics: ${n} truth values but ${scores.length} scores`);
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) throw new Error(`metrics: score ${i} is NaN`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const fps: number[] = [], tps: number[] = [], thr: number[] = [];
  let tp = 0, fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (truth[i]) tp++; else fp++;
    if (k === n - 1 || scores[order[k + 1]] !== scores[i]) { fps.push(fp); tps.push(tp); thr.push(scores[i]); }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps), thresholds: Float64Array.from(thr) };
}

/** sklearn `roc_curve` (drop_intermediate=true): fpr, tpr, thresholds with thresholds[0] = max score + 1. */
export function rocCurve(truth: ArrayLike<number>, scores: ArrayLike<number>): { fpr: Float64Array; tpr: Float64Array; thresholds: Float64Array } {
  const c = binaryClfCurve(truth, scores);
  let { fps, tps, thresholds } = c;
  if (fps.length > 2) {
    // keep points where the curve changes direction (second difference non-zero), plus the ends
    const keep: number[] = [0];
    for (let k = 1; k < fps.length - 1; k++) {
      if (fps[k - 1] - 2 * fps[k] + fps[k + 1] !== 0 || tps[k - 1] - 2 * tps[k] + tps[k + 1] !== 0) keep.push(k);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (k) => c.fps[k]);
    tps = Float64Array.from(keep, (k) => c.tps[k]);
    thresholds = Float64Array.from(keep, (k) => c.thresholds[k]);
  }
  const m = fps.length + 1, fpr = new Float64Array(m), tpr = new Float64Array(m), th = new Float64Array(m);
  const P = m > 1 ? tps[m - 2] : 0, N = m > 1 ? fps[m - 2] : 0;
  th[0] = m > 1 ? thresholds[0] + 1 : Infinity;
  fpr[0] = N > 0 ? 0 : NaN;
  tpr[0] = P > 0 ? 0 : NaN;
  for (let k = 1; k < m; k++) {
    fpr[k] = N > 0 ? fps[k - 1] / N : NaN;
    tpr[k] = P > 0 ? tps[k - 1] / P : NaN;
    th[k] = thresholds[k - 1];
  }
  return { fpr, tpr, thresholds: th };
}

/** Binary ROC AUC; NaN when only one class is present (sklearn raises there). */
export function rocAucScore(truth: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { fps, tps } = binaryClfCurve(truth, scores);
  const m = fps.length;
  const P = m ? tps[m - 1] : 0, N = m ? fps[m - 1] : 0;
  if (P === 0 || N === 0) return NaN;
  let area = 0, pf = 0, pt = 0;
  for (let k = 0; k < m; k++) {
    area += (fps[k] - pf) * (tps[k] + pt);
    pf = fps[k];
    pt = tps[k];
  }
  return area / (2 * P * N);
}

/** ROC AUC per label of rows × nLabels matrices (NaN where a label has one class only). */
export function perLabelRocAuc(scores: ArrayLike<number>, truth: ArrayLike<number>, nLabels: number): Float64Array {
  const out = new Float64Array(nLabels);
  for (let j = 0; j < nLabels; j++) out[j] = rocAucScore(column(truth, nLabels, j), column(scores, nLabels, j));
  return out;
}

/** Mean of the defined (non-NaN) values; NaN when none. */
export function nanMean(values: ArrayLike<number>): number {
  let s = 0, c = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) { s += values[i]; c++; }
  return c ? s / c : NaN;
}

export interface PrecisionRecallCurve {
  /** length thresholds + 1; last is 1. */
  precision: Float64Array;
  /** length thresholds + 1, non-increasing; last is 0. */
  recall: Float64Array;
  /** Distinct scores, ascending. precision[k], recall[k] are for predicting positive when score ≥ thresholds[k]. */
  thresholds: Float64Array;
}

/** sklearn `precision_recall_curve` (1.2): every distinct score is a threshold; recall is 1 everywhere without positives. */
export function precisionRecallCurve(truth: ArrayLike<number>, scores: ArrayLike<number>): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve(truth, scores);
  const m = tps.length, P = m ? tps[m - 1] : 0;
  const precision = new Float64Array(m + 1), recall = new Float64Array(m + 1), th = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const r = m - 1 - k, ps = tps[r] + fps[r];
    precision[k] = ps !== 0 ? tps[r] / ps : 0;
    recall[k] = P === 0 ? 1 : tps[r] / P;
    th[k] = thresholds[r];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}

/** sklearn `average_precision_score` (binary): Σ (R_k − R_{k+1}) P_k over the PR curve. */
export function averagePrecisionScore(truth: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { precision, recall } = precisionRecallCurve(truth, scores);
  let ap = 0;
  for (let k = 0; k + 1 < precision.length; k++) ap += (recall[k] - recall[k + 1]) * precision[k];
  return ap;
}
