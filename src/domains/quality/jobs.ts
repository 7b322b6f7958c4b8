/**
 * The text-quality job types: decision-rule tuning (`text.tune`), the quality experiments (`text.sweep`,
 * `text.learning-curve`) and the noisy-label finder (`text.noisy-labels`), with their payload and result schemas
 * (jobs/registry.ts). Registered by createTextQualityService.
 */
import { z } from 'zod';
import { datasetRefSchema, defineJob, jsonObject, modelRefSchema } from '../../jobs/registry.ts';
import type { ClassificationReport } from '../classifiers/evaluate.ts';
import { withStageLog } from '../models/stageLog.ts';
import type { QualityDeps } from './deps.ts';
import { runLearningCurveJob, runSweepJob, type LearningCurvePoint, type LearningCurveResult, type SweepPoint, type SweepResult } from './experiments.ts';
import { runNoisyLabelsJob, type NoisyLabelsResult } from './noisy.ts';
import { learningCurveRequestSchema, noisyLabelsRequestSchema, sweepRequestSchema, tunePayloadSchema, type LearningCurveRequest, type NoisyLabelsRequest, type SweepRequest, type TunePayload } from './schema.ts';
import { runTuneJob, type TuneResult } from './tune.ts';

export const QUALITY_JOBS = { tune: 'text.tune', sweep: 'text.sweep', learningCurve: 'text.learning-curve', noisyLabels: 'text.noisy-labels' } as const;

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'text.tune': { payload: TunePayload; result: TuneResult };
    'text.sweep': { payload: SweepRequest; result: SweepResult };
    'text.learning-curve': { payload: LearningCurveRequest; result: LearningCurveResult };
    'text.noisy-labels': { payload: NoisyLabelsRequest; result: NoisyLabelsResult };
  }
}

const report = (what: string) => jsonObject<ClassificationReport>(`Classification report on the test part ${what}`);
const thresholdsSchema = z.record(z.string(), z.number()).nullable();
// Points may hold scores JSON writes as null (NaN where a fold had no positives): checked as objects.
const chartSvg = z.string().describe('The chart as SVG (GET /api/v1/text/experiments/{jobId}/chart)');

export const tuneResultSchema = z.object({
  model: modelRefSchema,
  objective: z.string(),
  folds: z.number().int(),
  thresholds: thresholdsSchema,
  abstainBelow: z.number().nullable(),
  offsets: z.record(z.string(), z.number()).nullable(),
  before: report('before tuning'),
  after: report('after tuning'),
  tuneSeconds: z.number(),
  labelC: z.record(z.string(), z.number()).optional().describe('with cGrid: the refitted version\'s C per label (the C chosen out of fold × (k−1)/k)'),
  labelClassWeight: z.record(z.string(), z.enum(['none', 'balanced'])).optional().describe('with cGrid: the refitted version\'s class weight per label'),
  cGrid: z.array(z.object({ C: z.number(), classWeight: z.enum(['none', 'balanced']), meanObjective: z.number() })).optional().describe('with cGrid: each C\'s mean out-of-fold objective over labels'),
  refittedFrom: z.object({ id: z.string(), version: z.number().int() }).optional().describe('with cGrid or stack: the version tuned; `model` is the refitted new version'),
  stack: z.object({ bases: z.array(z.string()), combinerC: z.number() }).optional().describe('with stack: the combiner\'s base models and its C'),
});

/** What both experiments report besides their points. */
const experimentSchema = z.object({ dataset: datasetRefSchema, n_train: z.number().int(), n_test: z.number().int(), chartSvg });

export const sweepResultSchema = experimentSchema.extend({
  label: z.string(),
  method: z.enum(['oversample', 'class-weight']),
  available_positives: z.number().int(),
  test_positives: z.number().int(),
  points: z.array(jsonObject<SweepPoint>('One sweep point: positives trained on, precision, recall, F1, AUC')),
});

export const learningCurveResultSchema = experimentSchema.extend({
  points: z.array(jsonObject<LearningCurvePoint>('One point: training fraction and size, macro/micro F1, mean AUC')),
});

export const noisyLabelsResultSchema = z.object({
  dataset: datasetRefSchema,
  mode: z.enum(['multi-class', 'multi-label']),
  n_rows: z.number().int(),
  folds: z.number().int(),
  thresholds: thresholdsSchema,
  rows: z.array(z.object({ row: z.number().int(), text: z.string(), labels: z.array(z.string()), suggested: z.array(z.string()), score: z.number(), label: z.string() })),
  seconds: z.number(),
});

export function qualityJobs(deps: QualityDeps) {
  return [
    defineJob({ type: QUALITY_JOBS.tune, payload: tunePayloadSchema, result: tuneResultSchema, idempotent: true, run: (ctx) => runTuneJob(deps, withStageLog(ctx)) }),
    defineJob({ type: QUALITY_JOBS.sweep, payload: sweepRequestSchema, result: sweepResultSchema, run: (ctx) => runSweepJob(deps, ctx) }),
    defineJob({ type: QUALITY_JOBS.learningCurve, payload: learningCurveRequestSchema, result: learningCurveResultSchema, idempotent: true, run: (ctx) => runLearningCurveJob(deps, ctx) }),
    defineJob({ type: QUALITY_JOBS.noisyLabels, payload: noisyLabelsRequestSchema, result: noisyLabelsResultSchema, idempotent: true, run: (ctx) => runNoisyLabelsJob(deps, ctx) }),
  ];
}
