/**
 * The fine-tuning job definition (issue 16) as the API and CLI send it, and the run config the trainer reads
 * (`run.json`, the contract with python/train.py in /work/notes/finetune.md). Data and llama2.c checkpoints come
 * as uploads or dataset versions, never as server paths named by a request; the base GGUF comes from the LLM catalog.
 */
import { z } from 'zod';

export const RUN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const UPLOAD_ID_PATTERN = /^ftu_[A-Za-z0-9_-]{1,40}$/;
/** Slurm partition names we accept: what sinfo prints, nothing a shell could read as syntax. */
export const PARTITION_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** Slurm --time forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
export const SLURM_TIME_PATTERN = /^(\d{1,5}|\d{1,5}:\d{2}|\d{1,3}:\d{2}:\d{2}|\d{1,3}-\d{1,2}(:\d{2}){0,2})$/;

const uploadId = z.string().regex(UPLOAD_ID_PATTERN, 'an upload id (ftu_…) from POST /api/v1/finetune/uploads');

export const DATA_FORMATS = ['instruction', 'prompt_completion', 'text'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export const dataSpecSchema = z
  .strictObject({
    upload: uploadId.optional().describe('an uploaded JSONL or text file'),
    dataset: z.string().min(1).max(200).optional().describe('a dataset (name or id) of the datasets domain'),
    version: z.number().int().positive().optional().describe('the dataset version (default: the latest)'),
    format: z.enum(DATA_FORMATS).optional().describe('default: detected from the first row (instruction/response, prompt/completion, text) or .txt'),
    evalFraction: z.number().min(0.01).max(0.5).default(0.1),
    packing: z.boolean().default(true),
  })
  .refine((d) => (d.upload === undefined) !== (d.dataset === undefined), { message: 'give exactly one of upload or dataset', path: ['upload'] });

export const baseSpecSchema = z.union([
  z.string().min(1).max(200).describe('an LLM catalog model: NAME or NAME:VERSION (a llama GGUF)'),
  z.strictObject({ checkpoint: uploadId.describe('an uploaded llama2.c .bin checkpoint'), tokenizer: uploadId.describe('its uploaded tokenizer .bin') }),
]);

export const loraSchema = z.strictObject({
  rank: z.number().int().min(1).max(1024).default(8),
  alpha: z.number().positive().max(4096).default(16),
  dropout: z.number().min(0).max(0.9).default(0),
  targets: z.array(z.enum(['wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3'])).min(1).default(['wq', 'wk', 'wv', 'wo']),
});

export const hpSchema = z.strictObject({
  lr: z.number().positive().max(10).default(1e-3),
  schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
  warmupSteps: z.number().int().min(0).default(10),
  maxSteps: z.number().int().min(1).max(10_000_000).nullable().default(200),
  epochs: z.number().positive().max(1000).nullable().default(null),
  seqLen: z.number().int().min(8).max(131_072).default(256),
  microBatch: z.number().int().min(1).max(4096).default(8),
  globalBatch: z.number().int().min(1).max(1_000_000).default(16),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  evalEvery: z.number().int().min(1).default(50),
  checkpointEvery: z.number().int().min(1).default(50),
  gradClip: z.number().min(0).default(1.0),
});

export const parallelSchema = z.strictObject({
  dataParallel: z.number().int().min(1).max(1024).default(1).describe('world size: processes training data-parallel'),
  tensorParallel: z.number().int().min(1).max(64).default(1).describe('validated against the heads and recorded; the CPU trainer runs data parallel only'),
  pipelineParallel: z.number().int().min(1).max(64).default(1).describe('validated against the layers and recorded'),
});

export const launcherSpecSchema = z.strictObject({
  type: z.enum(['local', 'slurm']).default('local'),
  partition: z.string().regex(PARTITION_PATTERN, 'letters, digits, ".", "_" or "-"').optional().describe('Slurm partition (default: the cluster default)'),
  nodes: z.number().int().min(1).max(1024).default(1).describe('Slurm nodes; dataParallel is split evenly over them'),
  time: z.string().regex(SLURM_TIME_PATTERN, 'a Slurm time such as 30, 1:00:00 or 1-00:00:00').default('1:00:00'),
});

export const finetuneSpecSchema = z.strictObject({
  name: z.string().regex(RUN_NAME_PATTERN, 'use 1–63 letters, digits, ".", "_" or "-"').optional(),
  base: baseSpecSchema,
  data: dataSpecSchema,
  method: z.enum(['full', 'lora']).default('lora'),
  lora: loraSchema.default(loraSchema.parse({})),
  hp: hpSchema.default(hpSchema.parse({})),
  parallel: parallelSchema.default(parallelSchema.parse({})),
  launcher: launcherSpecSchema.default(launcherSpecSchema.parse({})),
  /** After success: export the last checkpoint to GGUF and register it in the LLM catalog (the job's `model` output; implied by deploy). */
  register: z.boolean().default(false),
  /** After success: export the last checkpoint to GGUF, register it in the LLM catalog and deploy it under this endpoint name. */
  deploy: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, 'an endpoint name: letters, digits or "-"').optional(),
});
export type FinetuneSpecInput = z.input<typeof finetuneSpecSchema>;
export type FinetuneSpec = z.output<typeof finetuneSpecSchema>;

/** run.json: what the trainer reads (paths absolute, resolved by the platform). */
export interface RunConfig {
  base: { path: string; format: 'gguf' | 'llama2c'; tokenizer: string | null };
  data: { train: string; format: DataFormat; evalFraction: number; packing: boolean };
  method: 'full' | 'lora';
  lora: FinetuneSpec['lora'];
  hp: FinetuneSpec['hp'];
  parallel: FinetuneSpec['parallel'];
  outDir: string;
  resume: boolean;
}

/** inspect.py's answer. */
export const inspectionSchema = z.object({
  model: z.object({
    arch: z.string(), dim: z.number().int(), n_layers: z.number().int(), n_heads: z.number().int(), n_kv_heads: z.number().int(),
    vocab: z.number().int(), ctx: z.number().int(), dtype: z.string().optional(),
  }).loose(),
  data: z.object({
    rows: z.number().int(), train_rows: z.number().int().optional(), eval_rows: z.number().int().optional(), tokens: z.number().int().optional(),
    problems: z.array(z.object({ row: z.number().int().optional(), field: z.string().optional(), problem: z.string(), fix: z.string().optional() }).loose()).default([]),
  }).loose(),
});
export type Inspection = z.infer<typeof inspectionSchema>;
