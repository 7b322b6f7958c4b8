/**
 * A job's results as a DetectionSet, written in Ground Truth / YOLO / COCO by the detection formats' writers (D1):
 * a labeling job gives every saved image with its boxes; a verification job only the approved ones (adjusted boxes
 * included) — rejected and unsaved images are left out, never exported as negatives.
 */
import type { DetectionSet } from '../detection/formats/types.ts';
import type { ExportFormat, LabelingTask } from './schema.ts';

export function resultSet(job: { kind: string; classes: string[] }, tasks: LabelingTask[]): DetectionSet {
  const kept = tasks.filter((t) => t.status === 'done' && t.boxes !== null && (job.kind === 'label' || t.outcome === 'APPROVED'));
  return { classes: job.classes, images: kept.map((t) => ({ ref: t.ref, width: t.width, height: t.height, boxes: t.boxes })) };
}

/** Writes the set in `format` (Ground Truth manifest JSON Lines, YOLO zip, COCO JSON) with D1's writers. */
export async function writeExport(set: DetectionSet, format: ExportFormat, name: string): Promise<{ fileName: string; contentType: string; body: Buffer }> {
  // Placeholder until D1's writers (src/domains/detection/formats) land: COCO-like JSON of the set.
  return { fileName: `${name}-${format}.json`, contentType: 'application/json', body: Buffer.from(JSON.stringify(set)) };
}
