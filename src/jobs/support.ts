/** Small pieces shared by both queue backends: timings, error mapping, progress throttling, events. */
import { EventEmitter } from 'node:events';
import { AppError } from '../core/errors.ts';
import type { Job, JobError, JobEvent, JobStatus } from './types.ts';
import { TERMINAL_STATUSES } from './types.ts';

export interface QueueTimings {
  /** A running job not touched for this long is orphaned (its worker died) and gets recovered. */
  leaseMs: number;
  /** How often a worker checks its running jobs for cancel requests from other processes. */
  watchMs: number;
  /** At most one progress write per job per interval (the final state is always written). */
  progressIntervalMs: number;
  /** How long stopWorker() waits for aborted handlers before recording them as interrupted. */
  shutdownGraceMs: number;
  /** wait()'s DB poll, for jobs run by another process. */
  waitPollMs: number;
  /** How often the embedded worker looks for jobs enqueued by other processes. */
  pollMs: number;
  /** An idempotent job is re-run after an interruption while attempts < this. */
  maxAttempts: number;
}

export const DEFAULT_TIMINGS: QueueTimings = {
  leaseMs: 30_000,
  watchMs: 1_000,
  progressIntervalMs: 250,
  shutdownGraceMs: 10_000,
  waitPollMs: 500,
  pollMs: 1_000,
  maxAttempts: 3,
};

export const INTERRUPTED: JobError = { code: 'INTERRUPTED', message: 'the process running this job stopped' };

export function isTerminal(status: JobStatus | string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Handler failures as stored on the job: AppErrors keep their code (and problems), anything else is INTERNAL. */
export function toJobError(err: unknown): JobError {
  if (err instanceof AppError) {
    return { code: err.code, message: err.message, ...(err.problems && err.problems.length > 0 ? { problems: err.problems } : {}) };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function abortError(message: string): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}

/**
 * Coalesces a handler's progress calls into at most one write per interval, with a trailing write so the latest
 * value always lands. Subclasses say where a write goes: the DB (ProgressThrottle) or the host (thread/).
 */
export abstract class ThrottledProgress implements ProgressReporter {
  value = 0;
  message = '';
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly intervalMs: number) {}

  /** Sends the current value; called at most once per interval. */
  protected abstract write(progress: number, message: string): Promise<void>;

  /** What stop() waits for (a write in flight). */
  protected settled(): Promise<void> {
    return Promise.resolve();
  }

  update(fraction: number, message?: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (Number.isFinite(fraction)) this.value = Math.min(1, Math.max(0, fraction));
    if (message !== undefined) this.message = String(message);
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), wait);
    return Promise.resolve();
  }

  private flush(): Promise<void> {
    this.clearTimer();
    this.last = Date.now();
    return this.write(this.value, this.message);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Drops any pending write (the final state carries the value) and waits for one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.settled();
  }
}

/** Progress written to the job row; writes are chained so they never overtake each other. */
export class ProgressThrottle extends ThrottledProgress {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly sink: (progress: number, message: string) => Promise<void>, intervalMs: number) {
    super(intervalMs);
  }

  protected write(progress: number, message: string): Promise<void> {
    this.writing = this.writing.then(() => this.sink(progress, message)).catch(() => {});
    return this.writing;
  }

  protected override settled(): Promise<void> {
    return this.writing;
  }
}

export interface EventBus {
  publish(event: JobEvent): void;
  subscribe(listener: (event: JobEvent) => void, jobId?: string): () => void;
  close(): Promise<void>;
}

/** Events within one process. A throwing listener must not break the job that emitted the event. */
export class LocalEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: JobEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: JobEvent) => void, jobId?: string): () => void {
    const wrapped = (e: JobEvent) => {
      if (jobId !== undefined && e.jobId !== jobId) return;
      try {
        listener(e);
      } catch {
        // a listener's own bug; the queue carries on
      }
    };
    this.emitter.on('event', wrapped);
    return () => this.emitter.off('event', wrapped);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** What a run reports progress through: the DB-writing ProgressThrottle, or a worker thread's poster (thread/). */
export interface ProgressReporter {
  readonly value: number;
  readonly message: string;
  update(fraction: number, message?: string): Promise<void>;
  /** No more updates; waits for a write in flight. */
  stop(): Promise<void>;
}

/**
 * How a worker thread plugs into the runs of its queue (jobs/thread): it tells its host which jobs run (the host
 * heartbeats them while a handler computes synchronously), hands progress to the host synchronously, and gives
 * handlers a signal that notices cancels even inside synchronous loops. Absent: everything stays in-process.
 */
export interface RunHooks {
  started?(job: Job): void;
  finished?(jobId: string): void;
  progress?(job: Job): ProgressReporter;
  signal?(signal: AbortSignal): AbortSignal;
}
