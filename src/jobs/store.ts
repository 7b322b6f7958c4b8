/**
 * Job rows in the metadata DB, the source of truth whichever backend runs the work. Every state change
 * is one guarded UPDATE: a claim only takes a `queued` row, and a running job's writes are fenced by
 * `attempts` (incremented by each claim), so a worker that lost its job cannot overwrite a newer run.
 */
import { sql, type Kysely, type Selectable, type Updateable, type UpdateObject } from 'kysely';
import { AppError } from '../core/errors.ts';
import { nowIso } from '../core/ids.ts';
import { dialectOf } from '../storage/db.ts';
import { newestFirstPage, type Page } from '../storage/pagination.ts';
import type { Database, JobsTable } from '../storage/schema.ts';
import type { Job, JobError, JobLogLine, JobStatus, ListJobsQuery } from './types.ts';
import { SELF_OWNER_JSON } from './owner.ts';

export type JobRow = Selectable<JobsTable>;

/** What a claim sets: running, the next attempt (the fence a stale worker's writes fail on), fresh progress, this process as owner. */
function claimSet(at: string): UpdateObject<Database, 'jobs'> {
  return { status: 'running', attempts: sql<number>`attempts + 1`, started_at: at, updated_at: at, progress: 0, message: '', owner: SELF_OWNER_JSON };
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function rowToJob(row: JobRow): Job {
  return {
    id: row.id,
    type: row.type,
    status: row.status as JobStatus,
    payload: parseJson(row.payload_json),
    result: parseJson(row.result_json),
    error: parseJson(row.error_json) as JobError | null,
    progress: Number(row.progress),
    message: row.message,
    attempts: Number(row.attempts),
    idempotent: Number(row.idempotent) === 1,
    cancelRequested: Number(row.cancel_requested) === 1,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

export interface FinishFields {
  status: 'succeeded' | 'failed' | 'cancelled';
  result?: unknown;
  error?: JobError | null;
  progress?: number;
  message: string;
}

export class JobStore {
  constructor(readonly db: Kysely<Database>) {}

  async insert(input: { id: string; type: string; payload: unknown; idempotent: boolean }): Promise<Job> {
    const at = nowIso();
    const row = await this.db
      .insertInto('jobs')
      .values({
        id: input.id, type: input.type, status: 'queued', payload_json: JSON.stringify(input.payload ?? null), result_json: null,
        error_json: null, progress: 0, message: '', attempts: 0, idempotent: input.idempotent ? 1 : 0, cancel_requested: 0,
        created_at: at, started_at: null, finished_at: null, updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return rowToJob(row);
  }

  async find(id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && rowToJob(row);
  }

  async get(id: string): Promise<Job> {
    const job = await this.find(id);
    if (!job) throw new AppError('JOB_NOT_FOUND', `No job with id "${id}"`, { extra: { jobId: id } });
    return job;
  }

  async list(query: ListJobsQuery = {}): Promise<Page<Job>> {
    let q = this.db.selectFrom('jobs').selectAll();
    if (query.status) q = q.where('status', '=', query.status);
    if (query.type) q = q.where('type', '=', query.type);
    return newestFirstPage(q, query, rowToJob);
  }

  /** Log lines in order; `after` skips the first N lines (the count a client has already seen). */
  async logs(id: string, after = 0): Promise<JobLogLine[]> {
    await this.get(id);
    const rows = await this.db
      .selectFrom('job_logs')
      .select(['at', 'level', 'message'])
      .where('job_id', '=', id)
      .orderBy('id')
      .offset(Math.max(0, Math.floor(after)))
      .limit(100_000)
      .execute();
    return rows.map((r) => ({ at: r.at, level: r.level as JobLogLine['level'], message: r.message }));
  }

  async appendLog(id: string, level: JobLogLine['level'], message: string): Promise<void> {
    await this.db.insertInto('job_logs').values({ job_id: id, at: nowIso(), level, message }).execute();
  }

  /** Atomically moves the oldest queued job of one of `types` to running. */
  async claimNext(types: string[]): Promise<Job | undefined> {
    if (types.length === 0) return undefined;
    const at = nowIso();
    const pg = dialectOf(this.db) === 'postgres';
    const row = await this.db
      .updateTable('jobs')
      .set(claimSet(at))
      .where('id', '=', (eb) => {
        let sub = eb.selectFrom('jobs').select('id').where('status', '=', 'queued').where('type', 'in', types).orderBy('created_at').orderBy('id').limit(1);
        // PostgreSQL: concurrent claimers skip a row another one is taking instead of both reading it.
        if (pg) sub = sub.forUpdate().skipLocked();
        return sub;
      })
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    return row && rowToJob(row);
  }

  /** Moves one given job from queued to running (BullMQ delivers ids); undefined if it is not queued. */
  claim(id: string): Promise<Job | undefined> {
    return this.transition(id, 'queued', claimSet(nowIso()));
  }

  async setProgress(id: string, attempt: number, progress: number, message: string): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({ progress, message, updated_at: nowIso() })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('attempts', '=', attempt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The running jobs' current state, for cancel polling and lost-job detection. */
  async states(ids: string[]): Promise<Array<{ id: string; status: string; attempts: number; cancel_requested: number }>> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('jobs').select(['id', 'status', 'attempts', 'cancel_requested']).where('id', 'in', ids).execute();
  }

  /** Proves the worker is alive: recovery only touches running jobs whose updated_at is older than the lease. */
  async heartbeat(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('jobs').set({ updated_at: nowIso() }).where('id', 'in', ids).where('status', '=', 'running').execute();
  }

  /** Writes a running job's final state; `staleBefore` (recovery) also requires it to be stale still. */
  finish(id: string, attempt: number, f: FinishFields, staleBefore?: string): Promise<Job | undefined> {
    const at = nowIso();
    return this.updateRun(id, attempt, {
      status: f.status,
      result_json: f.result === undefined ? null : JSON.stringify(f.result),
      error_json: f.error ? JSON.stringify(f.error) : null,
      message: f.message,
      finished_at: at,
      updated_at: at,
      ...(f.progress === undefined ? {} : { progress: f.progress }),
    }, staleBefore);
  }

  /** Puts a running job back in the queue (interrupted but safe to re-run). */
  requeue(id: string, attempt: number, message: string, staleBefore?: string): Promise<Job | undefined> {
    return this.updateRun(id, attempt, { status: 'queued', message, progress: 0, started_at: null, updated_at: nowIso() }, staleBefore);
  }

  /**
   * Gives back a claim whose handler never ran: queued again, not owned. The attempt stays counted, as after an
   * interruption, so a backend that carries attempt ids (BullMQ) re-sends it under a fresh id.
   */
  release(id: string, attempt: number, message: string): Promise<Job | undefined> {
    return this.updateRun(id, attempt, { status: 'queued', message, progress: 0, started_at: null, owner: null, updated_at: nowIso() });
  }

  /** Updates a run still held by `attempt` (and, with `staleBefore`, still untouched since then). */
  private async updateRun(id: string, attempt: number, set: Updateable<JobsTable>, staleBefore?: string): Promise<Job | undefined> {
    let q = this.db.updateTable('jobs').set(set).where('id', '=', id).where('status', '=', 'running').where('attempts', '=', attempt);
    if (staleBefore) q = q.where('updated_at', '<', staleBefore);
    const row = await q.returningAll().executeTakeFirst();
    return row && rowToJob(row);
  }

  cancelQueued(id: string): Promise<Job | undefined> {
    const at = nowIso();
    return this.transition(id, 'queued', { status: 'cancelled', cancel_requested: 1, message: 'cancelled before it started', finished_at: at, updated_at: at });
  }

  /** A queued job that can never run (its queue backend refused it). */
  failQueued(id: string, error: JobError): Promise<Job | undefined> {
    const at = nowIso();
    return this.transition(id, 'queued', { status: 'failed', error_json: JSON.stringify(error), message: error.message, finished_at: at, updated_at: at });
  }

  requestCancel(id: string): Promise<Job | undefined> {
    return this.transition(id, 'running', { cancel_requested: 1, message: 'cancelling', updated_at: nowIso() });
  }

  /** One guarded UPDATE of a job still in `from`: the updated job, or undefined when it was not in `from`. */
  private async transition(id: string, from: JobStatus, set: UpdateObject<Database, 'jobs'>): Promise<Job | undefined> {
    const row = await this.db.updateTable('jobs').set(set).where('id', '=', id).where('status', '=', from).returningAll().executeTakeFirst();
    return row && rowToJob(row);
  }

  /** Running jobs (not in `exclude`) claimed by a process on this host that is gone: recovered at start-up without waiting for the lease. */
  async orphaned(exclude: string[], isDead: (owner: string | null) => boolean): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll().where('status', '=', 'running').where('owner', 'is not', null).orderBy('id');
    if (exclude.length > 0) q = q.where('id', 'not in', exclude);
    return (await q.execute()).filter((r) => isDead(r.owner)).map(rowToJob);
  }

  /** Jobs queued (or re-queued) before `before` and still waiting: a backend that carries ids re-sends them. */
  async queuedBefore(before: string): Promise<Job[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('status', '=', 'queued').where('updated_at', '<', before).orderBy('id').limit(500).execute();
    return rows.map(rowToJob);
  }

  /** Running jobs nobody has touched since `before`: their worker died. */
  async stale(before: string, exclude: string[]): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll().where('status', '=', 'running').where('updated_at', '<', before).orderBy('id').limit(500);
    if (exclude.length > 0) q = q.where('id', 'not in', exclude);
    return (await q.execute()).map(rowToJob);
  }
}
