/**
 * One job interface, two backends: the embedded queue (durable in the metadata DB, runs in-process)
 * and BullMQ on Redis (workers on other machines). Job state, progress and logs always live in the
 * metadata DB so the API, CLI and UI read them the same way whichever backend runs the work.
 */
import type { z } from 'zod';
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

/**
 * The compile-time table of job types, filled by declaration merging: each domain declares its types next to
 * their definitions (`declare module '../../jobs/types.ts' { interface JobTypes { 'text.train': { payload: P;
 * result: R } } }`), so adding a job type touches only its domain. See registry.ts and README.md.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobTypes {}

export type JobType = keyof JobTypes & string;
export type JobPayload<T extends JobType> = JobTypes[T] extends { payload: infer P } ? P : never;
export type JobResult<T extends JobType> = JobTypes[T] extends { result: infer R } ? R : never;

/** A per-payload decision, declared as a method so a definition of a narrower payload still fits JobDefinition<unknown>. */
type PayloadPredicate<P> = { decide(payload: P): boolean }['decide'];

/** One job type: its payload and result schemas (checked at enqueue and on success), handler and idempotency. */
export interface JobDefinition<P = unknown, R = unknown> {
  readonly type: string;
  /** Checked at enqueue (VALIDATION_FAILED naming each field) and again when a worker picks the job up. */
  readonly payload: z.ZodType<P>;
  /** The handler's result as stored (JSON) must pass it, or the job fails JOB_RESULT_INVALID. */
  readonly result: z.ZodType<R>;
  /**
   * Safe to run again after a crash (e.g. writes only to fresh keys). A function decides per payload (a pipeline
   * command step declares it); it is evaluated once at enqueue and stored with the job.
   */
  readonly idempotent?: boolean | PayloadPredicate<P>;
  run(ctx: JobContext<P>): Promise<R>;
}

/** The definition of a declared job type: its schemas must produce the types of its JobTypes entry. */
export type JobDefinitionOf<T extends JobType> = JobDefinition<JobPayload<T>, JobResult<T>> & { readonly type: T };

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

export interface EnqueueOptions {
  /**
   * The job's id, chosen by the caller (a `job_…` id from core/ids newId('job')) so it can be recorded before the
   * enqueue: a caller that crashed in between finds out afterwards whether the job exists. An id already in use
   * fails CONFLICT and stores nothing.
   */
  id?: string;
}

export interface JobQueue {
  readonly kind: 'embedded' | 'bullmq';
  /** Adds a job type (defineJob in registry.ts); a second definition of the same type throws. */
  register(definition: JobDefinition<any, any>): void;
  /** The registered definitions, by type (GET /api/v1/jobs/types). */
  definitions(): JobDefinition<unknown, unknown>[];
  /** Refuses an unregistered type (JOB_TYPE_UNKNOWN) or a payload its schema rejects (VALIDATION_FAILED), storing nothing. */
  enqueue<T extends JobType>(type: T, payload: JobPayload<T>, options?: EnqueueOptions): Promise<Job<JobPayload<T>, JobResult<T>>>;
  get(id: string): Promise<Job>;
  /** A succeeded job's result parsed with its type's result schema (a later step's typed input). */
  result<T extends JobType>(id: string, type: T): Promise<JobResult<T>>;
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
