/** Zod schemas of the endpoint metrics route (validation and the OpenAPI document). */
import { z } from 'zod';
import { METRICS_WINDOWS, type MetricsWindow } from './metrics.ts';

const windows = Object.keys(METRICS_WINDOWS) as [MetricsWindow, ...MetricsWindow[]];

export const metricsQuerySchema = z.object({
  window: z.enum(windows).default('1h').describe(`how far back from now: ${windows.join(', ')} (default 1h)`),
});

const ms = z.number().nullable();
const summarySchema = z.object({
  requests: z.number().int(),
  errors: z.number().int().describe('answers with status ≥ 400'),
  clientErrors: z.number().int().describe('4xx answers'),
  serverErrors: z.number().int().describe('5xx answers'),
  errorRate: z.number().nullable(),
  meanMs: ms,
  maxMs: ms,
  p50Ms: ms.describe('nearest-rank percentile from a log histogram: at most 9.05 % above the exact value, never above the max'),
  p95Ms: ms,
  p99Ms: ms,
});

export const metricsReportSchema = z.object({
  endpoint: z.string(),
  window: z.enum(windows),
  windowSeconds: z.number().int(),
  stepSeconds: z.number().int().describe('width of each series point (60 s up to 6 h windows, longer for longer windows)'),
  from: z.string(),
  to: z.string(),
  recordingSince: z.string().describe('metrics are kept in memory: nothing before this process started recording the endpoint'),
  summary: summarySchema,
  lifetime: z.object({ requests: z.number().int(), errors: z.number().int() }),
  series: z.array(summarySchema.extend({ t: z.string().describe('start of the step') })),
});
