import { describe, expect, it } from 'vitest';
import { evaluateHealth, p95, type HealthPolicy } from './health.ts';

const policy: HealthPolicy = { maxErrorRate: 0.2, maxLatencyP95Ms: 100, minSamples: 5, windowSeconds: 600 };
const ok = (ms: number) => ({ latencyMs: ms, errorCode: null });
const failed = { latencyMs: null, errorCode: 'EDGE_INFERENCE_FAILED' };

describe('canary health', () => {
  it('p95 is the nearest-rank percentile', () => {
    expect(p95([])).toBeNull();
    expect(p95(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(19);
    expect(p95([5])).toBe(5);
  });
  it('waits for minSamples, rolls back on error rate or p95 latency, promotes otherwise', () => {
    expect(evaluateHealth([ok(1), ok(1)], [], policy)).toMatchObject({ decision: 'wait', reason: '2 of 5 samples' });
    expect(evaluateHealth([ok(1), ok(1), ok(1), failed, failed], [], policy)).toMatchObject({ decision: 'rollback', errorRate: 0.4 });
    expect(evaluateHealth([ok(10), ok(10), ok(10), ok(10), ok(500)], [], policy)).toMatchObject({ decision: 'rollback', latencyP95Ms: 500 });
    expect(evaluateHealth([ok(10), ok(20), ok(30), ok(40), failed], [], policy)).toMatchObject({ decision: 'promote', errorRate: 0.2, latencyP95Ms: 40 });
  });
  it('input errors (not an image) are not the model\'s fault; a device that cannot take the version rolls back at once', () => {
    const notImage = { latencyMs: null, errorCode: 'EDGE_IMAGE_UNREADABLE' };
    expect(evaluateHealth([ok(1), ok(1), ok(1), ok(1), ok(1), notImage, notImage, notImage], [], policy)).toMatchObject({ decision: 'promote', samples: 5, errorRate: 0 });
    expect(evaluateHealth([], [{ device: 'a', code: 'EDGE_MODEL_CHECKSUM_MISMATCH' }], policy)).toMatchObject({ decision: 'rollback', reason: 'device a could not take the version (EDGE_MODEL_CHECKSUM_MISMATCH)' });
  });
});
