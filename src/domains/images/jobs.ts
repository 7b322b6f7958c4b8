/**
 * The image-classification job types: `images.train` (a build) and `images.batch` (predictions → CSV), with their
 * payload and result schemas (jobs/registry.ts). Registered by createImagesService.
 */
import { z } from 'zod';
import { datasetRefSchema, defineJob, jsonObject, modelRefSchema, problemsSchema } from '../../jobs/registry.ts';
import { withStageLog } from '../models/stageLog.ts';
import { runBatchJob, type BatchResult } from './batch.ts';
import type { ImagesDeps } from './deps.ts';
import type { ImagePredictor } from './predict.ts';
import { batchJobPayloadSchema, trainJobPayloadSchema, type BatchJobPayload, type TrainJobPayload } from './schema.ts';
import { runTrainJob, type FullMetrics, type TrainReport, type TrainResult } from './train.ts';

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'images.train': { payload: TrainJobPayload; result: TrainResult };
    'images.batch': { payload: BatchJobPayload; result: BatchResult };
  }
}

export const imageTrainResultSchema = z.object({
  model: modelRefSchema,
  metrics: jsonObject<FullMetrics>('Held-out metrics with the cross-validation summary and calibration'),
  report: jsonObject<TrainReport>('The build report: plan, data split, timings'),
  train_seconds: z.number(),
  warnings: problemsSchema,
});

export const imageBatchResultSchema = z.object({
  modelId: z.string(),
  dataset: datasetRefSchema,
  images: z.number().int(),
  errors: z.number().int(),
  outOfDistribution: z.number().int(),
  outputKey: z.string().describe('Artifact key of the predictions CSV'),
});

export function imageJobs(deps: ImagesDeps, predictor: (modelId: string) => Promise<ImagePredictor>) {
  return [
    defineJob({ type: 'images.train', payload: trainJobPayloadSchema, result: imageTrainResultSchema, run: (ctx) => runTrainJob(deps, withStageLog(ctx)) }),
    defineJob({ type: 'images.batch', payload: batchJobPayloadSchema, result: imageBatchResultSchema, idempotent: true, run: (ctx) => runBatchJob({ ...deps, predictor }, withStageLog(ctx)) }),
  ];
}
