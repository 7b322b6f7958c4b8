/** Box overlap for object detection: corner boxes in pixels (x1 < x2, y1 < y2). */

export interface Box { x1: number; y1: number; x2: number; y2: number }
/** A ground-truth box of a class. */
export interface ClassBox extends Box { classId: number }
/** A predicted box of a class with its confidence. */
export interface ScoredBox extends ClassBox { score: number }

export function boxArea(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

/** Intersection over union of two boxes; 0 when both are empty. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}
