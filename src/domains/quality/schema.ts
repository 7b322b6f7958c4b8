/** Request shapes of prediction-quality tuning and experiments (zod: validation + OpenAPI from one source). */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { ThresholdObjective } from '../../ml/index.ts';
import { labeledSourceSchema, textFormatSchema, trainOptionsSchema } from '../text/schema.ts';

export const objectiveSchema = z
  .union([
    z.enum(['f1', 'f0.5', 'f2', 'fbeta']),
    z.object({ precision: z.number().gt(0).max(1) }).strict(),
    z.object({ recall: z.number().gt(0).max(1) }).strict(),
  ])
  .describe("'f1' | 'f0.5' | 'f2' | 'fbeta' (with beta) | {precision: 0.9} (best recall at that precision) | {recall: 0.8}");
export type ObjectiveInput = z.infer<typeof objectiveSchema>;

export const tuneRequestSchema = z.object({
  objective: objectiveSchema.default('f1'),
  beta: z.number().positive().max(100).optional().describe("with objective 'fbeta'"),
  folds: z.number().int().min(2).max(20).default(5),
  seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of the fold assignment'),
  smoothing: z.number().min(0).max(0.5).default(0)
    .describe('F objectives, multi-label: choose each threshold on F averaged over ±smoothing × the label\'s positives around each cut (0 = off, the plain first maximum)'),
  thresholdBags: z.number().int().min(0).max(200).default(0)
    .describe("objective 'f1', multi-label: each threshold is the mean logit of the F1-best thresholds of this many bootstrap resamples of the out-of-fold rows (0 = off); steadier on rare labels"),
  balancedGrid: z.boolean().default(false).describe('with cGrid: also try balanced class weights at each C, chosen per label like C (doubles the fits)'),
  cGrid: z.array(z.number().positive().max(1e6)).min(2).max(8).optional()
    .describe('multi-label, plain model: choose C per label out of fold from these values (each costs k fits), then refit as a new version with that labelC that carries the thresholds'),
  stack: z.boolean().default(false)
    .describe('multi-label, plain model: fit a per-label combiner over all labels\' out-of-fold logits (thresholds chosen on its cross-fitted scores), refit and fold it into one linear model as a new version (with cGrid: over the chosen C per label)'),
  stackNbWords: z.boolean().default(false).describe('with stack: also fit an NB-weighted word model in the tune folds as a second base of the combiner'),
  stackNbChars: z.boolean().default(false).describe('with stack: also fit an NB-weighted char model in the tune folds as one more base of the combiner (needs char n-grams)'),
  stackCaseChars: z.boolean().default(false)
    .describe('with stack: also fit a case-sensitive char_wb model (lowercase off) in the tune folds as one more base of the combiner; the refit appends its block to the model'),
  stackShape: z.boolean().default(false)
    .describe('with stack: per-document shape features (capitals, \'!\' and \'?\', length, stretched letters, punctuation; standardised on the training part) as more inputs of the combiner; the refit appends them to the model as a shape block'),
  stackEncoder: z.boolean().default(false)
    .describe('with stack: also fit a logistic regression on the texts\' embeddings from a pretrained sentence encoder (Universal Sentence Encoder lite, shipped with the install) in the tune folds as one more base of the combiner; the refit appends an encoder block to the model, and scoring it embeds every text (~50–60 ms of CPU each)'),
  stackAllC: z.boolean().default(false)
    .describe('with stack and cGrid: the combiner sees the out-of-fold logits at every C of the grid, not only each label\'s chosen C (the refit fits every C)'),
});
export type TuneRequest = z.infer<typeof tuneRequestSchema>;

export const tunePayloadSchema = tuneRequestSchema.extend({ modelId: z.string().min(1) });
export type TunePayload = z.infer<typeof tunePayloadSchema>;

/** Options that only modify another one, with what they need (checked before a job is queued). */
const DEPENDENT_OPTIONS = [
  { field: 'balancedGrid', needs: 'cGrid', sent: (r: TuneRequest) => r.balancedGrid, ok: (r: TuneRequest) => Boolean(r.cGrid?.length), example: '{"cGrid": [0.5, 1, 2, 4], "balancedGrid": true}' },
  { field: 'stackNbWords', needs: 'stack', sent: (r: TuneRequest) => r.stackNbWords, ok: (r: TuneRequest) => r.stack, example: '{"stack": true, "stackNbWords": true}' },
  { field: 'stackNbChars', needs: 'stack', sent: (r: TuneRequest) => r.stackNbChars, ok: (r: TuneRequest) => r.stack, example: '{"stack": true, "stackNbChars": true}' },
  { field: 'stackCaseChars', needs: 'stack', sent: (r: TuneRequest) => r.stackCaseChars, ok: (r: TuneRequest) => r.stack, example: '{"stack": true, "stackCaseChars": true}' },
  { field: 'stackEncoder', needs: 'stack', sent: (r: TuneRequest) => r.stackEncoder, ok: (r: TuneRequest) => r.stack, example: '{"stack": true, "stackEncoder": true}' },
  { field: 'stackShape', needs: 'stack', sent: (r: TuneRequest) => r.stackShape, ok: (r: TuneRequest) => r.stack, example: '{"stack": true, "stackShape": true}' },
  { field: 'thresholdBags', needs: "objective 'f1'", sent: (r: TuneRequest) => r.thresholdBags > 0, ok: (r: TuneRequest) => r.objective === 'f1', example: '{"objective": "f1", "thresholdBags": 50}' },
  { field: 'stackAllC', needs: 'stack and cGrid', sent: (r: TuneRequest) => r.stackAllC, ok: (r: TuneRequest) => r.stack && Boolean(r.cGrid?.length), example: '{"stack": true, "cGrid": [0.5, 1, 2, 4], "stackAllC": true}' },
] as const;

