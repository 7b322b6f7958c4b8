/**
 * The `detection.train` job: trains a detector from a detection dataset's training set (latest approved labels in
 * the feature store; the CLI imports a folder as a dataset first), stores the ONNX file and metrics on the model version created
 * when training was requested, and marks it ready. Cancel aborts the signal, which kills the Python trainer
 * (runtimes/python.ts); the version is then marked cancelled, a failure marks it failed.
 */
import { z } from 'zod';
import { defineJob, jsonObject, modelRefSchema } from '../../jobs/registry.ts';
import type { JobContext } from '../../jobs/types.ts';
import type { DetectionMetrics } from '../../ml/detection/index.ts';
import type { DetectionServiceDeps } from './deps.ts';
import { datasetSource } from './sources.ts';
import { DETECTOR_KIND } from './onnxDetector.ts';
import { saveDetector } from './store.ts';
import { trainDetector } from './trainer.ts';

export const trainPayloadSchema = z.object({
  modelId: z.string().min(1).optional().describe('The model version created when training was requested (service, CLI, HTTP)'),
  name: z.string().min(1).optional().describe('Instead of modelId: the job creates the next version of this model (pipeline steps)'),
  dataset: z.string().min(1).describe('A detection dataset name: its latest approved labels'),
  epochs: z.number().int().min(1).max(500).optional(),
  seed: z.number().int().min(0).optional(),
}).strict().refine((p) => !!p.modelId !== !!p.name, { message: 'give exactly one of modelId or name' });
export type TrainPayload = z.infer<typeof trainPayloadSchema>;

export interface DetectionTrainResult {
  model: { id: string; name: string; version: number };
  train_seconds: number;
  map50: number;
  map50_95: number;
  n_train: number;
  n_test: number;
  metrics: DetectionMetrics;
}

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'detection.train': { payload: TrainPayload; result: DetectionTrainResult };
  }
}

export const trainResultSchema = z.object({
  model: modelRefSchema,
  train_seconds: z.number(),
  map50: z.number(),
  map50_95: z.number(),
  n_train: z.number().int(),
  n_test: z.number().int(),
  metrics: jsonObject<DetectionMetrics>('Held-out COCO metrics: map50, map75, map50_95, per-class AP, PR curve at IoU 0.5'),
});

async function runTrain(deps: DetectionServiceDeps, ctx: JobContext<TrainPayload>): Promise<DetectionTrainResult> {
  const p = ctx.job.payload;
  // A pipeline step names the model; the version is made here, once per run of the job (not idempotent).
  const modelId = p.modelId ?? (await deps.models.create({ name: p.name!, kind: DETECTOR_KIND, jobId: ctx.job.id, params: { dataset: p.dataset, epochs: p.epochs ?? null, seed: p.seed ?? 42 }, meta: { jobId: ctx.job.id } })).id;
  try {
    await ctx.progress(0.01, 'reading the training set');
    const source = await datasetSource(deps, p.dataset);
    const trained = await trainDetector(source, { epochs: p.epochs, seed: p.seed, signal: ctx.signal, progress: (f, m) => ctx.progress(f, m) });
    await ctx.progress(0.98, 'storing the model');
    const model = await saveDetector(deps, modelId, trained, { dataset: p.dataset });
    const r = (x: number) => Math.round(x * 1e4) / 1e4;
    return {
      model: { id: model.id, name: model.name, version: model.version },
      train_seconds: r(trained.train_seconds), map50: r(trained.metrics.map50), map50_95: r(trained.metrics.map50_95),
      n_train: trained.n_train, n_test: trained.n_test, metrics: trained.metrics,
    };
  } catch (err) {
    const cancelled = ctx.signal.aborted && (await deps.queue.get(ctx.job.id).catch(() => undefined))?.cancelRequested === true;
    await (cancelled ? deps.models.markCancelled(modelId) : deps.models.markFailed(modelId)).catch(() => undefined);
    throw err;
  }
}

export function detectionJobs(deps: DetectionServiceDeps) {
  return [defineJob({ type: 'detection.train', payload: trainPayloadSchema, result: trainResultSchema, run: (ctx) => runTrain(deps, ctx) })];
}
