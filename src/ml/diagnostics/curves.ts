/**
 * Precision-recall curves made small enough to store and draw: at most `maxPoints` points per curve, evenly
 * spread over the curve's thresholds, always keeping both ends and any point the caller marks (the chosen
 * threshold), plus average precision for the legend.
 */
import type { PrecisionRecallCurve } from '../metrics/ranking.ts';

export interface CurvePoints {
  /** Parallel arrays, thresholds ascending (recall non-increasing). */
  recall: number[];
  precision: number[];
  thresholds: number[];
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Index of the largest curve threshold ≤ t (the point "predict positive when score ≥ t" lands on); 0 below all. */
export function curveIndexAt(curve: PrecisionRecallCurve, t: number): number {
  const T = curve.thresholds;
  let lo = 0, hi = T.length - 1, best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (T[mid] <= t) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best;
}

export function downsampleCurve(curve: PrecisionRecallCurve, maxPoints = 200, keepThresholds: number[] = []): CurvePoints {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) throw new Error(`downsampleCurve: maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  const m = curve.thresholds.length;
  const out: CurvePoints = { recall: [], precision: [], thresholds: [] };
  if (m === 0) return out;
  const keep = new Set<number>();
  const budget = Math.max(2, maxPoints - keepThresholds.length);
  if (m <= maxPoints) for (let k = 0; k < m; k++) keep.add(k);
  else for (let i = 0; i < budget; i++) keep.add(Math.round((i * (m - 1)) / (budget - 1)));
  for (const t of keepThresholds) if (Number.isFinite(t)) keep.add(curveIndexAt(curve, t));
  for (const k of [...keep].sort((a, b) => a - b)) {
    out.recall.push(r4(curve.recall[k]));
    out.precision.push(r4(curve.precision[k]));
    out.thresholds.push(r6(curve.thresholds[k]));
  }
  return out;
}

/** Average precision of a curve (Σ (R_k − R_{k+1}) P_k, as sklearn's average_precision_score). */
export function curveAveragePrecision(curve: PrecisionRecallCurve): number {
  const { precision: P, recall: R } = curve;
  let ap = 0;
  for (let k = 0; k + 1 < P.length; k++) ap += (R[k] - R[k + 1]) * P[k];
  return ap;
}