/** Refuses an option sent without the one it modifies (it would do nothing), instead of ignoring it. */
export function checkTuneOptions(req: TuneRequest): void {
  if (req.thresholdBags > 0 && req.smoothing > 0) {
    throw new AppError('VALIDATION_FAILED', 'thresholdBags and smoothing are two rules for the same thresholds: send one.', {
      problems: [{ field: 'thresholdBags', problem: 'sent with smoothing', fix: 'Leave smoothing out (or 0), or leave thresholdBags out.' }],
    });
  }
  for (const d of DEPENDENT_OPTIONS) {
    if (!d.sent(req) || d.ok(req)) continue;
    throw new AppError('VALIDATION_FAILED', `${d.field} needs ${d.needs}: without it the option changes nothing.`, {
      problems: [{ field: d.field, problem: `sent without ${d.needs}`, fix: `Send e.g. ${d.example}, or leave ${d.field} out.` }],
    });
  }
}

/** The ml objective and its display name ('f1', 'f0.5', 'fbeta(2)', 'precision>=0.9', 'recall>=0.8'). */
export function resolveObjective(o: ObjectiveInput, beta?: number): { objective: ThresholdObjective; name: string } {
  if (typeof o === 'object') {
    if ('precision' in o) return { objective: { kind: 'target-precision', target: o.precision }, name: `precision>=${o.precision}` };
    return { objective: { kind: 'target-recall', target: o.recall }, name: `recall>=${o.recall}` };
  }
  if (o === 'fbeta') {
    if (beta === undefined) {
      throw new AppError('VALIDATION_FAILED', "Objective 'fbeta' needs a beta.", { problems: [{ field: 'beta', problem: 'missing', fix: "Send e.g. {\"objective\": \"fbeta\", \"beta\": 2}, or use 'f1' / 'f0.5' / 'f2'." }] });
    }
    return { objective: { kind: 'f-beta', beta }, name: `fbeta(${beta})` };
  }
  const b = o === 'f1' ? 1 : o === 'f2' ? 2 : 0.5;
  return { objective: { kind: 'f-beta', beta: b }, name: o };
}

const unitInterval = z.number().min(0).max(1);

export const decisionUpdateSchema = z
  .object({
    thresholds: z.record(z.string(), unitInterval).optional().describe('multi-label: {label: threshold in 0..1}; labels not named keep their threshold'),
    abstainBelow: unitInterval.nullable().optional().describe('multi-class: answer null when the top score is below this; null removes it'),
    offsets: z.record(z.string(), z.number().min(-1).max(1)).nullable().optional().describe('multi-class: {class: offset added to its score before choosing}; null removes them'),
  })
  .strict();
export type DecisionUpdate = z.infer<typeof decisionUpdateSchema>;

const experimentSourceSchema = labeledSourceSchema.extend({
  testDataset: z.string().min(1).optional(),
  testDatasetVersion: z.coerce.number().int().positive().optional(),
  testFraction: z.number().gt(0).lt(1).default(0.2),
  seed: z.number().int().min(0).max(0xffffffff).default(42),
  options: trainOptionsSchema,
});

export const sweepRequestSchema = experimentSourceSchema.extend({
  label: z.string().min(1).describe('the label (class) whose positives are limited or augmented'),
  positives: z.array(z.number().int().min(1).max(1_000_000)).min(1).max(20).default([10, 25, 50, 100, 200, 500]),
  method: z.enum(['oversample', 'class-weight']).default('oversample').describe("'oversample': subsample or duplicate positives to N; 'class-weight': at most the available positives, balanced class weights"),
  keepModels: z.boolean().default(false).describe('register each trained model as a version of `name`'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/).optional().describe('model name for keepModels (default DATASET-sweep-LABEL)'),
});
export type SweepRequest = z.infer<typeof sweepRequestSchema>;

export const learningCurveRequestSchema = experimentSourceSchema.extend({
  fractions: z.array(z.number().gt(0).max(1)).min(1).max(20).default([0.1, 0.2, 0.4, 0.6, 0.8, 1]),
});
export type LearningCurveRequest = z.infer<typeof learningCurveRequestSchema>;

export const noisyLabelsRequestSchema = labeledSourceSchema.extend({
  folds: z.number().int().min(2).max(20).default(5),
  top: z.number().int().min(1).max(10_000).default(100),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  options: trainOptionsSchema,
});
export type NoisyLabelsRequest = z.infer<typeof noisyLabelsRequestSchema>;

export const datasetEditsSchema = z
  .object({
    drop: z.array(z.number().int().positive()).max(1_000_000).default([]).describe('1-based source rows to remove'),
    relabel: z.array(z.object({ row: z.number().int().positive(), labels: z.array(z.string().min(1)).min(1) }).strict()).max(1_000_000).default([]),
    format: textFormatSchema.default('auto'),
    delimiter: z.string().default('|').describe('Comprehend CSV multi-label delimiter'),
    textColumn: z.string().optional(),
    labelColumns: z.array(z.string().min(1)).optional(),
    noneLabel: z.string().optional().describe('wide CSV: the label meaning "no label column set" (default "clean")'),
  })
  .strict();
export type DatasetEdits = z.infer<typeof datasetEditsSchema>;
