/**
 * The DB-backed JobQueue both backends share: the typed registry (register, enqueue refusing unknown types and bad
 * payloads, typed result reads), get, list, logs, cancel, wait, and the worker's lifecycle. Running claimed jobs
 * and the watch loop are in runner.ts. Backends only decide how a queued job reaches a worker: `dispatch`,
 * `startDelivery` and `stopDelivery`.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../storage/schema.ts';
import { isIdempotent, jobResult, parsePayload } from './registry.ts';
import { JobRunner, type QueueOptions } from './runner.ts';
import { isTerminal, type EventBus } from './support.ts';
import type { EnqueueOptions, Job, JobDefinition, JobEvent, JobLogLine, JobPayload, JobQueue, JobResult, JobType, ListJobsQuery } from './types.ts';

export type { QueueOptions };

export abstract class DbJobQueue extends JobRunner implements JobQueue {
  abstract readonly kind: 'embedded' | 'bullmq';
  protected concurrency: number;
  private closed = false;

  constructor(db: Kysely<Database>, events: EventBus, options: QueueOptions = {}) {
    super(db, events, options);
    this.concurrency = options.concurrency ?? 2;
  }

  /** Starts delivering queued jobs to execute() (the worker is marked started). */
  protected abstract startDelivery(): Promise<void>;
  /** Stops delivering; runs have been drained. */
  protected abstract stopDelivery(): Promise<void>;
  /** Releases the backend's connections after the worker stopped and the events closed. */
  protected async closeBackend(): Promise<void> {}

  async startWorker(options: { concurrency?: number } = {}): Promise<void> {
    if (this.closed) throw new Error('the job queue is closed');
    if (this.workerStarted) return;
    this.concurrency = Math.max(1, options.concurrency ?? this.concurrency);
    this.workerStarted = true;
    await this.startDelivery();
  }

  async stopWorker(): Promise<void> {
    if (!this.workerStarted) return;
    this.workerStarted = false;
    await this.drainRuns();
    await this.stopDelivery();
    this.stopWatch();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopWorker();
    await this.events.close();
    await this.closeBackend();
  }

  register(definition: JobDefinition<any, any>): void {
    if (this.handlers.has(definition.type)) throw new Error(`A job type "${definition.type}" is already registered`);
    this.handlers.set(definition.type, definition);
  }

  definitions(): JobDefinition<unknown, unknown>[] {
    return [...this.handlers.values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  private definition(type: string): JobDefinition<unknown, unknown> {
    const definition = this.handlers.get(type);
    if (definition) return definition;
    const known = [...this.handlers.keys()].sort().join(', ') || '(none)';
    throw new AppError('JOB_TYPE_UNKNOWN', `No handler is registered for job type "${type}". Known types: ${known}`, {
      problems: [{ field: 'type', problem: `unknown job type "${type}"`, fix: `Use one of: ${known} (GET /api/v1/jobs/types).` }],
    });
  }

  async enqueue<T extends JobType>(type: T, payload: JobPayload<T>, options: EnqueueOptions = {}): Promise<Job<JobPayload<T>, JobResult<T>>> {
    const definition = this.definition(type);
    const parsed = parsePayload(definition, payload);
    if (options.id !== undefined && (!/^job_[A-Za-z0-9_-]{1,80}$/.test(options.id) || (await this.store.find(options.id)))) {
      throw new AppError('CONFLICT', `Job id "${options.id}" is taken or not a job id.`, { problems: [{ field: 'id', problem: 'taken or malformed', fix: "Pass a fresh id from newId('job'), or none." }] });
    }
    const job = await this.store.insert({ id: options.id ?? newId('job'), type, payload: parsed, idempotent: isIdempotent(definition, parsed) });
    this.emit(job);
    await this.dispatch(job);
    return job as Job<JobPayload<T>, JobResult<T>>;
  }

  get(id: string): Promise<Job> {
    return this.store.get(id);
  }

  async result<T extends JobType>(id: string, type: T): Promise<JobResult<T>> {
    const definition = this.definition(type) as JobDefinition<unknown, JobResult<T>>;
    return jobResult(await this.store.get(id), definition);
  }

  list(query?: ListJobsQuery): Promise<{ items: Job[]; nextCursor: string | null }> {
    return this.store.list(query);
  }

  logs(id: string, options: { after?: number } = {}): Promise<JobLogLine[]> {
    return this.store.logs(id, options.after);
  }

  async cancel(id: string): Promise<Job> {
    // A job can move queued → running between the two updates; try again rather than misreport.
    for (let i = 0; i < 3; i++) {
      const queued = await this.store.cancelQueued(id);
      if (queued) {
        this.emit(queued);
        return queued;
      }
      const running = await this.store.requestCancel(id);
      if (running) {
        const run = this.runs.get(id);
        if (run) this.abortRun(run, 'cancel');
        this.emit(running);
        return running;
      }
      const job = await this.store.get(id);
      if (job.status === 'cancelled') return job;
      if (isTerminal(job.status)) throw new AppError('JOB_NOT_CANCELLABLE', `Job ${id} has already ${job.status}`, { extra: { jobId: id, status: job.status } });
    }
    throw new AppError('CONFLICT', `Job ${id} changed state while cancelling; try again`);
  }

  async wait(id: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Job> {
    const first = await this.store.get(id);
    if (isTerminal(first.status)) return first;
    options.signal?.throwIfAborted();
    return new Promise<Job>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearInterval(poll);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      // Events give a fast answer in-process; the poll covers jobs run by other processes.
      const check = () =>
        this.store.get(id).then(
          (job) => isTerminal(job.status) && finish(() => resolve(job)),
          (err) => finish(() => reject(err)),
        );
      const unsubscribe = this.subscribe((e) => isTerminal(e.status) && void check(), id);
      const poll = setInterval(() => void check(), this.timings.waitPollMs);
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => finish(() =>
        reject(new AppError('JOB_WAIT_TIMEOUT', `Job ${id} did not finish within ${options.timeoutMs} ms`, { extra: { jobId: id } }))), options.timeoutMs);
      const onAbort = () => finish(() => reject(options.signal!.reason));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      void check();
    });
  }

  subscribe(listener: (event: JobEvent) => void, jobId?: string): () => void {
    return this.events.subscribe(listener, jobId);
  }
}
