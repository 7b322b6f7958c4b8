/**
 * One job interface, two backends: the embedded queue (durable in the metadata DB, runs in-process)
 * and BullMQ on Redis (workers on other machines). Job state, progress and logs always live in the
 * metadata DB so the API, CLI and UI read them the same way whichever backend runs the work.
 */
import type { Problem } from '../core/errors.ts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface JobError {
  code: string;
  message: string;
  /** Kept from an AppError's validation problems (row, field, fix). */
  problems?: Problem[];
}

export interface Job<P = unknown, R = unknown> {
  id: string;
  type: string;
  status: JobStatus;
  payload: P;
  result: R | null;
  error: JobError | null;
  progress: number;
  message: string;
  attempts: number;
  idempotent: boolean;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface JobLogLine {
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** What a handler gets while it runs. */
export interface JobContext<P> {
  job: Job<P>;
  /** Aborted when a user cancels the job or the worker shuts down. */
  signal: AbortSignal;
  /** fraction in [0, 1]; throttled by the queue so handlers may call it often. */
  progress(fraction: number, message?: string): Promise<void>;
  log(message: string, level?: JobLogLine['level']): Promise<void>;
}

export interface JobHandler<P = unknown, R = unknown> {
  type: string;
  /** Validates a payload when enqueued (throw AppError VALIDATION_FAILED) and returns the typed payload. */
  parse(payload: unknown): P;
  /** Safe to run again after a crash (e.g. writes only to fresh keys). */
  idempotent?: boolean;
  run(ctx: JobContext<P>): Promise<R>;
}

export interface JobEvent {
  jobId: string;
  status: JobStatus;
  progress: number;
  message: string;
}

export interface ListJobsQuery {
  status?: JobStatus;
  type?: string;
  limit?: number;
  /** Opaque cursor from a previous page (the last id seen). */
  cursor?: string;
}

export interface JobQueue {
  readonly kind: 'embedded' | 'bullmq';
  register(handler: JobHandler<any, any>): void;
  enqueue<P>(type: string, payload: P): Promise<Job<P>>;
  get(id: string): Promise<Job>;
  list(query?: ListJobsQuery): Promise<{ items: Job[]; nextCursor: string | null }>;
  logs(id: string, options?: { after?: number }): Promise<JobLogLine[]>;
  /** Requests cancellation: a queued job is cancelled at once, a running one through its AbortSignal. */
  cancel(id: string): Promise<Job>;
  /** Resolves when the job reaches a terminal status. */
  wait(id: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<Job>;
  /** Live events for one job or all jobs; returns an unsubscribe function. */
  subscribe(listener: (event: JobEvent) => void, jobId?: string): () => void;
  /** Starts processing jobs in this process (the embedded worker, or a BullMQ worker). */
  startWorker(options?: { concurrency?: number }): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}
