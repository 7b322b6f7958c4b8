/**
 * Decision-threshold selection from a precision-recall curve (C2 "prediction-quality tuning"): maximise F-beta,
 * or reach a target precision (then the best recall) or a target recall (then the best precision).
 * Candidates are the curve's thresholds (every distinct score); predicting positive means score ≥ threshold.
 */
import { precisionRecallCurve, column, type PrecisionRecallCurve } from './ranking.ts';

export type ThresholdObjective =
  | { kind: 'f-beta'; beta?: number }
  | { kind: 'target-precision'; target: number }
  | { kind: 'target-recall'; target: number };

export interface ThresholdChoice {
  threshold: number;
  precision: number;
  recall: number;
  /** F-beta at the threshold (beta of the objective, 1 for the target objectives). */
  f: number;
}

/**
 * Best threshold on a curve, or null when no threshold meets the target (or the curve is empty).
 * F-beta: the first maximum in ascending-threshold order (np.argmax over the curve without its last point, as
 * the sklearn peer does). Targets: ties on the optimised metric go to the better other metric, then the lower threshold.
 */
export function chooseThreshold(curve: PrecisionRecallCurve, objective: ThresholdObjective): ThresholdChoice | null {
  const { precision: P, recall: R, thresholds: T } = curve;
  const beta = objective.kind === 'f-beta' ? (objective.beta ?? 1) : 1;
  if (!(beta > 0)) throw new Error(`chooseThreshold: beta must be > 0, got ${beta}`);
  if (objective.kind !== 'f-beta' && !(objective.target >= 0 && objective.target <= 1)) {
    throw new Error(`chooseThreshold: target must be within 0..1, got ${objective.target}`);
  }
  const b2 = beta * beta;
  const fAt = (k: number) => ((1 + b2) * P[k] * R[k]) / Math.max(b2 * P[k] + R[k], 1e-12);
  let best = -1;
  for (let k = 0; k < T.length; k++) {
    if (objective.kind === 'f-beta') {
      if (best < 0 || fAt(k) > fAt(best)) best = k;
    } else if (objective.kind === 'target-precision') {
      if (P[k] < objective.target) continue;
      if (best < 0 || R[k] > R[best] || (R[k] === R[best] && P[k] > P[best])) best = k;
    } else {
      if (R[k] < objective.target) continue;
      if (best < 0 || P[k] > P[best] || (P[k] === P[best] && R[k] > R[best])) best = k;
    }
  }
  return best < 0 ? null : { threshold: T[best], precision: P[best], recall: R[best], f: fAt(best) };
}

/** Threshold for one label's truth and scores. */
export function selectThreshold(truth: ArrayLike<number>, scores: ArrayLike<number>, objective: ThresholdObjective): ThresholdChoice | null {
  return chooseThreshold(precisionRecallCurve(truth, scores), objective);
}

/** One threshold per label of rows × nLabels matrices; `fallback` (default 0.5) where a label has no valid choice. */
export function selectThresholds(scores: ArrayLike<number>, truth: ArrayLike<number>, nLabels: number, objective: ThresholdObjective, fallback = 0.5): { thresholds: Float64Array; choices: (ThresholdChoice | null)[] } {
  const thresholds = new Float64Array(nLabels), choices: (ThresholdChoice | null)[] = [];
  for (let l = 0; l < nLabels; l++) {
    const c = selectThreshold(column(truth, nLabels, l), column(scores, nLabels, l), objective);
    choices.push(c);
    thresholds[l] = c ? c.threshold : fallback;
  }
  return { thresholds, choices };
}
