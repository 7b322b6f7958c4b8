import { describe, expect, it } from 'vitest';
import { boxArea, iou } from './iou.ts';
import { nms } from './nms.ts';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('iou', () => {
  it('matches hand-computed overlaps', () => {
    // identical: 100 / 100
    expect(iou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    // half overlap: intersection 5×10 = 50, union 100 + 100 − 50 = 150 → 1/3
    expect(iou(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
    // contained: intersection 10×5 = 50, union 100 → 0.5
    expect(iou(box(0, 0, 10, 10), box(0, 0, 10, 5))).toBe(0.5);
    // touching edges and disjoint boxes do not overlap
    expect(iou(box(0, 0, 10, 10), box(10, 0, 20, 10))).toBe(0);
    expect(iou(box(0, 0, 10, 10), box(50, 50, 60, 60))).toBe(0);
    // empty boxes: no division by zero
    expect(iou(box(3, 3, 3, 3), box(3, 3, 3, 3))).toBe(0);
    expect(boxArea(box(5, 5, 2, 9))).toBe(0);
  });
});

describe('nms', () => {
  const c0 = (x1: number, x2: number, score: number, classId = 0) => ({ classId, score, x1, y1: 0, x2, y2: 10 });
  // A vs B: intersection 9×10 = 90, union 100 + 100 − 90 = 110 → 0.818 > 0.45 → B dropped.
  // A vs F: intersection 5×10 = 50, union 150 → 0.333 ≤ 0.45 → F kept. C is class 1: kept beside A.
  // D scores 0.2 < 0.25: dropped before anything. E duplicates A with a lower score: dropped.
  const A = c0(0, 10, 0.9);
  const B = c0(1, 11, 0.8);
  const C = c0(1, 11, 0.7, 1);
  const D = c0(40, 50, 0.2);
  const E = c0(0, 10, 0.5);
  const F = c0(5, 15, 0.6);

  it('keeps the best box of each overlapping group, per class, sorted by score', () => {
    expect(nms([D, E, F, C, B, A])).toEqual([A, C, F]);
  });
  it('class-agnostic mode lets any class suppress, the score threshold and max detections apply', () => {
    expect(nms([A, B, C, D, E, F], { classAware: false })).toEqual([A, F]);
    expect(nms([A, B, C, D, E, F], { scoreThreshold: 0 })).toEqual([A, C, F, D]);
    expect(nms([A, B, C, D, E, F], { maxDetections: 1 })).toEqual([A]);
    // a looser IoU threshold (0.9) keeps B (0.818) but still drops E (IoU 1 with A)
    expect(nms([A, B, C, D, E, F], { iouThreshold: 0.9 })).toEqual([A, B, C, F]);
  });
});
