/** The in-memory recorder: percentiles against nearest-rank by hand, minute series, the ring wrapping, bounded names. */
import { describe, expect, it } from 'vitest';
import { BUCKET_RATIO, bucketOf, bucketUpper, EndpointMetrics } from './metrics.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function clock(start = T0) {
  let t = start;
  return { now: () => t, set: (v: number) => void (t = v), add: (ms: number) => void (t += ms) };
}

/** A recorder on a fake clock that knows endpoint "ep", fed `[minutes to advance first, latency ms, status]` calls. */
function recorder(...calls: Array<[number, number, number]>) {
  const c = clock();
  const m = new EndpointMetrics(c.now);
  m.ensure('ep');
  for (const [minutes, ms, status] of calls) {
    c.add(minutes * MIN);
    m.record('ep', ms, status);
  }
  return { c, m };
}

/** Nearest-rank percentile of raw values (the definition the histogram approximates). */
function nearestRank(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1]!;
}

describe('latency histogram', () => {
  it('puts each latency in a bucket whose upper edge is at most 9.05 % above it', () => {
    for (const ms of [0.02, 0.5, 1, 3.3, 17, 250, 999, 12_345]) {
      const b = bucketOf(ms);
      expect(bucketUpper(b)).toBeGreaterThanOrEqual(ms * (1 - 1e-12));
      expect(bucketUpper(b)).toBeLessThanOrEqual(ms * BUCKET_RATIO * (1 + 1e-12));
    }
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(1e12)).toBe(191);
  });
});

describe('EndpointMetrics', () => {
  it('reports counts, error classes and percentiles within the bucket width of the exact nearest-rank values', () => {
    const { m } = recorder();
    const latencies = Array.from({ length: 200 }, (_, i) => 1 + ((i * 37) % 200) * 0.73);
    latencies.forEach((ms, i) => m.record('ep', ms, i % 20 === 0 ? 400 : i % 50 === 1 ? 503 : 200));
    const r = m.report('ep', '1h');
    expect(r.summary).toMatchObject({ requests: 200, clientErrors: 10, serverErrors: 4, errors: 14, errorRate: 14 / 200 });
    const max = Math.max(...latencies);
    expect(r.summary.maxMs).toBeCloseTo(max, 3);
    expect(r.summary.meanMs).toBeCloseTo(latencies.reduce((a, b) => a + b, 0) / 200, 3);
    for (const [key, p] of [['p50Ms', 0.5], ['p95Ms', 0.95], ['p99Ms', 0.99]] as const) {
      const exact = nearestRank(latencies, p);
      expect(r.summary[key]!).toBeGreaterThanOrEqual(exact - 5e-4);
      expect(r.summary[key]!).toBeLessThanOrEqual(Math.min(exact * BUCKET_RATIO, max) + 5e-4);
    }
    expect(r.lifetime).toEqual({ requests: 200, errors: 14 });
  });

  it('returns a zero-filled per-minute series ending now and keeps minutes apart', () => {
    const { m } = recorder([0, 10, 200], [2, 30, 500], [0, 50, 200]);
    const r = m.report('ep', '5m');
    expect(r.series).toHaveLength(5);
    expect(r.stepSeconds).toBe(60);
    expect(r.series.map((p) => p.requests)).toEqual([0, 0, 1, 0, 2]);
    expect(r.series[2]).toMatchObject({ t: new Date(T0).toISOString(), p50Ms: 10, p99Ms: 10, errors: 0 });
    expect(r.series[4]).toMatchObject({ requests: 2, serverErrors: 1, maxMs: 50, p99Ms: 50 });
    expect(r.series[0]!.p50Ms).toBeNull();
    expect(r.to).toBe(new Date(T0 + 3 * MIN).toISOString());
  });

  it('sums a 24 h window into 4-minute steps and forgets minutes older than the ring', () => {
    const { c, m } = recorder([0, 5, 200], [1000, 7, 200]);
    let r = m.report('ep', '24h');
    expect(r.series).toHaveLength(360);
    expect(r.stepSeconds).toBe(240);
    expect(r.summary.requests).toBe(2);
    expect(m.report('ep', '1h').summary.requests).toBe(1);
    // One day later the first minute's slot is reused by a new request: the old figures are gone.
    c.set(T0 + 1440 * MIN);
    m.record('ep', 9, 200);
    r = m.report('ep', '24h');
    expect(r.summary.requests).toBe(2); // the minute at +1000 and the new one
    expect(r.summary.maxMs).toBe(9);
    expect(r.lifetime.requests).toBe(3);
  });

  it('records nothing for names it was not told about, and forgets dropped endpoints', () => {
    const m = new EndpointMetrics(clock().now);
    m.record('nobody', 5, 200);
    expect(m.has('nobody')).toBe(false);
    m.ensure('ep');
    m.record('ep', 5, 200);
    m.drop('ep');
    expect(m.has('ep')).toBe(false);
    expect(m.report('ep', '1h').summary.requests).toBe(0);
  });
});
