/** Request shapes of the text-classification API (zod: validation + OpenAPI from one source). */
import { z } from 'zod';

export const textFormatSchema = z.enum(['auto', 'comprehend-csv', 'wide-csv', 'jsonl', 'augmented-manifest']);
export const textModeSchema = z.enum(['multi-class', 'multi-label']);

/** How to read a labeled dataset version as documents + labels. */
export const labeledSourceSchema = z.object({
  dataset: z.string().min(1).describe('dataset id or name'),
  datasetVersion: z.coerce.number().int().positive().optional().describe('default: latest'),
  mode: textModeSchema.default('multi-class'),
  format: textFormatSchema.default('auto'),
  delimiter: z.string().default('|').describe("multi-label delimiter (one of Comprehend's allowed characters)"),
  textColumn: z.string().optional(),
  labelColumns: z.array(z.string().min(1)).optional(),
  noneLabel: z.string().optional().describe('label for rows without a positive label (default "clean")'),
  labelAttribute: z.string().optional().describe('augmented manifest: the label attribute'),
});

export const trainOptionsSchema = z
  .object({
    wordNgram: z.tuple([z.number().int().min(1), z.number().int().min(1)]).nullable().optional().describe('null turns word features off'),
    charNgram: z.tuple([z.number().int().min(1), z.number().int().min(1)]).nullable().optional().describe('null turns character features off'),
    minDf: z.number().int().min(1).optional(),
    maxWordFeatures: z.number().int().min(0).optional(),
    maxCharFeatures: z.number().int().min(0).optional(),
    C: z.number().positive().optional(),
    labelC: z.record(z.string(), z.number().positive()).nullable().optional().describe('{label: C} in place of C for the labels named (plain model only; `text.tune` with cGrid chooses it); default null'),
    classWeight: z.enum(['none', 'balanced']).optional(),
    labelClassWeight: z.record(z.string(), z.enum(['none', 'balanced'])).nullable().optional().describe('{label: class weight} in place of classWeight for the labels named (plain model only; `text.tune` with cGrid + balancedGrid chooses it); default null'),
    maxEpochs: z.number().int().min(1).max(1000).optional(),
    nbWords: z.boolean().optional().describe('add the NB-weighted word model (default false)'),
    stackFolds: z.number().int().min(0).max(10).refine((k) => k !== 1, 'use 0 (off) or 2–10 inner folds').optional().describe('inner folds of the stacked combiner; 0 = off (default 0)'),
    stackC: z.number().positive().optional().describe('inverse regularisation of the combiner (default 0.1)'),
    stackRefit: z.boolean().optional().describe('refit the base models on all rows instead of averaging the inner folds (default false)'),
    blendWordChar: z.boolean().optional().describe('a word-only and a char-only model as bases instead of one word+char model, blended per label (default false)'),
  })
  .default({});

export const trainRequestSchema = labeledSourceSchema.extend({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  testDataset: z.string().min(1).optional(),
  testDatasetVersion: z.coerce.number().int().positive().optional(),
  testFraction: z.number().gt(0).lt(1).default(0.2),
  seed: z.number().int().default(42),
  options: trainOptionsSchema,
});
export type TrainRequest = z.infer<typeof trainRequestSchema>;

/** A dry run of training's data checks: the training source (and optional test dataset), no model name or options. */
export const trainingCheckRequestSchema = labeledSourceSchema.extend({
  testDataset: z.string().min(1).optional(),
  testDatasetVersion: z.coerce.number().int().positive().optional(),
});
export type TrainingCheckRequest = z.infer<typeof trainingCheckRequestSchema>;

export const evaluateRequestSchema = labeledSourceSchema.extend({ model: z.string().min(1) });
export type EvaluateRequest = z.infer<typeof evaluateRequestSchema>;

export const batchInputFormatSchema = z.enum(['one-doc-per-line', 'one-doc-per-file', 'csv']);
export type BatchInputFormat = z.infer<typeof batchInputFormatSchema>;

export const batchJobPayloadSchema = z.object({
  modelId: z.string(),
  inputKey: z.string(),
  inputFileName: z.string(),
  inputFormat: batchInputFormatSchema,
  column: z.string().optional(),
  outputPrefix: z.string(),
});
export type BatchJobPayload = z.infer<typeof batchJobPayloadSchema>;
