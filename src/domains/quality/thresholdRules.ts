/**
 * Rules that pick one label's decision threshold from (out-of-fold) scores to maximise F1 on unseen data.
 * 'best' is the plain first maximum of F1 over the distinct scores (what tuneThresholds does); on rare labels that
 * maximum sits on a few lucky positives, so the others trade a little in-sample F1 for stability:
 * - 'smoothed': F1 as a function of k (the number of rows predicted positive) averaged over k ± window·P (P =
 *   positives), then maximised; the threshold is the k-th highest score.
 * - 'bagged': the mean logit of the 'best' thresholds of `rounds` bootstrap resamples (seeded).
 * - 'halfF': half the best F1 value — the F1-optimal threshold of a calibrated scorer (Lipton, Elkan &
 *   Naryanaswamy 2014); it ignores the curve's shape.
 */
import { mulberry32 } from '../../ml/index.ts';

export type ThresholdRule =
  | { kind: 'best' }
  | { kind: 'smoothed'; window: number }
  | { kind: 'bagged'; rounds: number; seed: number }
  | { kind: 'halfF' };

export interface RuleChoice {
  threshold: number;
  /** F1 on the given rows at `threshold` (the in-sample figure, optimistic). */
  f: number;
}

/** Row indices by descending score (stable: equal scores keep row order). */
function descending(scores: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** F1 at threshold t: predict positive when score ≥ t. */
export function f1AtThreshold(scores: ArrayLike<number>, truth: ArrayLike<number>, t: number): number {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i]! >= t) { if (truth[i]) tp++; else fp++; } else if (truth[i]) fn++;
  }
  return tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
}

/**
 * The 'best' threshold: first F1 maximum in ascending-threshold order (the lowest threshold among ties, as
 * np.argmax over sklearn's curve), cutting only between distinct scores. null when there is no positive.
 */
function bestCut(scores: ArrayLike<number>, truth: ArrayLike<number>, order: Int32Array): RuleChoice | null {
  let P = 0;
  for (let i = 0; i < truth.length; i++) P += truth[i] ? 1 : 0;
  if (P === 0) return null;
  let tp = 0, best: RuleChoice | null = null;
  for (let k = 0; k < order.length; k++) {
    tp += truth[order[k]!] ? 1 : 0;
    const s = scores[order[k]!]!;
    if (k + 1 < order.length && scores[order[k + 1]!] === s) continue; // not a cut between distinct scores
    const f = (2 * tp) / (k + 1 + P);
    if (!best || f >= best.f) best = { threshold: s, f };
  }
  return best;
}

/** F1 after the top k rows (k = 1..n) by descending score, as an array indexed k − 1. */
function f1ByK(truth: ArrayLike<number>, order: Int32Array, P: number): Float64Array {
  const out = new Float64Array(order.length);
  let tp = 0;
  for (let k = 0; k < order.length; k++) {
    tp += truth[order[k]!] ? 1 : 0;
    out[k] = (2 * tp) / (k + 1 + P);
  }
  return out;
}

/** One label's threshold by `rule`; `fallback` (default 0.5) when the rows hold no positive. */
export function chooseThresholdBy(scores: ArrayLike<number>, truth: ArrayLike<number>, rule: ThresholdRule, fallback = 0.5): RuleChoice {
  const n = scores.length;
  const order = descending(scores);
  const best = bestCut(scores, truth, order);
  if (!best) return { threshold: fallback, f: 0 };
  let t = best.threshold;
  if (rule.kind === 'halfF') t = best.f / 2;
  else if (rule.kind === 'smoothed') {
    let P = 0;
    for (let i = 0; i < n; i++) P += truth[i] ? 1 : 0;
    const f = f1ByK(truth, order, P), h = Math.max(1, Math.round(rule.window * P));
    const prefix = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + f[k]!;
    let bestK = 0, bestS = -1;
    for (let k = 0; k < n; k++) {
      const lo = Math.max(0, k - h), hi = Math.min(n - 1, k + h);
      const s = (prefix[hi + 1]! - prefix[lo]!) / (hi - lo + 1);
      if (s >= bestS) { bestS = s; bestK = k; }
    }
    t = scores[order[bestK]!]!;
  } else if (rule.kind === 'bagged') {
    const rand = mulberry32(rule.seed);
    const bs = new Float64Array(n), by = new Uint8Array(n);
    let sum = 0, m = 0;
    for (let r = 0; r < rule.rounds; r++) {
      for (let i = 0; i < n; i++) {
        const j = rand.int(n);
        bs[i] = scores[j]!;
        by[i] = truth[j] ? 1 : 0;
      }
      const c = bestCut(bs, by, descending(bs));
      if (!c) continue;
      const p = Math.min(Math.max(c.threshold, 1e-12), 1 - 1e-12);
      sum += Math.log(p / (1 - p));
      m++;
    }
    if (m > 0) t = 1 / (1 + Math.exp(-sum / m));
  }
  return { threshold: t, f: f1AtThreshold(scores, truth, t) };
}
