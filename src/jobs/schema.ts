/** API schemas for jobs (zod → validation and the OpenAPI document). Other domains reuse `jobSchema`. */
import { z } from 'zod';
import type { Job, JobEvent, JobStatus } from './types.ts';

export const jobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']) satisfies z.ZodType<JobStatus>;

export const problemSchema = z.object({
  row: z.number().int().optional(),
  field: z.string().optional(),
  problem: z.string(),
  fix: z.string(),
  severity: z.enum(['error', 'warning']).optional(),
});

export const jobErrorSchema = z.object({
  code: z.string().describe('Error code (see docs/errors.md); INTERRUPTED when the worker process stopped'),
  message: z.string(),
  problems: z.array(problemSchema).optional(),
});

export const jobSchema = z
  .object({
    id: z.string(),
    type: z.string().describe('Job type, e.g. datasets.import'),
    status: jobStatusSchema,
    payload: z.unknown(),
    result: z.unknown().describe('The handler result once succeeded, otherwise null'),
    error: jobErrorSchema.nullable(),
    progress: z.number().min(0).max(1),
    message: z.string(),
    attempts: z.number().int(),
    idempotent: z.boolean(),
    cancelRequested: z.boolean(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .describe('Job') satisfies z.ZodType<Omit<Job, 'payload' | 'result'> & { payload?: unknown; result?: unknown }>;

export const jobEventSchema = z.object({
  jobId: z.string(),
  status: jobStatusSchema,
  progress: z.number(),
  message: z.string(),
}) satisfies z.ZodType<JobEvent>;

export const jobListQuery = z.object({
  status: jobStatusSchema.optional(),
  type: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().optional(),
});

export const jobListSchema = z.object({ items: z.array(jobSchema), nextCursor: z.string().nullable() });

export const jobIdParams = z.object({ id: z.string().min(1).max(200) });

export const jobLogsQuery = z.object({
  after: z.coerce.number().int().min(0).optional().describe('Skip the first N lines (the number already read)'),
});

export const jobLogsSchema = z.object({
  items: z.array(z.object({ at: z.string(), level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string() })),
});

export const jobTypesSchema = z.object({
  items: z.array(z.object({
    type: z.string().describe('Job type, e.g. text.train'),
    idempotent: z.boolean().describe('Re-run after a crash instead of failing INTERRUPTED'),
    payload: z.record(z.string(), z.unknown()).describe('JSON Schema of the payload enqueue accepts'),
    result: z.record(z.string(), z.unknown()).describe('JSON Schema of the stored result'),
  })),
});
