/**
 * Running claimed jobs, shared by both backends: a run's signal, throttled progress, logs and outcome (the result
 * checked against its type's schema, fenced by the claim's attempt), and the worker's watch loop (cancel requests
 * from other processes, heartbeats, recovery of jobs whose worker died, draining runs at shutdown).
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../storage/schema.ts';
import { JobStore, type FinishFields } from './store.ts';
import { ownerIsDead } from './owner.ts';
import { checkResult, parsePayload } from './registry.ts';
import {
  DEFAULT_TIMINGS, INTERRUPTED, ProgressThrottle, abortError, toJobError, type EventBus, type ProgressReporter, type QueueTimings, type RunHooks,
} from './support.ts';
import type { Job, JobContext, JobDefinition, JobEvent, JobLogLine } from './types.ts';

interface LocalRun {
  job: Job;
  attempt: number;
  controller: AbortController;
  /** Why the signal was aborted: user cancel, worker shutdown, or the job was taken from us. */
  reason?: 'cancel' | 'shutdown' | 'lost';
  done: Promise<void>;
}

export interface QueueOptions {
  logger?: Logger;
  timings?: Partial<QueueTimings>;
  /** Set by a worker thread (app/jobThread.ts); see RunHooks. */
  hooks?: RunHooks;
  /** Default for startWorker() (config.workerConcurrency). */
  concurrency?: number;
}

export abstract class JobRunner {
  readonly store: JobStore;
  protected readonly logger: Logger | undefined;
  protected readonly timings: QueueTimings;
  protected readonly hooks: RunHooks;
  protected readonly handlers = new Map<string, JobDefinition<any, any>>();
  protected readonly runs = new Map<string, LocalRun>();
  protected workerStarted = false;
  /** Claims in flight: stopWorker waits for them, so a job claimed while stopping is handed back, not left running. */
  private readonly claims = new Set<Promise<unknown>>();
  private watchTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private lastHeartbeat = 0;
  private lastRecovery = 0;

  constructor(db: Kysely<Database>, protected readonly events: EventBus, options: QueueOptions = {}) {
    this.store = new JobStore(db);
    this.logger = options.logger;
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.hooks = options.hooks ?? {};
  }

  /** Hands a queued job to the backend's workers. */
  protected abstract dispatch(job: Job): Promise<void>;

  protected emit(job: Pick<Job, 'id' | 'status' | 'progress' | 'message'>): void {
    this.events.publish({ jobId: job.id, status: job.status, progress: job.progress, message: job.message });
  }

  /** Publishes an event that happened elsewhere (a worker thread's run) to this queue's subscribers. */
  relay(event: JobEvent): void {
    this.events.publish(event);
  }

  /** Aborts a run of this process (a worker thread's host forwards cancels and shutdown this way). */
  abortLocal(id: string, reason: 'cancel' | 'shutdown'): void {
    const run = this.runs.get(id);
    if (run) this.abortRun(run, reason);
  }

  localRunIds(): string[] {
    return [...this.runs.keys()];
  }

  /** Records a run whose thread or process was stopped hard: re-queued when safe, otherwise failed INTERRUPTED. */
  async recordInterrupted(job: Job, attempt: number): Promise<void> {
    await this.interrupt(job, attempt);
  }

  protected abortRun(run: LocalRun, reason: NonNullable<LocalRun['reason']>): void {
    if (run.reason) return;
    run.reason = reason;
    run.controller.abort(abortError(reason === 'cancel' ? 'The job was cancelled' : reason === 'shutdown' ? 'The worker is shutting down' : 'The job was taken over by another worker'));
  }

  /** Tracks a claim (the backend's store call) until it settles; see drainRuns. */
  protected tracked<T>(claim: Promise<T>): Promise<T> {
    this.claims.add(claim);
    const untrack = () => void this.claims.delete(claim);
    claim.then(untrack, untrack);
    return claim;
  }

