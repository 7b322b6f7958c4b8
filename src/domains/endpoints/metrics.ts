/**
 * Per-endpoint invocation metrics, kept in memory (as CloudWatch's Invocations / 4XX / 5XX / ModelLatency for a
 * SageMaker or Comprehend endpoint): each endpoint has a ring of per-minute slots covering the last 24 hours, each slot
 * holding counts, error counts and a log-scale latency histogram. Recording a request is O(1) (one log2, a few adds)
 * and never touches the database; reading a window merges at most 1,440 slots.
 *
 * Memory is bounded: entries exist only for endpoints this process created, resolved or reported on (never for
 * arbitrary names a client sends), a slot's histogram is allocated on the first request of that minute and reused when
 * the ring wraps — at most 1,440 × ~0.8 KB ≈ 1.1 MB per endpoint that is busy every minute for a day.
 * Nothing is persisted: the figures start when the process starts (`recordingSince` says when).
 */

/** Windows the metrics route accepts, in minutes. */
export const METRICS_WINDOWS = { '5m': 5, '15m': 15, '1h': 60, '3h': 180, '6h': 360, '12h': 720, '24h': 1440 } as const;
export type MetricsWindow = keyof typeof METRICS_WINDOWS;

const RING_MINUTES = 1440;
/** At most this many points in a series: longer windows are summed into steps of several minutes. */
const MAX_POINTS = 360;
const MINUTE_MS = 60_000;

/** Histogram: bucket b holds latencies in (upper(b-1), upper(b)] with upper(b) = 0.01 ms · 2^(b/8) (≤ 9.05 % wide). */
const MIN_MS = 0.01;
const PER_DOUBLING = 8;
export const BUCKETS = 192; // upper(191) ≈ 164 s; anything slower is counted in the last bucket
export const BUCKET_RATIO = 2 ** (1 / PER_DOUBLING);

export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const b = Math.ceil(Math.log2(ms / MIN_MS) * PER_DOUBLING);
  return b >= BUCKETS ? BUCKETS - 1 : b;
}

export function bucketUpper(b: number): number {
  return MIN_MS * 2 ** (b / PER_DOUBLING);
}

interface Slot {
  minute: number;
  requests: number;
  clientErrors: number;
  serverErrors: number;
  sumMs: number;
  maxMs: number;
  hist: Uint32Array;
}

interface Series {
  since: number;
  requests: number;
  errors: number;
  slots: Array<Slot | undefined>;
}

export interface LatencySummary {
  requests: number;
  errors: number;
  /** 4xx answers: the caller's fault (bad input, unknown licence acceptance, rate limited). */
  clientErrors: number;
  /** 5xx answers: the server's fault. */
  serverErrors: number;
  errorRate: number | null;
  meanMs: number | null;
  maxMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface MetricsPoint extends LatencySummary {
  /** Start of the step (ISO time). */
  t: string;
}

export interface EndpointMetricsReport {
  endpoint: string;
  window: MetricsWindow;
  windowSeconds: number;
  stepSeconds: number;
  from: string;
  to: string;
  /** When this process began recording the endpoint (figures before that are not known). */
  recordingSince: string;
  summary: LatencySummary;
  /** Since recording began, not only in the window. */
  lifetime: { requests: number; errors: number };
  series: MetricsPoint[];
}

/** Nearest-rank percentile from a histogram: the upper edge of the bucket holding rank ⌈p·n⌉, never above the max seen. */
export function percentileOf(hist: Uint32Array, n: number, p: number, maxMs: number): number | null {
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (let b = 0; b < hist.length; b++) {
    seen += hist[b]!;
    if (seen >= rank) return b === BUCKETS - 1 ? maxMs : Math.min(bucketUpper(b), maxMs);
  }
  return maxMs;
}

class Acc {
  requests = 0;
  clientErrors = 0;
  serverErrors = 0;
  sumMs = 0;
  maxMs = 0;
  readonly hist = new Uint32Array(BUCKETS);

  add(s: Omit<Slot, 'minute'>): void {
    this.requests += s.requests;
    this.clientErrors += s.clientErrors;
    this.serverErrors += s.serverErrors;
    this.sumMs += s.sumMs;
    if (s.maxMs > this.maxMs) this.maxMs = s.maxMs;
    for (let b = 0; b < BUCKETS; b++) this.hist[b]! += s.hist[b]!;
  }

