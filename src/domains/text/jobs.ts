/**
 * The text-classification job types: `text.train`, `text.evaluate` and `text.batch`, each with its payload and
 * result schemas (jobs/registry.ts). Registered by createTextService; `queue.enqueue('text.train', req)` is typed.
 */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { datasetRefSchema, defineJob, jsonObject, modelRefSchema, problemsSchema } from '../../jobs/registry.ts';
import type { JobContext } from '../../jobs/types.ts';
import { classificationReport, type ClassificationReport } from '../classifiers/evaluate.ts';
import { predictTexts } from '../../ml/index.ts';
import type { ModelVersion } from '../models/service.ts';
import { withStageLog } from '../models/stageLog.ts';
import { runBatchJob, type BatchResult } from './batch.ts';
import { toArrays } from './data.ts';
import type { TextDeps } from './deps.ts';
import { loadLabeledDocs } from './load.ts';
import type { TextPredictor } from './predictor.ts';
import { batchJobPayloadSchema, evaluateRequestSchema, trainRequestSchema, type BatchJobPayload, type EvaluateRequest, type TrainRequest } from './schema.ts';
import { runTrainJob, throwIfErrors, type TrainResult } from './train.ts';

export interface EvaluateResult {
  model: { id: string; name: string; version: number };
  dataset: { id: string; version: number };
  metrics: ClassificationReport;
}

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'text.train': { payload: TrainRequest; result: TrainResult };
    'text.evaluate': { payload: EvaluateRequest; result: EvaluateResult };
    'text.batch': { payload: BatchJobPayload; result: BatchResult };
  }
}

const metricsSchema = jsonObject<ClassificationReport>('Classification report: accuracy, macro/micro scores, per-label metrics, confusion matrix');

export const trainResultSchema = z.object({ model: modelRefSchema, metrics: metricsSchema, train_seconds: z.number(), warnings: problemsSchema });
export const evaluateResultSchema = z.object({ model: modelRefSchema, dataset: datasetRefSchema, metrics: metricsSchema });
export const batchResultSchema = z.object({ modelId: z.string(), documents: z.number().int(), errors: z.number().int(), outputKey: z.string(), outputTarKey: z.string() });

/** What the jobs use of the text service: its shared model cache and model lookup. */
export interface TextJobModels {
  predictor(modelId: string): Promise<TextPredictor>;
  requireTextModel(ref: string): Promise<ModelVersion>;
  /** Scoring threads (at least 1): how many the batch job's shared work is split over. */
  threads: number;
  /** The batch job's scoring (batch.ts): probabilities from a scoring thread (or inline when there are none)… */
  scoreRaw(p: TextPredictor, texts: string[]): Promise<Float32Array>;
  /** …and on the job's own thread besides the pool (set only when there is a pool). */
  localRaw?(p: TextPredictor, texts: string[]): Float32Array;
}

/** Scores a labeled dataset version with a trained model (the model's own decision rule). */
async function runEvaluateJob(deps: TextDeps, models: TextJobModels, ctx: JobContext<EvaluateRequest>): Promise<EvaluateResult> {
  const req = ctx.job.payload;
  const model = await models.requireTextModel(req.model);
  const predictor = await models.predictor(model.id);
  await ctx.progress(0.05, 'reading data');
  const data = await loadLabeledDocs(deps, { ...req, mode: predictor.rule.mode });
  throwIfErrors(data.problems, 'The evaluation data');
  const unknown = [...new Set(data.docs.flatMap((d) => d.labels))].filter((l) => !predictor.rule.labels.includes(l));
  if (unknown.length > 0) {
    throw new AppError('TEXT_UNKNOWN_LABEL', `The evaluation data has labels the model was not trained on: ${unknown.slice(0, 10).join(', ')}.`, {
      problems: unknown.slice(0, 50).map((l) => ({ field: 'label', problem: `unknown label ${JSON.stringify(l)}`, fix: `Use the model's labels: ${predictor.rule.labels.join(', ')}.` })),
    });
  }
  await ctx.progress(0.3, `scoring ${data.docs.length} documents`);
  const arrays = toArrays(data.docs, predictor.rule.labels, predictor.rule.mode);
  const scores = await predictTexts(predictor.classifier, arrays.texts);
  const rule = predictor.rule;
  const decision = rule.abstainBelow !== undefined || rule.offsets ? { abstainBelow: rule.abstainBelow, offsets: rule.offsets } : undefined;
  const metrics = classificationReport(rule.mode, rule.labels, scores, arrays.truth, rule.thresholds, decision);
  await ctx.progress(1, 'done');
  return { model: { id: model.id, name: model.name, version: model.version }, dataset: { id: data.versionId, version: data.version }, metrics };
}

export function textJobs(deps: TextDeps, models: TextJobModels) {
  return [
    defineJob({ type: 'text.train', payload: trainRequestSchema, result: trainResultSchema, run: (ctx) => runTrainJob(deps, withStageLog(ctx)) }),
    defineJob({ type: 'text.evaluate', payload: evaluateRequestSchema, result: evaluateResultSchema, idempotent: true, run: (ctx) => runEvaluateJob(deps, models, withStageLog(ctx)) }),
    defineJob({ type: 'text.batch', payload: batchJobPayloadSchema, result: batchResultSchema, idempotent: true, run: (ctx) => runBatchJob({ ...deps, predictor: models.predictor, threads: models.threads, scoreRaw: models.scoreRaw, ...(models.localRaw ? { localRaw: models.localRaw } : {}) }, withStageLog(ctx)) }),
  ];
}
