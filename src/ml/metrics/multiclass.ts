/**
 * Multi-class metrics on class-index vectors (one class per row), scikit-learn 1.2 semantics.
 * - balancedAccuracyScore: mean recall over the classes present in truth (sklearn balanced_accuracy_score).
 * - macroF1Score: unweighted mean F1 over the classes present in truth or predictions (sklearn f1_score
 *   average='macro', zero_division=0, default labels).
 * - multiclassRocAuc: one-vs-rest ROC AUC per class from an n × k probability matrix; macro = mean over classes that
 *   have both positives and negatives (sklearn roc_auc_score(multi_class='ovr', average='macro'), which requires all).
 */
import { column, nanMean, rocAucScore } from './ranking.ts';

function check(fn: string, truth: ArrayLike<number>, pred: ArrayLike<number>, nClasses: number): void {
  if (!(Number.isInteger(nClasses) && nClasses >= 1)) throw new Error(`${fn}: nClasses must be an integer ≥ 1 (got ${nClasses})`);
  if (truth.length !== pred.length) throw new Error(`${fn}: truth has ${truth.length} rows, predictions ${pred.length}`);
  for (const [name, v] of [['truth', truth], ['pred', pred]] as const) {
    for (let i = 0; i < v.length; i++) if (!(Number.isInteger(v[i]) && v[i] >= 0 && v[i] < nClasses)) throw new Error(`${fn}: ${name}[${i}] = ${v[i]} is not a class index in 0..${nClasses - 1}`);
  }
}

export function balancedAccuracyScore(truth: ArrayLike<number>, pred: ArrayLike<number>, nClasses: number): number {
  check('balancedAccuracyScore', truth, pred, nClasses);
  const support = new Float64Array(nClasses), hit = new Float64Array(nClasses);
  for (let i = 0; i < truth.length; i++) { support[truth[i]]++; if (pred[i] === truth[i]) hit[truth[i]]++; }
  let s = 0, c = 0;
  for (let l = 0; l < nClasses; l++) if (support[l] > 0) { s += hit[l] / support[l]; c++; }
  return c ? s / c : NaN;
}

/** Per-class F1 (zero_division=0) and the macro mean over classes seen in truth or pred. */
export function macroF1Score(truth: ArrayLike<number>, pred: ArrayLike<number>, nClasses: number): number {
  check('macroF1Score', truth, pred, nClasses);
  const tp = new Float64Array(nClasses), inTruth = new Float64Array(nClasses), inPred = new Float64Array(nClasses);
  for (let i = 0; i < truth.length; i++) { inTruth[truth[i]]++; inPred[pred[i]]++; if (truth[i] === pred[i]) tp[truth[i]]++; }
  let s = 0, c = 0;
  for (let l = 0; l < nClasses; l++) {
    if (inTruth[l] === 0 && inPred[l] === 0) continue;
    c++;
    const denom = inTruth[l] + inPred[l];
    s += denom > 0 ? (2 * tp[l]) / denom : 0;
  }
  return c ? s / c : NaN;
}

export function multiclassRocAuc(truth: ArrayLike<number>, proba: ArrayLike<number>, nClasses: number): { perClass: Float64Array; macro: number } {
  const n = truth.length;
  if (proba.length !== n * nClasses) throw new Error(`multiclassRocAuc: proba has ${proba.length} values, expected rows×classes = ${n}×${nClasses}`);
  check('multiclassRocAuc', truth, truth, nClasses);
  const perClass = new Float64Array(nClasses), onehot = new Float64Array(n);
  for (let c = 0; c < nClasses; c++) {
    for (let i = 0; i < n; i++) onehot[i] = truth[i] === c ? 1 : 0;
    perClass[c] = rocAucScore(onehot, column(proba, nClasses, c));
  }
  return { perClass, macro: nanMean(perClass) };
}
