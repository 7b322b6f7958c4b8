import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateDetections, IOU_THRESHOLDS, RECALL_THRESHOLDS, type EvalImage } from './cocoEval.ts';

const b = (classId: number, x1: number, y1: number, x2: number, y2: number) => ({ classId, x1, y1, x2, y2 });
const p = (classId: number, x1: number, y1: number, x2: number, y2: number, score: number) => ({ ...b(classId, x1, y1, x2, y2), score });

/*
 * Hand computation (class 0, 3 truth boxes; predictions sorted by score over both images):
 *   P1 .9 IoU 1 with G1 · P2 .8 IoU 100/150 = 0.667 with G2 · P3 .7 no overlap · P4 .6 IoU 50/100 = 0.5 with G3
 * IoU .50       : TP TP FP TP → recall 1/3 2/3 2/3 1, precision 1 1 2/3 3/4 → envelope 1 1 .75 .75
 *                 recall points 0..0.33 (34) → 1, 0.34..0.66 (33) → 1, 0.67..1 (34) → .75
 *                 AP50 = (67 + 34·0.75) / 101 = 92.5 / 101
 * IoU .55–.65 (3): TP TP FP FP → recall reaches 2/3: 67 points at 1, the rest 0 → 67 / 101
 * IoU .70–.95 (6): TP FP FP FP → recall 1/3: 34 points at 1 → 34 / 101 (AP75 = 34 / 101)
 * AP50-95 = (92.5 + 3·67 + 6·34) / 1010 = 497.5 / 1010
 * Class 1: one truth box (image A), its only prediction is in image B → AP 0 at every threshold.
 * Class 2: a prediction but no truth → left out of the means. mAP = mean of classes 0 and 1.
 * P1 sits exactly on class 1's truth box too: matching is per class, so it cannot take it.
 */
const handCase: EvalImage[] = [
  {
    truth: [b(0, 0, 0, 10, 10), b(0, 20, 20, 30, 30), b(1, 0, 0, 10, 10)],
    predictions: [p(0, 50, 50, 60, 60, 0.7), p(0, 0, 0, 10, 10, 0.9), p(0, 20, 20, 30, 35, 0.8), p(2, 0, 0, 5, 5, 0.3)],
  },
  { truth: [b(0, 0, 0, 10, 10)], predictions: [p(0, 0, 0, 10, 5, 0.6), p(1, 100, 100, 110, 110, 0.95)] },
];

describe('evaluateDetections (COCO 101-point AP)', () => {
  it('uses the COCO thresholds', () => {
    expect(IOU_THRESHOLDS).toHaveLength(10);
    expect(IOU_THRESHOLDS[0]).toBe(0.5);
    expect(IOU_THRESHOLDS[9]).toBe(0.95);
    expect(RECALL_THRESHOLDS).toHaveLength(101);
  });

  it('matches the hand computation', () => {
    const m = evaluateDetections(handCase, { numClasses: 3 });
    const [c0, c1, c2] = m.perClass;
    expect(c0!.ap50).toBeCloseTo(92.5 / 101, 12);
    expect(c0!.ap75).toBeCloseTo(34 / 101, 12);
    expect(c0!.ap50_95).toBeCloseTo(497.5 / 1010, 12);
    expect(c0!.recall50).toBeCloseTo(1, 12);
    expect(c0!.nTruth).toBe(3);
    expect(c1!.ap50).toBe(0);
    expect(c1!.ap50_95).toBe(0);
    expect(c2!.ap50).toBeNull();
    expect(c2!.nPredictions).toBe(1);
    expect(m.map50).toBeCloseTo(92.5 / 101 / 2, 12);
    expect(m.map50_95).toBeCloseTo(497.5 / 1010 / 2, 12);
    expect(m.map75).toBeCloseTo(34 / 101 / 2, 12);
    // PR curve at IoU .5 for class 0: recall 0.66 → precision 1, recall 0.67 → 0.75; none for class 2
    expect(m.prCurve[0]![66]).toEqual({ recall: RECALL_THRESHOLDS[66], precision: 1 });
    expect(m.prCurve[0]![67]!.precision).toBe(0.75);
    expect(m.prCurve[2]).toEqual([]);
  });

  it('keeps only maxDetections predictions per image and class', () => {
    // with 1 per image, P2/P3 are cut: image A keeps P1, image B keeps P4 → TP TP at .5, recall 2/3, precision 1
    const m = evaluateDetections(handCase, { numClasses: 1, maxDetections: 1 });
    expect(m.perClass[0]!.ap50).toBeCloseTo(67 / 101, 12);
  });

  it('scores 0 with no truth at all and 1 for perfect predictions', () => {
    expect(evaluateDetections([{ truth: [], predictions: [p(0, 0, 0, 1, 1, 0.5)] }], { numClasses: 1 }).map50_95).toBe(0);
    const perfect = evaluateDetections([{ truth: [b(0, 0, 0, 10, 10)], predictions: [p(0, 0, 0, 10, 10, 0.5)] }], { numClasses: 1 });
    expect(perfect.map50_95).toBeCloseTo(1, 12); // precision is tp / (tp + fp + eps), as in pycocotools
  });

  /* Cross-check against __reference__/coco_reference.py, a numpy port of pycocotools' evaluateImg/accumulate/summarize. */
  interface RefClass { classId: number; ap50: number | null; ap75: number | null; ap50_95: number | null; recall50?: number; pr50: number[] }
  interface RefCase { name: string; numClasses: number; images: EvalImage[]; map50: number; map75: number; map50_95: number; perClass: RefClass[] }
  const ref = JSON.parse(readFileSync(new URL('./__reference__/coco_reference.json', import.meta.url), 'utf8')) as { cases: RefCase[] };

  it.each(ref.cases.map((c) => [c.name, c] as const))('matches the pycocotools port on %s', (_name, c) => {
    const m = evaluateDetections(c.images, { numClasses: c.numClasses });
    expect(m.map50).toBeCloseTo(c.map50, 10);
    expect(m.map75).toBeCloseTo(c.map75, 10);
    expect(m.map50_95).toBeCloseTo(c.map50_95, 10);
    c.perClass.forEach((rc, k) => {
      const got = m.perClass[k]!;
      if (rc.ap50 === null) return expect(got.ap50).toBeNull();
      expect(got.ap50).toBeCloseTo(rc.ap50, 10);
      expect(got.ap50_95).toBeCloseTo(rc.ap50_95!, 10);
      expect(got.recall50).toBeCloseTo(rc.recall50!, 10);
      expect(m.prCurve[k]!.map((pt) => pt.precision)).toEqual(rc.pr50);
    });
  });
});
