import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../ml/split/prng.ts';
import { decideClasses } from '../classifiers/evaluate.ts';
import { tuneOffsets } from './offsets.ts';

/** Macro F1 of argmax(score + offset), computed directly (an independent count). */
function macroF1(scores: Float32Array, truth: Uint8Array, n: number, off: number[]): number {
  const decided = decideClasses(scores, n, { offsets: off });
  let s = 0;
  for (let j = 0; j < n; j++) {
    let tp = 0, fp = 0, fn = 0;
    decided.forEach((c, i) => {
      const t = truth[i * n + j] === 1;
      if (c === j && t) tp++;
      else if (c === j) fp++;
      else if (t) fn++;
    });
    s += tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : 0;
  }
  return s / n;
}

/** Scores of a model that under-predicts class 2 (its scores are shrunk): offsets should raise it. */
function biased(rows: number, seed: number): { scores: Float32Array; truth: Uint8Array } {
  const rng = mulberry32(seed), n = 3, scores = new Float32Array(rows * n), truth = new Uint8Array(rows * n);
  for (let i = 0; i < rows; i++) {
    const t = rng.next() < 0.2 ? 2 : rng.next() < 0.5 ? 0 : 1;
    truth[i * n + t] = 1;
    let sum = 0;
    for (let j = 0; j < n; j++) { scores[i * n + j] = rng.next() + (j === t ? 0.6 : 0) - (j === 2 ? 0.45 : 0); scores[i * n + j] = Math.max(0.01, scores[i * n + j]!); sum += scores[i * n + j]!; }
    for (let j = 0; j < n; j++) scores[i * n + j]! /= sum;
  }
  return { scores, truth };
}

describe('per-class offsets tuned on out-of-fold scores', () => {
  it('raises the under-predicted class, and the reported macro F1 is what the rule gives', () => {
    const { scores, truth } = biased(800, 1);
    const t = tuneOffsets(scores, truth, 3);
    expect(t.offsets).not.toBeNull();
    expect(t.offsets![2]! - Math.max(t.offsets![0]!, t.offsets![1]!)).toBeGreaterThan(0.05);
    expect(t.before).toBeCloseTo(macroF1(scores, truth, 3, [0, 0, 0]), 10);
    expect(t.after).toBeCloseTo(macroF1(scores, truth, 3, t.offsets!), 10);
    expect(t.after).toBeGreaterThan(t.before + 0.02);
  });

  it('is at least as good as a brute-force grid over the offsets of classes 1 and 2', () => {
    const { scores, truth } = biased(300, 2);
    const t = tuneOffsets(scores, truth, 3);
    let grid = 0;
    for (let a = -0.5; a <= 0.5; a += 0.02) for (let b = -0.5; b <= 0.5; b += 0.02) grid = Math.max(grid, macroF1(scores, truth, 3, [0, a, b]));
    expect(t.after).toBeGreaterThanOrEqual(grid - 0.005);
    for (const o of t.offsets ?? []) expect(Math.abs(o)).toBeLessThanOrEqual(1);
  });

  it('keeps no offsets when argmax is already best', () => {
    const n = 2, scores = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.4, 0.6]), truth = Uint8Array.from([1, 0, 0, 1, 1, 0, 0, 1]);
    expect(tuneOffsets(scores, truth, n)).toEqual({ offsets: null, before: 1, after: 1 });
  });
});
