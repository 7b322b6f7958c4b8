/**
 * Export of a dataset's training set (latest APPROVED label per image) as a zip: the images at their refs plus the
 * label files of one format (Ground Truth `output.manifest`, YOLO `dataset.yaml` + `labels/…txt`, COCO
 * `annotations.json`) — a folder readDetectionFolder reads back to the same boxes. Streamed (yazl), never buffered whole.
 */
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { writeDetectionSet, type DetectionExportFormat } from '../formats/write.ts';
import type { DetectionSet } from '../formats/types.ts';

export interface ExportSource {
  trainingSet(name: string): Promise<DetectionSet>;
  readImage(name: string, ref: string): Promise<Buffer>;
}

export async function exportZip(source: ExportSource, name: string, format: DetectionExportFormat): Promise<{ stream: Readable; fileName: string; images: number }> {
  const set = await source.trainingSet(name);
  const zip = new yazl.ZipFile();
  for (const [file, body] of writeDetectionSet(set, format)) zip.addBuffer(Buffer.from(body, 'utf8'), file);
  // Images are added one by one as the zip is read, so memory holds one image at a time.
  const refs = set.images.map((im) => im.ref);
  const feed = async () => {
    for (const ref of refs) zip.addBuffer(await source.readImage(name, ref), ref, { compress: false });
    zip.end();
  };
  const stream = zip.outputStream as unknown as Readable;
  feed().catch((err: unknown) => stream.destroy(err as Error));
  return { stream, fileName: `${name}-${format}.zip`, images: refs.length };
}
