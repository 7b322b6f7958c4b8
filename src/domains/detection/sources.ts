/**
 * Where a detector's training images come from: a detection dataset's training set (the latest approved label per
 * image in the feature store). A job never reads a server folder named in its payload — payloads also arrive from
 * pipeline definitions over HTTP — so the CLI's `detection train FOLDER` imports the folder as a dataset first
 * (packed and validated like an upload).
 */
import { AppError } from '../../core/errors.ts';
import type { DetectionServiceDeps } from './deps.ts';
import type { TrainSource } from './trainer.ts';

export async function datasetSource(deps: DetectionServiceDeps, name: string): Promise<TrainSource> {
  const datasets = deps.datasets;
  if (!datasets) throw new AppError('INTERNAL', 'Detection datasets are not wired into this server.');
  const set = await datasets.trainingSet(name);
  return { classes: set.classes, images: set.images, read: (ref) => datasets.readImage(name, ref) };
}
