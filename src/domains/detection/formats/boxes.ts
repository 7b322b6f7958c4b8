/** Conversions between labeled boxes (x, y, w, h) and corner boxes (x1, y1, x2, y2) as ml/detection uses them. */
import type { LabeledBox } from './types.ts';

export function toCorners(b: LabeledBox): { classId: number; x1: number; y1: number; x2: number; y2: number } {
  return { classId: b.classId, x1: b.x, y1: b.y, x2: b.x + b.w, y2: b.y + b.h };
}

export function fromCorners(b: { classId: number; x1: number; y1: number; x2: number; y2: number }): LabeledBox {
  return { classId: b.classId, x: b.x1, y: b.y1, w: b.x2 - b.x1, h: b.y2 - b.y1 };
}
