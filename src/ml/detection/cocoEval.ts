/**
 * COCO-style detection evaluation (the pycocotools `evaluate` + `accumulate` logic for bounding boxes, crowd-free,
 * one area range 'all'): per image and class, predictions sorted by score greedily take the unmatched truth box of
 * highest IoU ≥ t; per class, the precision envelope is sampled at 101 recall points; AP = the mean of those samples.
 * Thresholds are computed the way numpy's linspace does, so results match pycocotools to the last bit.
 */
import { iou, type ClassBox, type ScoredBox } from './iou.ts';

export interface EvalImage { truth: readonly ClassBox[]; predictions: readonly ScoredBox[] }

export interface CocoEvalOptions {
  numClasses: number;
  /** Predictions kept per image and class, best first (COCO: 100). */
  maxDetections?: number;
}

export interface PrPoint { recall: number; precision: number }

export interface ClassAp {
  classId: number;
  nTruth: number;
  nPredictions: number;
  /** null when the class has no truth box (it is left out of the means, as in COCO). */
  ap50: number | null;
  ap75: number | null;
  ap50_95: number | null;
  /** Recall of all predictions at IoU 0.5 (null without truth). */
  recall50: number | null;
}

export interface DetectionMetrics {
  /** Means over the classes that have truth boxes; 0 when no class has any. */
  map50: number;
  map75: number;
  map50_95: number;
  perClass: ClassAp[];
  /** Per class: the interpolated precision at the 101 recall points, at IoU 0.5 (empty without truth). */
  prCurve: PrPoint[][];
  iouThresholds: number[];
}

/** numpy.linspace(start, stop, num): i·step + start, last value exactly stop. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

export const IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
export const RECALL_THRESHOLDS = linspace(0, 1, 101);

interface Scored { score: number; matched: boolean[] }

/** Greedy matching of one image's predictions of one class (sorted best first) at every IoU threshold. */
function matchImage(truth: readonly ClassBox[], preds: readonly ScoredBox[]): Scored[] {
  const ious = preds.map((p) => truth.map((t) => iou(p, t)));
  const out: Scored[] = preds.map((p) => ({ score: p.score, matched: [] }));
  IOU_THRESHOLDS.forEach((t) => {
    const taken = new Array<boolean>(truth.length).fill(false);
    preds.forEach((_, d) => {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      truth.forEach((_, g) => {
        if (taken[g] || ious[d]![g]! < best) return;
        best = ious[d]![g]!;
        m = g;
      });
      if (m >= 0) taken[m] = true;
      out[d]!.matched.push(m >= 0);
    });
  });
  return out;
}

/** 101-point interpolated precision for one class at threshold index ti; also the final recall. */
function interpolate(scored: readonly Scored[], nTruth: number, ti: number): { q: number[]; recall: number } {
  const rc: number[] = [];
  const pr: number[] = [];
  let tp = 0;
  let fp = 0;
  for (const s of scored) {
    if (s.matched[ti]) tp += 1;
    else fp += 1;
    rc.push(tp / nTruth);
    pr.push(tp / (tp + fp + Number.EPSILON));
  }
  for (let i = pr.length - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
  const q = RECALL_THRESHOLDS.map(() => 0);
  let pi = 0;
  RECALL_THRESHOLDS.forEach((r, ri) => {
    while (pi < rc.length && rc[pi]! < r) pi += 1; // searchsorted(rc, r, side='left')
    if (pi < rc.length) q[ri] = pr[pi]!;
  });
  return { q, recall: rc.length > 0 ? rc[rc.length - 1]! : 0 };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function evaluateDetections(images: readonly EvalImage[], options: CocoEvalOptions): DetectionMetrics {
  const maxDet = options.maxDetections ?? 100;
  const perClass: ClassAp[] = [];
  const prCurve: PrPoint[][] = [];
  for (let k = 0; k < options.numClasses; k++) {
    let nTruth = 0;
    const scored: Scored[] = [];
    for (const image of images) {
      const truth = image.truth.filter((b) => b.classId === k);
      const preds = image.predictions
        .filter((b) => b.classId === k)
        .map((box, index) => ({ box, index }))
        .sort((a, b) => b.box.score - a.box.score || a.index - b.index)
        .slice(0, maxDet)
        .map(({ box }) => box);
      nTruth += truth.length;
      scored.push(...matchImage(truth, preds));
    }
    scored.sort((a, b) => b.score - a.score); // stable, like numpy's mergesort
    if (nTruth === 0) {
      perClass.push({ classId: k, nTruth, nPredictions: scored.length, ap50: null, ap75: null, ap50_95: null, recall50: null });
      prCurve.push([]);
      continue;
    }
    const curves = IOU_THRESHOLDS.map((_, ti) => interpolate(scored, nTruth, ti));
    const aps = curves.map((c) => mean(c.q));
    perClass.push({
      classId: k, nTruth, nPredictions: scored.length,
      ap50: aps[0]!, ap75: aps[5]!, ap50_95: mean(aps), recall50: curves[0]!.recall,
    });
    prCurve.push(RECALL_THRESHOLDS.map((recall, ri) => ({ recall, precision: curves[0]!.q[ri]! })));
  }
  const valid = perClass.filter((c) => c.ap50 !== null);
  const avg = (f: (c: ClassAp) => number | null): number => (valid.length > 0 ? mean(valid.map((c) => f(c)!)) : 0);
  return {
    map50: avg((c) => c.ap50), map75: avg((c) => c.ap75), map50_95: avg((c) => c.ap50_95),
    perClass, prCurve, iouThresholds: IOU_THRESHOLDS,
  };
}
