/**
 * A bounded request queue per endpoint: `slots` requests run at once, at most `maxQueue` wait; one more is
 * refused with RATE_LIMITED (HTTP 429) and a Retry-After estimate from recent request durations. Internal
 * callers (summarization jobs) may wait without the bound. A waiting request whose signal aborts leaves
 * the queue at once.
 */
import { AppError } from '../../core/errors.ts';

export interface QueueStats {
  slots: number;
  maxQueue: number;
  running: number;
  waiting: number;
  served: number;
  rejected: number;
  /** Mean seconds of the last requests (0 before any). */
  meanSeconds: number;
}

interface Waiter {
  start: () => void;
  fail: (err: unknown) => void;
}

export class RequestQueue {
  private running = 0;
  private readonly waiters: Waiter[] = [];
  private served = 0;
  private rejected = 0;
  private readonly recent: number[] = [];
  private closed: AppError | null = null;

  constructor(
    readonly slots: number,
    readonly maxQueue: number,
  ) {}

  stats(): QueueStats {
    return { slots: this.slots, maxQueue: this.maxQueue, running: this.running, waiting: this.waiters.length, served: this.served, rejected: this.rejected, meanSeconds: this.meanSeconds() };
  }

  private meanSeconds(): number {
    return this.recent.length === 0 ? 0 : this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
  }

  /** Seconds until a slot is likely free for a newcomer: queue length × mean duration / slots (≥ 1). */
  retryAfterSeconds(): number {
    const mean = this.meanSeconds() || 1;
    return Math.max(1, Math.ceil(((this.waiters.length + 1) * mean) / this.slots));
  }

  /** Runs `fn` when a slot is free. `bounded: false` waits even when the queue is full (internal callers). */
  async run<T>(fn: () => Promise<T>, options: { bounded?: boolean; signal?: AbortSignal; label?: string } = {}): Promise<T> {
    if (this.closed) throw this.closed;
    if (this.running >= this.slots) {
      if ((options.bounded ?? true) && this.waiters.length >= this.maxQueue) {
        this.rejected++;
        const retryAfter = this.retryAfterSeconds();
        throw new AppError('RATE_LIMITED', `${options.label ?? 'The endpoint'} is busy: ${this.running} request(s) running and ${this.waiters.length} waiting (the queue holds ${this.maxQueue}). Retry after ${retryAfter} s.`, {
          extra: { retryAfter },
          problems: [{ problem: 'the request queue is full', fix: `Retry after ${retryAfter} s, or redeploy the endpoint with a larger config.maxQueue.` }],
        });
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            options.signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          fail: (err) => {
            options.signal?.removeEventListener('abort', onAbort);
            reject(err);
          },
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(options.signal?.reason ?? new Error('aborted'));
        };
        if (options.signal?.aborted) return onAbort();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(waiter);
      });
    } else {
      this.running++;
    }
    // A slot is ours (handed over by the finishing request, or taken above).
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.served++;
      this.recent.push((performance.now() - started) / 1000);
      if (this.recent.length > 20) this.recent.shift();
      const next = this.waiters.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  /** Refuses new requests and fails the waiting ones (the endpoint is going away). */
  close(reason: AppError): void {
    this.closed = reason;
    for (const w of this.waiters.splice(0)) w.fail(reason);
  }
}
