/**
 * Where a detector's training images come from: a folder laid out like metal-tags (read by D1's
 * readDetectionFolder: images/ and labels.csv, a Ground Truth manifest, YOLO labels or COCO JSON), or a detection
 * dataset's training set (the latest approved label per image in the feature store).
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../core/errors.ts';
import type { DetectionServiceDeps } from './deps.ts';
import { readDetectionFolder } from './formats/index.ts';
import type { TrainSource } from './trainer.ts';

export async function folderSource(dir: string): Promise<TrainSource> {
  const set = await readDetectionFolder(dir);
  const paths = new Map(set.images.map((i) => [i.ref, i.path]));
  return { classes: set.classes, images: set.images, read: (ref) => readFile(paths.get(ref)!) };
}

export async function datasetSource(deps: DetectionServiceDeps, name: string): Promise<TrainSource> {
  const datasets = deps.datasets;
  if (!datasets) throw new AppError('INTERNAL', 'Detection datasets are not wired into this server.');
  const set = await datasets.trainingSet(name);
  return { classes: set.classes, images: set.images, read: (ref) => datasets.readImage(name, ref) };
}
