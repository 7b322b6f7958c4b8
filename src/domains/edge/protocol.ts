/**
 * The wire protocol between the edge agent (src/agent) and the server's device routes, as zod schemas both sides
 * use: what a device sends (results batches, heartbeats, feedback images) and what it is told (its desired model).
 * Every item a device sends carries an id the device generated, so a re-sent batch is stored once.
 */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';

/** Ids the device generates: hex/uuid-like, no path characters (they become artifact keys). */
export const CLIENT_ID = z.string().regex(/^[A-Za-z0-9_-]{8,80}$/, 'an id of 8–80 letters, digits, "_" or "-"');
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 timestamp');
const imageName = z.string().min(1).max(300);

export const detectionSchema = z.object({
  classId: z.number().int().min(0),
  score: z.number().min(0).max(1),
  x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number(),
});

export const resultSchema = z.object({
  id: CLIENT_ID,
  image: imageName,
  modelId: z.string().max(80).nullable(),
  capturedAt: isoTime,
  latencyMs: z.number().min(0).nullable(),
  detections: z.array(detectionSchema).max(1000),
  lowConfidence: z.boolean(),
  error: z.object({ code: z.string().max(80), message: z.string().max(2000) }).nullable(),
});
export type EdgeResult = z.infer<typeof resultSchema>;

export const MAX_RESULTS_PER_BATCH = 500;
export const resultsBatchSchema = z.object({ results: z.array(resultSchema).min(1).max(MAX_RESULTS_PER_BATCH) });

export const heartbeatSchema = z.object({
  sentAt: isoTime,
  modelId: z.string().max(80).nullable(),
  /** A model the agent could not take (checksum, load): a canary device's report rolls the canary back. */
  modelError: z.object({ modelId: z.string().max(80), code: z.string().max(80), message: z.string().max(2000) }).nullable(),
  inferenceRate: z.number().min(0),
  inferences: z.number().int().min(0),
  queueDepth: z.number().int().min(0),
  queueBytes: z.number().int().min(0),
  diskBytes: z.number().int().min(0),
  warnings: z.array(z.string().max(500)).max(20),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const feedbackSchema = z.object({
  image: imageName,
  modelId: z.string().max(80).nullable(),
  maxScore: z.number().min(0).max(1),
  capturedAt: isoTime,
  /** The image bytes, base64. */
  data: z.string().min(1),
});
export type FeedbackUpload = z.infer<typeof feedbackSchema>;

/** GET /edge/device/desired: the model this device should run, and the fleet's feedback threshold. */
export interface DesiredModel {
  device: string;
  fleet: string;
  feedbackThreshold: number;
  model: { id: string; ref: string; sha256: string; size: number; deploymentId: string; canary: boolean } | null;
}

/** Validation of a device upload: EDGE_UPLOAD_INVALID naming each field. */
export function parseUpload<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  const problems = r.error.issues.slice(0, 50).map((i) => ({ field: i.path.map(String).join('.'), problem: i.message, fix: 'Follow src/domains/edge/protocol.ts (the agent does).' }));
  throw new AppError('EDGE_UPLOAD_INVALID', `Invalid ${what}: ${problems.slice(0, 5).map((p) => `${p.field || '(body)'}: ${p.problem}`).join('; ')}`, { problems });
}
