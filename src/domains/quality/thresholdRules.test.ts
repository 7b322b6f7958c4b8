/** Threshold rules against hand-computed values (F1 by the number of rows predicted positive, worked out below). */
import { describe, expect, it } from 'vitest';
import { bagThresholds, bootstrapThreshold, chooseThresholdBy, f1AtThreshold, smoothThresholds } from './thresholdRules.ts';

// By descending score the truth is 1 0 1 1 0 0 1 0 (P = 4). F1 after the top k = 2·TP/(k + P):
// k=1 .400, 2 .333, 3 .571, 4 .750, 5 .667, 6 .600, 7 .727, 8 .667 (rows given in a shuffled order).
const scores = [0.5, 0.9, 0.2, 0.7, 0.4, 0.8, 0.3, 0.6];
const truth = [0, 1, 0, 1, 0, 0, 1, 1];

describe('chooseThresholdBy', () => {
  it("'best' is the first F1 maximum: k = 4, threshold 0.6, F1 0.75", () => {
    expect(chooseThresholdBy(scores, truth, { kind: 'best' })).toEqual({ threshold: 0.6, f: 0.75 });
  });
  it("'smoothed' (window ±1 row): means .400 .435 .552 .663 .672 .665 .665 .667 → k = 5, threshold 0.5", () => {
    const c = chooseThresholdBy(scores, truth, { kind: 'smoothed', window: 0.25 });
    expect(c.threshold).toBe(0.5);
    expect(c.f).toBeCloseTo(6 / 9, 10);
  });
  it('picks the maximum among distinct scores; no positive gives the fallback', () => {
    // truth 1 0 1 0 by descending score: F1 k=1 2/3, k=2 .5, k=3 .8, k=4 .667 → best k = 3
    expect(chooseThresholdBy([4, 3, 2, 1], [1, 0, 1, 0], { kind: 'best' }).threshold).toBe(2);
    expect(chooseThresholdBy([0.9, 0.1], [0, 0], { kind: 'smoothed', window: 0.1 }, 0.42)).toEqual({ threshold: 0.42, f: 0 });
  });
  it('f1AtThreshold predicts positive at score ≥ t', () => {
    expect(f1AtThreshold(scores, truth, 0.6)).toBe(0.75);
    expect(f1AtThreshold(scores, truth, 0.95)).toBe(0);
  });
});

describe('smoothThresholds (text.tune smoothing)', () => {
  it('moves the threshold to the smoothed cut and reports its out-of-fold point: P 3/5, R 3/4, F1 2/3', () => {
    const th = Float64Array.from([0.6]);
    const validation: Parameters<typeof smoothThresholds>[5] = { a: { threshold: 0.6, precision: 0.75, recall: 0.75, f: 0.75 } };
    smoothThresholds(th, Float32Array.from(scores), Uint8Array.from(truth), ['a'], { kind: 'smoothed', window: 0.25 }, validation);
    expect(th[0]).toBeCloseTo(0.5, 6);
    expect(validation.a).toEqual({ threshold: 0.5, precision: 0.6, recall: 0.75, f: 0.6667 });
  });
});

describe('bootstrapThreshold / bagThresholds (text.tune thresholdBags)', () => {
  it('is the sigmoid of the mean logit of the resamples\' best thresholds, skipping resamples without a positive', () => {
    // all rows: best 0.6 (above). Rows 1, 5, 3, 3 (scores .9 .8 .7 .7, truth 1 0 1 1, P = 3): F1 k=1 2/4, k=2 2/5,
    // k=4 6/7 → 0.7. Rows 0, 2 hold no positive: skipped. Mean logit ½(ln 1.5 + ln 7/3) = ½ ln 3.5 → √3.5 / (1 + √3.5).
    const t = bootstrapThreshold(scores, truth, [[0, 1, 2, 3, 4, 5, 6, 7], [1, 5, 3, 3], [0, 2]]);
    expect(t).toBeCloseTo(Math.sqrt(3.5) / (1 + Math.sqrt(3.5)), 6);
    expect(bootstrapThreshold(scores, truth, [[0, 2]])).toBeNull();
  });
  it('replaces each threshold by the bagged one, reports its out-of-fold point, and repeats with the same seed', () => {
    const run = () => {
      const th = Float64Array.from([0.6]);
      const validation: Parameters<typeof bagThresholds>[6] = { a: { threshold: 0.6, precision: 0.75, recall: 0.75, f: 0.75 } };
      bagThresholds(th, Float32Array.from(scores), Uint8Array.from(truth), ['a'], 20, 3, validation);
      return { t: th[0]!, v: validation.a! };
    };
    const a = run();
    expect(a).toEqual(run());
    expect(a.t).toBeGreaterThan(0.2);
    expect(a.t).toBeLessThan(0.9);
    // the reported point is the one at the new threshold
    const pred = scores.map((s) => s >= a.t), tp = pred.filter((p, i) => p && truth[i]).length, k = pred.filter(Boolean).length;
    expect(a.v.precision).toBeCloseTo(tp / k, 4);
    expect(a.v.recall).toBeCloseTo(tp / 4, 4);
    expect(a.v.f).toBeCloseTo(f1AtThreshold(scores, truth, a.t), 4);
  });
});