  summary(): LatencySummary {
    const n = this.requests;
    const errors = this.clientErrors + this.serverErrors;
    const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
    return {
      requests: n,
      errors,
      clientErrors: this.clientErrors,
      serverErrors: this.serverErrors,
      errorRate: n === 0 ? null : errors / n,
      meanMs: n === 0 ? null : round(this.sumMs / n),
      maxMs: n === 0 ? null : round(this.maxMs),
      p50Ms: round(percentileOf(this.hist, n, 0.5, this.maxMs)),
      p95Ms: round(percentileOf(this.hist, n, 0.95, this.maxMs)),
      p99Ms: round(percentileOf(this.hist, n, 0.99, this.maxMs)),
    };
  }
}

export class EndpointMetrics {
  private readonly series = new Map<string, Series>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Starts recording an endpoint (idempotent). Only endpoints that exist should be passed here. */
  ensure(name: string): void {
    if (!this.series.has(name)) this.series.set(name, { since: this.now(), requests: 0, errors: 0, slots: new Array<Slot | undefined>(RING_MINUTES) });
  }

  /** Forgets an endpoint (deleted). */
  drop(name: string): void {
    this.series.delete(name);
  }

  has(name: string): boolean {
    return this.series.has(name);
  }

  /** One finished invocation; a no-op for names not being recorded. O(1). */
  record(name: string, latencyMs: number, status: number): void {
    const s = this.series.get(name);
    if (!s) return;
    const ms = Number.isFinite(latencyMs) && latencyMs > 0 ? latencyMs : 0;
    const minute = Math.floor(this.now() / MINUTE_MS);
    const i = minute % RING_MINUTES;
    let slot = s.slots[i];
    if (!slot) {
      slot = { minute, requests: 0, clientErrors: 0, serverErrors: 0, sumMs: 0, maxMs: 0, hist: new Uint32Array(BUCKETS) };
      s.slots[i] = slot;
    } else if (slot.minute !== minute) {
      // The ring wrapped (or the slot is from an older day): reuse it for this minute.
      slot.minute = minute;
      slot.requests = slot.clientErrors = slot.serverErrors = slot.sumMs = slot.maxMs = 0;
      slot.hist.fill(0);
    }
    slot.requests++;
    slot.sumMs += ms;
    if (ms > slot.maxMs) slot.maxMs = ms;
    slot.hist[bucketOf(ms)]!++;
    s.requests++;
    if (status >= 500) slot.serverErrors++;
    else if (status >= 400) slot.clientErrors++;
    if (status >= 400) s.errors++;
  }

  /** The window ending now: a summary, lifetime counts and a zero-filled series (steps of ≥ 1 minute). */
  report(name: string, window: MetricsWindow): EndpointMetricsReport {
    this.ensure(name);
    const s = this.series.get(name)!;
    const minutes = METRICS_WINDOWS[window];
    const step = Math.max(1, Math.ceil(minutes / MAX_POINTS));
    const last = Math.floor(this.now() / MINUTE_MS);
    const points = Math.ceil(minutes / step);
    const first = last - points * step + 1;
    const total = new Acc();
    const series: MetricsPoint[] = [];
    for (let p = 0; p < points; p++) {
      const acc = new Acc();
      for (let m = first + p * step; m < first + (p + 1) * step; m++) {
        const slot = s.slots[m % RING_MINUTES];
        if (slot && slot.minute === m) acc.add(slot);
      }
      if (acc.requests > 0) total.add(acc);
      series.push({ t: new Date((first + p * step) * MINUTE_MS).toISOString(), ...acc.summary() });
    }
    return {
      endpoint: name,
      window,
      windowSeconds: minutes * 60,
      stepSeconds: step * 60,
      from: new Date(first * MINUTE_MS).toISOString(),
      to: new Date((last + 1) * MINUTE_MS).toISOString(),
      recordingSince: new Date(s.since).toISOString(),
      summary: total.summary(),
      lifetime: { requests: s.requests, errors: s.errors },
      series,
    };
  }
}
