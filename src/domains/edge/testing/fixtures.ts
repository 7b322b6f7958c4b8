/** Small inputs for edge tests: uniform gray images (the fixture detector's score is their brightness) and result batches. */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { EdgeResult } from '../protocol.ts';

/** A w×h PNG of one gray level (0–255). */
export async function grayImage(level: number, w = 48, h = 32): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: level, g: level, b: level } } }).png().toBuffer();
}

export function resultBatch(modelId: string, prefix: string, n: number, opts: { score?: number; error?: string; latencyMs?: number }): { results: EdgeResult[] } {
  return {
    results: Array.from({ length: n }, (_, i) => ({
      id: `${prefix}-${randomUUID()}`, image: `${prefix}-${i}.png`, modelId, capturedAt: new Date().toISOString(), latencyMs: opts.latencyMs ?? 3,
      detections: opts.error ? [] : [{ classId: 0, score: opts.score ?? 0.9, x1: 0, y1: 0, x2: 48, y2: 32 }],
      lowConfidence: !opts.error && (opts.score ?? 0.9) < 0.7, error: opts.error ? { code: opts.error, message: 'failed' } : null,
    })),
  };
}