  /** Runs a job this process has claimed, and records its outcome (fenced by the claim's attempt). */
  protected async execute(claimed: Job): Promise<void> {
    const { id } = claimed;
    const attempt = claimed.attempts;
    if (!this.workerStarted) return this.tracked(this.handBack(claimed));
    const handler = this.handlers.get(claimed.type);
    if (!handler) {
      const done = await this.store.finish(id, attempt, { status: 'failed', error: { code: 'JOB_TYPE_UNKNOWN', message: `This worker has no handler for "${claimed.type}"` }, message: 'no handler' });
      if (done) this.emit(done);
      return;
    }
    let settle!: () => void;
    const run: LocalRun = { job: claimed, attempt, controller: new AbortController(), done: new Promise<void>((r) => (settle = r)) };
    this.runs.set(id, run);
    this.emit(claimed);
    this.hooks.started?.(claimed);
    const progress: ProgressReporter = this.hooks.progress?.(claimed) ?? new ProgressThrottle(async (p, m) => {
      if (await this.store.setProgress(id, attempt, p, m)) this.emit({ id, status: 'running', progress: p, message: m });
    }, this.timings.progressIntervalMs);
    const log = async (message: string, level: JobLogLine['level'] = 'info') => this.store.appendLog(id, level, String(message));
    let outcome: FinishFields | 'interrupt' | 'lost';
    try {
      const ctx: JobContext<unknown> = { job: { ...claimed, payload: parsePayload(handler, claimed.payload) }, signal: this.hooks.signal?.(run.controller.signal) ?? run.controller.signal, progress: (f, m) => progress.update(f, m), log };
      const result = await handler.run(ctx);
      outcome = run.reason === 'cancel' ? this.cancelled(progress.value) : run.reason === 'lost' ? 'lost'
        : { status: 'succeeded', result: checkResult(handler, result), progress: 1, message: progress.message || 'done' };
    } catch (err) {
      if (run.reason === 'cancel') outcome = this.cancelled(progress.value);
      else if (run.reason) outcome = run.reason === 'shutdown' ? 'interrupt' : 'lost';
      else {
        const error = toJobError(err);
        if (error.code === 'INTERNAL' || error.code === 'JOB_RESULT_INVALID') this.logger?.error({ err, jobId: id, type: claimed.type }, 'job handler failed');
        await log(`${error.code}: ${error.message}`, 'error').catch(() => {});
        outcome = { status: 'failed', error, progress: progress.value, message: error.message };
      }
    }
    try {
      await progress.stop();
      if (outcome === 'interrupt') await this.interrupt(claimed, attempt);
      else if (outcome !== 'lost') {
        const done = await this.store.finish(id, attempt, outcome);
        if (done) this.emit(done);
      }
    } catch (err) {
      this.logger?.error({ err, jobId: id }, 'could not record the job outcome');
    } finally {
      this.runs.delete(id);
      this.hooks.finished?.(id);
      settle();
    }
  }

  /** A job claimed after stopWorker began: its handler never ran, so it goes back to the queue. */
  private async handBack(claimed: Job): Promise<void> {
    try {
      const out = await this.store.release(claimed.id, claimed.attempts, 'handed back: the worker stopped before starting it');
      if (!out) return;
      this.emit(out);
      await this.dispatch(out);
    } catch (err) {
      this.logger?.error({ err, jobId: claimed.id }, 'could not hand back a job claimed while stopping');
    }
  }

  private cancelled(progress: number): FinishFields {
    return { status: 'cancelled', error: null, progress, message: 'cancelled' };
  }

  /** An interrupted job: re-queued when safe to re-run, otherwise failed INTERRUPTED. */
  protected async interrupt(job: Job, attempt: number, staleBefore?: string, cancelled = job.cancelRequested): Promise<Job | undefined> {
    let out: Job | undefined;
    if (cancelled) out = await this.store.finish(job.id, attempt, this.cancelled(job.progress), staleBefore);
    else if (job.idempotent && attempt < this.timings.maxAttempts) {
      out = await this.store.requeue(job.id, attempt, `re-queued after an interruption (attempt ${attempt} of ${this.timings.maxAttempts})`, staleBefore);
      if (out) await this.dispatch(out);
    } else {
      out = await this.store.finish(job.id, attempt, { status: 'failed', error: INTERRUPTED, message: INTERRUPTED.message }, staleBefore);
    }
    if (!out) return undefined; // another process recovered it first, or it moved on
    this.emit(out);
    await this.store.appendLog(job.id, 'warn', `interrupted: ${out.status === 'queued' ? 're-queued' : out.status}`).catch(() => {});
    return out;
  }

