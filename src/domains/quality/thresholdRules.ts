/**
 * Rules that pick one label's decision threshold from (out-of-fold) scores to maximise F1 on unseen data.
 * 'best' is the plain first maximum of F1 over the distinct scores (what tuneThresholds does); on rare labels that
 * maximum sits on a few lucky positives, so 'smoothed' trades a little in-sample F1 for stability: F1 (F-beta
 * with beta) as a function of k (the number of rows predicted positive) averaged over k ± window·P (P = positives; narrower at the ends),
 * then maximised; the threshold is the k-th highest score. Nested on train-only out-of-fold scores it added
 * +0.0002 to +0.0023 held-out macro F1 (docs/benchmarks.md, tuning ablation). Also tried there and dropped: the mean
 * logit of bootstrap 'best' thresholds (jigsaw +0.0013, GoEmotions −0.0008) and half the best F1 (the optimum of a
 * calibrated scorer; −0.03 to −0.05: these scores are not calibrated enough).
 * On the stack's cross-fitted combiner scores the bootstrap mean logit did win (issue 18, bench/quality.steady.ts:
 * version 5's bases, 5 cuts × 2 seeds of jigsaw-10k's train part, B = 50: +0.0045 / +0.0054 held-out macro F1,
 * most of it on threat, severe_toxic and identity_hate), hence text.tune's opt-in `thresholdBags` (bagThresholds).
 */
import { column, mulberry32, type Rng } from '../../ml/index.ts';

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

const logit = (p: number): number => {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
};

/** `bags` bootstrap resamples of m rows (row indices drawn with replacement from `rng`, bag by bag). */
export function bootstrapSamples(m: number, bags: number, rng: Rng): Int32Array[] {
  return Array.from({ length: bags }, () => Int32Array.from({ length: m }, () => rng.int(m)));
}

/** The 'best' threshold of each resample (row indices into scores/truth) that has a positive; the others are skipped. */
export function bootstrapThresholds(scores: ArrayLike<number>, truth: ArrayLike<number>, samples: readonly (readonly number[] | Int32Array)[]): number[] {
  const out: number[] = [];
  for (const rows of samples) {
    const s = Float32Array.from(rows, (i) => scores[i]!), y = Uint8Array.from(rows, (i) => truth[i]!);
    if (y.includes(1)) out.push(chooseThresholdBy(s, y, { kind: 'best' }).threshold);
  }
  return out;
}

/** The sigmoid of the mean logit of thresholds; null for none. */
export function meanLogitThreshold(ts: readonly number[]): number | null {
  return ts.length ? 1 / (1 + Math.exp(-ts.reduce((a, t) => a + logit(t), 0) / ts.length)) : null;
}

/**
 * The sigmoid of the mean logit of the 'best' thresholds of the given resamples (row indices into scores/truth);
 * resamples without a positive are skipped; null when every one is.
 */
export function bootstrapThreshold(scores: ArrayLike<number>, truth: ArrayLike<number>, samples: readonly (readonly number[] | Int32Array)[]): number | null {
  return meanLogitThreshold(bootstrapThresholds(scores, truth, samples));
}

/** The out-of-fold point (precision, recall, F-beta) at threshold t, rounded as the tune report shows it. */
function pointAtThreshold(s: ArrayLike<number>, y: ArrayLike<number>, t: number, beta: number): { threshold: number; precision: number; recall: number; f: number } {
  const b2 = beta * beta, r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i]! >= t) { if (y[i]) tp++; else fp++; } else if (y[i]) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0, recall = tp + fn ? tp / (tp + fn) : 0;
  const f = precision + recall ? ((1 + b2) * precision * recall) / (b2 * precision + recall) : 0;
  return { threshold: r4(t), precision: r4(precision), recall: r4(recall), f: r4(f) };
}

/**
 * text.tune's `thresholdBags` (objective f1): replaces each label's threshold (of labels with a positive) by the mean
 * logit of the F1-best thresholds of `bags` bootstrap resamples of the out-of-fold rows (seeded: the same request
 * gives the same thresholds), and its validation point at the new threshold. The plain maximum sits on a few lucky
 * positives of the rare labels; the average over resamples moves less from one sample of rows to the next.
 */
export function bagThresholds(
  thresholds: Float64Array, oof: Float32Array, truth: Uint8Array, labels: readonly string[], bags: number, seed: number,
  validation: Record<string, { threshold: number; precision: number; recall: number; f: number } | null>,
): void {
  const n = labels.length, rng = mulberry32(seed);
  labels.forEach((l, j) => {
    if (!validation[l]) return;
    const s = column(oof, n, j), y = column(truth, n, j), m = s.length;
    const t = bootstrapThreshold(s, y, bootstrapSamples(m, bags, rng));
    if (t === null) return;
    thresholds[j] = t;
    validation[l] = pointAtThreshold(s, y, t, 1);
  });
}

/**
 * text.tune's `smoothing`: replaces each label's threshold (of labels with a positive) by the 'smoothed' rule's,
 * and its validation point (out-of-fold precision, recall, F-beta at the new threshold).
 */
export function smoothThresholds(
  thresholds: Float64Array, oof: Float32Array, truth: Uint8Array, labels: readonly string[], rule: ThresholdRule & { kind: 'smoothed' },
  validation: Record<string, { threshold: number; precision: number; recall: number; f: number } | null>,
): void {
  const n = labels.length;
  labels.forEach((l, j) => {
    if (!validation[l]) return;
    const s = column(oof, n, j), y = column(truth, n, j);
    const t = chooseThresholdBy(s, y, rule).threshold;
    thresholds[j] = t;
    validation[l] = pointAtThreshold(s, y, t, rule.beta ?? 1);
  });
}
