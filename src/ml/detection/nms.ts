/** Greedy non-maximum suppression, per class (boxes of different classes never suppress each other). */
import { iou, type ScoredBox } from './iou.ts';

export interface NmsOptions {
  /** A box overlapping a kept box of the same class by more than this IoU is dropped (default 0.45). */
  iouThreshold?: number;
  /** Boxes scoring below this are dropped first (default 0.25). */
  scoreThreshold?: number;
  /** At most this many boxes are returned, best first (default 300). */
  maxDetections?: number;
  /** false: one class-agnostic pass (any overlapping box suppresses). Default true. */
  classAware?: boolean;
}

/** Keeps the best-scoring boxes, sorted by score (ties keep input order). */
export function nms<T extends ScoredBox>(boxes: readonly T[], options: NmsOptions = {}): T[] {
  const { iouThreshold = 0.45, scoreThreshold = 0.25, maxDetections = 300, classAware = true } = options;
  const sorted = boxes
    .map((box, index) => ({ box, index }))
    .filter(({ box }) => box.score >= scoreThreshold)
    .sort((a, b) => b.box.score - a.box.score || a.index - b.index)
    .map(({ box }) => box);
  const kept: T[] = [];
  for (const box of sorted) {
    if (kept.length >= maxDetections) break;
    const suppressed = kept.some((k) => (!classAware || k.classId === box.classId) && iou(k, box) > iouThreshold);
    if (!suppressed) kept.push(box);
  }
  return kept;
}
