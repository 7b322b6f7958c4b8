/**
 * The pipeline definition (issue 14): what `sagebrush pipelines apply FILE` (YAML or JSON) and the TypeScript
 * builder (builder.ts) produce. Parsed with zod; the graph, references and typed outputs are checked in validate.ts.
 */
import { z } from 'zod';

export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const name = z.string().regex(NAME_PATTERN, 'use 1–63 letters, digits, "_" or "-", starting with a letter');

export const paramTypeSchema = z.enum(['string', 'number', 'integer', 'boolean']);
export type ParamType = z.infer<typeof paramTypeSchema>;
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const parameterSchema = z.strictObject({
  type: paramTypeSchema,
  default: scalar.optional(),
  description: z.string().max(500).optional(),
});

/** A comparison operand: a literal or a `${{ … }}` reference (a string). */
const operand = scalar;
export type ConditionExpr =
  | { left: string | number | boolean; op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte'; right: string | number | boolean }
  | { and: ConditionExpr[] }
  | { or: ConditionExpr[] }
  | { not: ConditionExpr };
export const conditionExprSchema: z.ZodType<ConditionExpr> = z.lazy(() =>
  z.union([
    z.strictObject({ left: operand, op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']), right: operand }),
    z.strictObject({ and: z.array(conditionExprSchema).min(1) }),
    z.strictObject({ or: z.array(conditionExprSchema).min(1) }),
    z.strictObject({ not: conditionExprSchema }),
  ]),
);

const common = {
  name,
  description: z.string().max(500).optional(),
  /** Runs after these steps (a step that references another step's output depends on it implicitly). */
  dependsOn: z.array(z.string()).default([]),
  retries: z.number().int().min(0).max(10).default(0),
  /** First retry after this many seconds, doubling each time. */
  retryBackoffSeconds: z.number().min(0).max(3600).default(1),
  timeoutSeconds: z.number().positive().max(7 * 86_400).optional(),
  /** Job and command steps reuse a finished step with the same definition and inputs (a hash of both). */
  cache: z.boolean().default(true),
};
const inputs = z.record(z.string(), z.unknown()).default({});
const modelInput = z.union([z.string(), z.number()]).describe('a model id, NAME:VERSION or a reference');

export const JOB_STEP_TYPES = ['processing', 'training', 'evaluation', 'job'] as const;
export const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const stepSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.enum(JOB_STEP_TYPES), jobType: z.string().min(1), inputs }),
  z.strictObject({ ...common, type: z.literal('condition'), if: conditionExprSchema, then: z.array(z.string()).default([]), else: z.array(z.string()).default([]) }),
  z.strictObject({ ...common, type: z.literal('register'), inputs: z.strictObject({ model: modelInput, approval: z.string().default('PendingManualApproval') }) }),
  z.strictObject({ ...common, type: z.literal('approval'), inputs: z.strictObject({ model: modelInput, status: z.string().optional().describe('set this status; without it the step waits for a decision') }) }),
  z.strictObject({ ...common, type: z.literal('alias'), inputs: z.strictObject({ model: modelInput, alias: z.string().min(1) }) }),
  z.strictObject({ ...common, type: z.literal('deploy'), inputs: z.strictObject({ endpoint: z.string().min(1), model: modelInput }) }),
  z.strictObject({ ...common, type: z.literal('fail'), inputs: z.strictObject({ message: z.string().min(1) }) }),
  z.strictObject({
    ...common,
    type: z.literal('command'),
    /** A path relative to the configured pipeline scripts folder (SAGEBRUSH_PIPELINE_SCRIPTS_DIR). */
    script: z.string().min(1).max(200),
    inputs,
    outputs: z.record(z.string().regex(NAME_PATTERN), paramTypeSchema).default({}),
    /** The script may run again after its worker died mid-run (it is re-queued instead of failing the step). */
    idempotent: z.boolean().optional(),
  }),
]);
export type StepDefinition = z.infer<typeof stepSchema>;
export type StepType = StepDefinition['type'];

/** What starts a run besides a person (triggers.ts; cron and zone are checked there, at apply). */
export const triggersSchema = z.strictObject({
  schedule: z.strictObject({ cron: z.string().min(1).max(200), timezone: z.string().min(1).max(100).default('UTC') }).optional(),
  onDatasetVersion: z.strictObject({ dataset: z.string().min(1).max(200) }).optional(),
  onApproval: z.strictObject({ model: z.string().min(1).max(200) }).optional(),
  onFeatureRecords: z.strictObject({
    group: z.string().min(1).max(200),
    count: z.number().int().positive().max(10_000_000),
    where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }).optional(),
});
export type PipelineTriggers = z.infer<typeof triggersSchema>;

export const definitionSchema = z.strictObject({
  name,
  description: z.string().max(2000).optional(),
  parameters: z.record(z.string().regex(NAME_PATTERN), parameterSchema).default({}),
  triggers: triggersSchema.optional(),
  steps: z.array(stepSchema).min(1).max(100),
});
export type PipelineDefinition = z.infer<typeof definitionSchema>;
export type PipelineDefinitionInput = z.input<typeof definitionSchema>;

export const isJobStep = (s: StepDefinition): s is Extract<StepDefinition, { jobType: string }> => (JOB_STEP_TYPES as readonly string[]).includes(s.type);

export type RunStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'starting' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export const TERMINAL_STEP: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

export interface StepError {
  code: string;
  message: string;
}

export interface PipelineStepRun {
  name: string;
  type: StepType;
  status: StepStatus;
  jobId: string | null;
  worker: string | null;
  attempts: number;
  cached: boolean;
  seconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  outputs: unknown;
  error: StepError | null;
}

export interface Trigger {
  /** What started the run: `manual` (API/CLI); schedules and events add their own types. */
  type: string;
  detail?: Record<string, unknown>;
}

export interface PipelineRun {
  id: string;
  pipeline: string;
  version: number;
  status: RunStatus;
  params: Record<string, string | number | boolean>;
  trigger: Trigger;
  error: StepError | null;
  createdAt: string;
  finishedAt: string | null;
  steps: PipelineStepRun[];
}

export interface PipelineVersion {
  name: string;
  version: number;
  hash: string;
  definition: PipelineDefinition;
  createdAt: string;
}
