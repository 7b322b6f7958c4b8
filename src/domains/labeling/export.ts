/**
 * A job's results as a DetectionSet, written in Ground Truth / YOLO / COCO by the detection formats' writers (D1):
 * a labeling job gives every saved image with its boxes; a verification job only the approved ones (adjusted boxes
 * included) — rejected and unsaved images are left out, never exported as negatives.
 */
import { ZipFile } from 'yazl';
import { writeDetectionSet } from '../detection/formats/index.ts';
import type { DetectionSet } from '../detection/formats/types.ts';
import type { ExportFormat, LabelingTask } from './schema.ts';

export function resultSet(job: { kind: string; classes: string[] }, tasks: LabelingTask[]): DetectionSet {
  const kept = tasks.filter((t) => t.status === 'done' && t.boxes !== null && (job.kind === 'label' || t.outcome === 'APPROVED'));
  return { classes: job.classes, images: kept.map((t) => ({ ref: t.ref, width: t.width, height: t.height, boxes: t.boxes })) };
}

/** Writes the set in `format` with D1's writers: one file as it is (manifest, COCO JSON), several (YOLO) as a zip. */
export async function writeExport(set: DetectionSet, format: ExportFormat, name: string): Promise<{ fileName: string; contentType: string; body: Buffer }> {
  const files = writeDetectionSet(set, format);
  if (files.size === 1) {
    const [file, text] = [...files][0]!;
    return { fileName: `${name}-${file}`, contentType: file.endsWith('.json') ? 'application/json' : 'application/x-ndjson', body: Buffer.from(text, 'utf8') };
  }
  return { fileName: `${name}-${format}.zip`, contentType: 'application/zip', body: await zipOf(files) };
}

function zipOf(files: Map<string, string>): Promise<Buffer> {
  const zip = new ZipFile();
  // A fixed time keeps the same results byte-identical.
  for (const [path, text] of files) zip.addBuffer(Buffer.from(text, 'utf8'), path, { mtime: new Date(0) });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}
