/**
 * Rules that pick one label's decision threshold from (out-of-fold) scores to maximise F1 on unseen data.
 * 'best' is the plain first maximum of F1 over the distinct scores (what tuneThresholds does); on rare labels that
 * maximum sits on a few lucky positives, so 'smoothed' trades a little in-sample F1 for stability: F1 (F-beta
 * with beta) as a function of k (the number of rows predicted positive) averaged over k ± window·P (P = positives; narrower at the ends),
 * then maximised; the threshold is the k-th highest score. Nested on train-only out-of-fold scores it added
 * +0.0002 to +0.0023 held-out macro F1 (docs/benchmarks.md, tuning ablation). Also tried there and dropped: the mean
 * logit of bootstrap 'best' thresholds (jigsaw +0.0013, GoEmotions −0.0008) and half the best F1 (the optimum of a
 * calibrated scorer; −0.03 to −0.05: these scores are not calibrated enough).
 */
import { column } from '../../ml/index.ts';

export type ThresholdRule =
  | { kind: 'best' }
  | { kind: 'smoothed'; window: number; beta?: number };

export interface RuleChoice {
  threshold: number;
  /** F1 (not F-beta) on the given rows at `threshold` (the in-sample figure, optimistic). */
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

/** F-beta after the top k rows (k = 1..n) by descending score, as an array indexed k − 1: (1+β²)TP / (k + β²P). */
function fByK(truth: ArrayLike<number>, order: Int32Array, P: number, beta: number): Float64Array {
  const out = new Float64Array(order.length), b2 = beta * beta;
  let tp = 0;
  for (let k = 0; k < order.length; k++) {
    tp += truth[order[k]!] ? 1 : 0;
    out[k] = ((1 + b2) * tp) / (k + 1 + b2 * P);
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
  if (rule.kind === 'smoothed') {
    let P = 0;
    for (let i = 0; i < n; i++) P += truth[i] ? 1 : 0;
    const f = fByK(truth, order, P, rule.beta ?? 1), h = Math.max(1, Math.round(rule.window * P));
    const prefix = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + f[k]!;
    let bestK = 0, bestS = -1;
    for (let k = 0; k < n; k++) {
      // symmetric window, narrowed at the ends (a one-sided window would favour k = n, where F1 is flat)
      const hk = Math.min(h, k, n - 1 - k), lo = k - hk, hi = k + hk;
      const s = (prefix[hi + 1]! - prefix[lo]!) / (hi - lo + 1);
      if (s >= bestS) { bestS = s; bestK = k; }
    }
    t = scores[order[bestK]!]!;
  }
  return { threshold: t, f: f1AtThreshold(scores, truth, t) };
}

/**
 * text.tune's `smoothing`: replaces each label's threshold (of labels with a positive) by the 'smoothed' rule's,
 * and its validation point (out-of-fold precision, recall, F-beta at the new threshold).
 */
export function smoothThresholds(
  thresholds: Float64Array, oof: Float32Array, truth: Uint8Array, labels: readonly string[], rule: ThresholdRule & { kind: 'smoothed' },
  validation: Record<string, { threshold: number; precision: number; recall: number; f: number } | null>,
): void {
  const n = labels.length, b2 = (rule.beta ?? 1) ** 2, r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  labels.forEach((l, j) => {
    if (!validation[l]) return;
    const s = column(oof, n, j), y = column(truth, n, j);
    const t = chooseThresholdBy(s, y, rule).threshold;
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < s.length; i++) {
      if (s[i]! >= t) { if (y[i]) tp++; else fp++; } else if (y[i]) fn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0, recall = tp + fn ? tp / (tp + fn) : 0;
    const f = precision + recall ? ((1 + b2) * precision * recall) / (b2 * precision + recall) : 0;
    thresholds[j] = t;
    validation[l] = { threshold: r4(t), precision: r4(precision), recall: r4(recall), f: r4(f) };
  });
}
