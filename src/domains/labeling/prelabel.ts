/**
 * Pre-labels for a new labeling job (active learning): the current approved detector predicts each image; the boxes
 * become the task's starting point and tasks are ordered by uncertainty, most uncertain first — uncertainty = 1 − the
 * highest score (an image with no detection at all is the most uncertain: 1). Without a detector, dataset order.
 */
import type { Detection, LabeledBox } from '../detection/formats/types.ts';
import type { Prelabeler } from './ports.ts';

export interface Prelabeled {
  boxes: Array<LabeledBox & { score: number }>;
  uncertainty: number;
}

export function toPrelabels(dets: Detection[], size: { width: number; height: number }): Prelabeled {
  const boxes = dets
    .map((d) => {
      const x1 = Math.max(0, Math.min(size.width, d.x1));
      const y1 = Math.max(0, Math.min(size.height, d.y1));
      const x2 = Math.max(0, Math.min(size.width, d.x2));
      const y2 = Math.max(0, Math.min(size.height, d.y2));
      return { classId: d.classId, x: x1, y: y1, w: x2 - x1, h: y2 - y1, score: d.score };
    })
    .filter((b) => b.w > 0 && b.h > 0);
  const top = dets.reduce((m, d) => Math.max(m, d.score), 0);
  return { boxes, uncertainty: 1 - top };
}

/** Indexes of `items` ordered most uncertain first; ties keep the given (dataset) order. */
export function byUncertainty(uncertainty: number[]): number[] {
  return uncertainty.map((u, i) => ({ u, i })).sort((a, b) => b.u - a.u || a.i - b.i).map((e) => e.i);
}

/** Pre-labels for each image, or null when no detector is approved (or none is wired). */
export async function prelabel<T extends { ref: string; width: number; height: number }>(
  prelabeler: Prelabeler | undefined,
  images: T[],
  bytes: (ref: string) => Promise<Buffer>,
): Promise<{ model: string; results: Prelabeled[] } | null> {
  const detector = prelabeler ? await prelabeler.current() : null;
  if (!detector) return null;
  const results: Prelabeled[] = [];
  for (const img of images) results.push(toPrelabels(await detector.predict(await bytes(img.ref)), img));
  return { model: detector.model, results };
}