  protected startWatch(): void {
    this.lastRecovery = 0;
    this.watchTimer ??= setInterval(() => void this.tick(), this.timings.watchMs);
    this.watchTimer.unref();
    void this.tick();
  }

  protected stopWatch(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const ids = [...this.runs.keys()];
      for (const s of await this.store.states(ids)) {
        const run = this.runs.get(s.id);
        if (!run) continue;
        if (s.status !== 'running' || Number(s.attempts) !== run.attempt) this.abortRun(run, 'lost');
        else if (Number(s.cancel_requested) === 1) this.abortRun(run, 'cancel');
      }
      const now = Date.now();
      if (ids.length > 0 && now - this.lastHeartbeat >= this.timings.leaseMs / 3) {
        this.lastHeartbeat = now;
        await this.store.heartbeat(ids);
      }
      if (this.workerStarted && now - this.lastRecovery >= this.timings.leaseMs / 2) {
        this.lastRecovery = now;
        await this.recoverStale();
      }
    } catch (err) {
      this.logger?.warn({ err }, 'job watch failed; retrying');
    } finally {
      this.ticking = false;
    }
  }

  /** Jobs left running by a dead process: their updated_at stopped moving more than a lease ago. */
  protected async recoverStale(): Promise<void> {
    await this.recoverOrphans();
    const before = new Date(Date.now() - this.timings.leaseMs).toISOString();
    for (const job of await this.store.stale(before, [...this.runs.keys()])) {
      this.logger?.warn({ jobId: job.id, type: job.type }, 'recovering a job whose worker stopped');
      await this.interrupt(job, job.attempts, before);
    }
  }

  /**
   * Start-up sweep (also part of every recovery tick): running jobs whose claiming process is provably dead
   * (owner.ts) are re-queued or failed INTERRUPTED now, not after the lease. Logs one line when it fixed any.
   */
  async recoverOrphans(): Promise<{ requeued: number; failed: number; cancelled: number }> {
    const counts = { requeued: 0, failed: 0, cancelled: 0 };
    for (const job of await this.store.orphaned([...this.runs.keys()], ownerIsDead)) {
      const now = await this.interrupt(job, job.attempts);
      if (now?.status === 'queued') counts.requeued++;
      else if (now?.status === 'failed') counts.failed++;
      else if (now?.status === 'cancelled') counts.cancelled++;
    }
    if (counts.requeued + counts.failed + counts.cancelled > 0) {
      this.logger?.warn(counts, `recovery: ${counts.failed} interrupted job(s) failed INTERRUPTED, ${counts.requeued} re-queued, ${counts.cancelled} cancelled (their process had stopped)`);
    }
    return counts;
  }

  /** Aborts local runs for shutdown; those that ignore the signal past the grace period are recorded as interrupted. */
  protected async drainRuns(): Promise<void> {
    // Claims still in flight settle first: their jobs are then handed back by execute() (the worker is stopped).
    while (this.claims.size > 0) await Promise.allSettled([...this.claims]);
    const runs = [...this.runs.values()];
    if (runs.length === 0) return;
    for (const run of runs) this.abortRun(run, 'shutdown');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all(runs.map((r) => r.done)).then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.timings.shutdownGraceMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    for (const run of [...this.runs.values()]) {
      const wasCancel = run.reason === 'cancel';
      run.reason = 'lost'; // its late result must not be recorded
      await this.interrupt(run.job, run.attempt, undefined, wasCancel).catch((err) => this.logger?.error({ err }, 'could not record an interrupted job'));
    }
  }
}
