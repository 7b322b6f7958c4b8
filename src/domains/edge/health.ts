/**
 * Canary health: from the results the canary devices sent with the new version (and any device that could not take
 * it), decide to promote, roll back, or wait for more samples. Input errors (a file that is not an image) are not the
 * model's fault and are left out of the error rate.
 */
export interface HealthPolicy {
  /** Highest share of inferences that may fail (EDGE_INFERENCE_FAILED) before rolling back. */
  maxErrorRate: number;
  /** Highest 95th-percentile inference latency, in ms. */
  maxLatencyP95Ms: number;
  /** Samples needed before deciding. */
  minSamples: number;
  /** Only samples received in the last `windowSeconds` count. */
  windowSeconds: number;
}

export const DEFAULT_HEALTH: HealthPolicy = { maxErrorRate: 0.2, maxLatencyP95Ms: 2000, minSamples: 10, windowSeconds: 600 };

export interface HealthSample {
  latencyMs: number | null;
  errorCode: string | null;
}

export interface HealthReport {
  decision: 'promote' | 'rollback' | 'wait';
  samples: number;
  errorRate: number | null;
  latencyP95Ms: number | null;
  reason: string;
}

export const INPUT_ERRORS = new Set(['EDGE_IMAGE_UNREADABLE']);

/** Nearest-rank 95th percentile. */
export function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

export function evaluateHealth(samples: HealthSample[], modelErrors: Array<{ device: string; code: string }>, policy: HealthPolicy): HealthReport {
  const relevant = samples.filter((s) => !(s.errorCode && INPUT_ERRORS.has(s.errorCode)));
  const errors = relevant.filter((s) => s.errorCode !== null).length;
  const latencies = relevant.filter((s) => s.errorCode === null && s.latencyMs !== null).map((s) => s.latencyMs!);
  const errorRate = relevant.length ? errors / relevant.length : null;
  const latencyP95Ms = p95(latencies);
  const base = { samples: relevant.length, errorRate, latencyP95Ms };
  if (modelErrors.length > 0) {
    const e = modelErrors[0]!;
    return { ...base, decision: 'rollback', reason: `device ${e.device} could not take the version (${e.code})` };
  }
  if (relevant.length < policy.minSamples) return { ...base, decision: 'wait', reason: `${relevant.length} of ${policy.minSamples} samples` };
  if (errorRate! > policy.maxErrorRate) return { ...base, decision: 'rollback', reason: `error rate ${(errorRate! * 100).toFixed(1)} % > ${(policy.maxErrorRate * 100).toFixed(1)} %` };
  if (latencyP95Ms !== null && latencyP95Ms > policy.maxLatencyP95Ms) return { ...base, decision: 'rollback', reason: `p95 latency ${latencyP95Ms.toFixed(1)} ms > ${policy.maxLatencyP95Ms} ms` };
  return { ...base, decision: 'promote', reason: `healthy over ${relevant.length} samples` };
}
