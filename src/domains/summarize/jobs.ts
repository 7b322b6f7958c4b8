/** The `summarize.run` job type: payload and result schemas (jobs/registry.ts); registered by createSummarizeService. */
import { z } from 'zod';
import { defineJob } from '../../jobs/registry.ts';
import type { SummarizeDeps } from './deps.ts';
import { runSummarizeJob } from './run.ts';
import { engineSchema, summarizePayloadSchema, type SummarizePayload, type SummarizeResult } from './schema.ts';

export const SUMMARIZE_JOB = 'summarize.run';

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'summarize.run': { payload: SummarizePayload; result: SummarizeResult };
  }
}

const count = z.number().int();

export const documentSummarySchema = z.object({
  id: z.string(),
  summary: z.string(),
  words: count,
  inputWords: count,
  chunks: count,
  sentences: z.array(z.object({ index: count, text: z.string(), score: z.number(), section: z.string() })).optional().describe('extractive: the chosen sentences'),
  collapseRounds: count.optional(),
  seconds: z.number(),
});

export const intermediateSummarySchema = z.object({
  document: z.string(),
  stage: z.string(),
  index: count,
  round: count,
  promptTokens: count,
  completionTokens: count,
  seconds: z.number(),
  finishReason: z.string(),
  output: z.string(),
});

export const summarizeResultSchema = z.object({
  summary: z.string(),
  engine: engineSchema,
  mode: z.enum(['map-reduce', 'refine', 'extractive']),
  format: z.string(),
  chunks: count,
  documents: z.array(documentSummarySchema),
  intermediate: z.array(intermediateSummarySchema),
  tokenMax: count.nullable(),
  budget: z.record(z.string(), z.unknown()).nullable(),
  llmCalls: count,
  promptTokens: count,
  completionTokens: count,
  prompts: z.object({ map: z.string(), combine: z.string(), refine: z.string() }).nullable(),
  seconds: z.number(),
  artifacts: z.object({ summary: z.string(), result: z.string() }),
});

export const summarizeJob = (deps: SummarizeDeps) =>
  defineJob({ type: SUMMARIZE_JOB, payload: summarizePayloadSchema, result: summarizeResultSchema, idempotent: true, run: (ctx) => runSummarizeJob(deps, ctx) });
