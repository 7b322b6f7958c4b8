/** Kysely queries for pipelines, their versions, runs, step rows and lineage edges (migration 0008_pipelines). */
import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { newId, nowIso } from '../../core/ids.ts';
import { newestFirstPage, type Page } from '../../storage/pagination.ts';
import type { Database, PipelineRunsTable, PipelineStepsTable } from '../../storage/schema.ts';
import type { PipelineDefinition, PipelineRun, PipelineStepRun, PipelineVersion, RunStatus, StepError, StepStatus, StepType, Trigger } from './schema.ts';

export type RunRow = Selectable<PipelineRunsTable>;
export type StepRow = Selectable<PipelineStepsTable>;

const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

export function toStep(r: StepRow): PipelineStepRun {
  const seconds = r.started_at && r.finished_at ? Math.round((Date.parse(r.finished_at) - Date.parse(r.started_at)) / 10) / 100 : null;
  return {
    name: r.name, type: r.type as StepType, status: r.status as StepStatus, jobId: r.job_id, worker: r.worker, attempts: r.attempts,
    cached: r.cached === 1, seconds, startedAt: r.started_at, finishedAt: r.finished_at, outputs: parse(r.outputs_json), error: parse<StepError>(r.error_json),
  };
}

export interface NewRun { pipelineId: string; versionId: string; params: Record<string, unknown>; trigger: Trigger; steps: Array<{ name: string; type: string }> }

/** Inserts a run and its pending steps on `trx` (a transaction the caller holds: the trigger scheduler's claim shares it). */
export async function insertRun(trx: Transaction<Database>, input: NewRun): Promise<string> {
  const id = newId('prun');
  const now = nowIso();
  await trx.insertInto('pipeline_runs').values({
    id, pipeline_id: input.pipelineId, version_id: input.versionId, status: 'running', params_json: JSON.stringify(input.params),
    trigger_json: JSON.stringify(input.trigger), error_json: null, cancel_requested: 0, created_at: now, finished_at: null, updated_at: now,
  }).execute();
  await trx.insertInto('pipeline_steps').values(input.steps.map((s, position) => ({
    id: newId('pstep'), run_id: id, name: s.name, position, type: s.type, status: 'pending', job_id: null, worker: null, owner: null, attempts: 0,
    cache_key: null, cached: 0, outputs_json: null, error_json: null, logs_json: '[]', not_before: null, started_at: null, finished_at: null, updated_at: now,
  }))).execute();
  return id;
}

export function createPipelineStore(db: Kysely<Database>) {
  async function versionRow(pipelineId: string, version?: number) {
    let q = db.selectFrom('pipeline_versions').selectAll().where('pipeline_id', '=', pipelineId);
    q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
    return q.executeTakeFirst();
  }
  const toVersion = (name: string, v: NonNullable<Awaited<ReturnType<typeof versionRow>>>): PipelineVersion => ({
    name, version: v.version, hash: v.hash, definition: JSON.parse(v.definition_json) as PipelineDefinition, createdAt: v.created_at,
  });

  return {
    findPipeline: (name: string) => db.selectFrom('pipelines').selectAll().where('name', '=', name).executeTakeFirst(),
    async version(name: string, version?: number): Promise<(PipelineVersion & { id: string; pipelineId: string }) | undefined> {
      const p = await db.selectFrom('pipelines').selectAll().where('name', '=', name).executeTakeFirst();
      const v = p && (await versionRow(p.id, version));
      return v ? { ...toVersion(name, v), id: v.id, pipelineId: p.id } : undefined;
    },
    async versionById(id: string) {
      const v = await db.selectFrom('pipeline_versions').innerJoin('pipelines', 'pipelines.id', 'pipeline_versions.pipeline_id')
        .select(['pipeline_versions.id', 'pipeline_versions.version', 'pipeline_versions.hash', 'pipeline_versions.definition_json', 'pipeline_versions.created_at', 'pipeline_versions.pipeline_id', 'pipelines.name'])
        .where('pipeline_versions.id', '=', id).executeTakeFirstOrThrow();
      return toVersion(v.name, v);
    },
    async versions(name: string): Promise<PipelineVersion[]> {
      const rows = await db.selectFrom('pipeline_versions').innerJoin('pipelines', 'pipelines.id', 'pipeline_versions.pipeline_id')
        .selectAll('pipeline_versions').where('pipelines.name', '=', name).orderBy('version', 'asc').execute();
      return rows.map((v) => toVersion(name, v));
    },
    async list() {
      return db.selectFrom('pipelines').selectAll().orderBy('name').execute();
    },
    /** Stores a new version (the pipeline row too on first apply) in one transaction. */
    async addVersion(name: string, hash: string, definition: PipelineDefinition): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const now = nowIso();
        let p = await trx.selectFrom('pipelines').selectAll().where('name', '=', name).executeTakeFirst();
        if (!p) {
          p = { id: newId('ppl'), name, latest_version: 0, created_at: now, updated_at: now };
          await trx.insertInto('pipelines').values(p).execute();
        }
        const version = p.latest_version + 1;
        await trx.insertInto('pipeline_versions').values({ id: newId('ppv'), pipeline_id: p.id, version, hash, definition_json: JSON.stringify(definition), created_at: now }).execute();
        await trx.updateTable('pipelines').set({ latest_version: version, updated_at: now }).where('id', '=', p.id).where('latest_version', '=', p.latest_version).execute();
        return version;
      });
    },
    createRun: (input: NewRun): Promise<string> => db.transaction().execute((trx) => insertRun(trx, input)),
    runRow: (id: string) => db.selectFrom('pipeline_runs').selectAll().where('id', '=', id).executeTakeFirst(),
    steps: (runId: string) => db.selectFrom('pipeline_steps').selectAll().where('run_id', '=', runId).orderBy('position').execute(),
    async toRun(row: RunRow): Promise<PipelineRun> {
      const v = await this.versionById(row.version_id);
      return {
        id: row.id, pipeline: v.name, version: v.version, status: row.status as RunStatus, params: JSON.parse(row.params_json) as PipelineRun['params'],
        trigger: JSON.parse(row.trigger_json) as Trigger, error: parse<StepError>(row.error_json), createdAt: row.created_at, finishedAt: row.finished_at,
        steps: (await this.steps(row.id)).map(toStep),
      };
    },
    /** One newest-first page of runs (the shared keyset pagination: opaque cursor, limit 1..200, default 50). */
    async runs(q: { pipelineId?: string; limit?: number; cursor?: string }): Promise<Page<RunRow>> {
      let query = db.selectFrom('pipeline_runs').selectAll();
      if (q.pipelineId) query = query.where('pipeline_id', '=', q.pipelineId);
      return newestFirstPage(query, q, (r) => r);
    },
    activeRunIds: async () => (await db.selectFrom('pipeline_runs').select('id').where('status', 'in', ['running', 'waiting']).execute()).map((r) => r.id),
    runIdOfJob: async (jobId: string) => (await db.selectFrom('pipeline_steps').select('run_id').where('job_id', '=', jobId).executeTakeFirst())?.run_id,
    /** A guarded transition: true when this caller moved the step (its status was one of `from`). */
    async moveStep(id: string, from: StepStatus[], set: Updateable<PipelineStepsTable>): Promise<boolean> {
      const r = await db.updateTable('pipeline_steps').set({ ...set, updated_at: nowIso() }).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async finishRun(id: string, status: RunStatus, error: StepError | null): Promise<boolean> {
      const now = nowIso();
      const terminal = status !== 'running' && status !== 'waiting';
      const r = await db.updateTable('pipeline_runs')
        .set({ status, error_json: error ? JSON.stringify(error) : null, finished_at: terminal ? now : null, updated_at: now })
        .where('id', '=', id).where('status', 'in', ['running', 'waiting']).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    requestCancel: (id: string) => db.updateTable('pipeline_runs').set({ cancel_requested: 1, updated_at: nowIso() }).where('id', '=', id).execute(),
    /** A finished step of the same pipeline with this cache key (its outputs are reused). */
    cacheHit: (pipelineId: string, key: string) =>
      db.selectFrom('pipeline_steps').innerJoin('pipeline_runs', 'pipeline_runs.id', 'pipeline_steps.run_id').select(['pipeline_steps.outputs_json', 'pipeline_steps.run_id'])
        .where('pipeline_runs.pipeline_id', '=', pipelineId).where('pipeline_steps.cache_key', '=', key).where('pipeline_steps.status', '=', 'succeeded')
        .orderBy('pipeline_steps.finished_at', 'desc').limit(1).executeTakeFirst(),
    async addLog(id: string, message: string): Promise<void> {
      const row = await db.selectFrom('pipeline_steps').select('logs_json').where('id', '=', id).executeTakeFirstOrThrow();
      const logs = JSON.parse(row.logs_json) as unknown[];
      logs.push({ at: nowIso(), level: 'info', message });
      await db.updateTable('pipeline_steps').set({ logs_json: JSON.stringify(logs.slice(-500)) }).where('id', '=', id).execute();
    },
    async addEdge(runId: string, from: [string, string], to: [string, string]): Promise<void> {
      await db.insertInto('pipeline_lineage').values({ from_kind: from[0], from_id: from[1], to_kind: to[0], to_id: to[1], run_id: runId, created_at: nowIso() })
        .onConflict((c) => c.doNothing()).execute();
    },
    edgesFrom: (kind: string, id: string) => db.selectFrom('pipeline_lineage').selectAll().where('from_kind', '=', kind).where('from_id', '=', id).execute(),
    edgesTo: (kind: string, id: string) => db.selectFrom('pipeline_lineage').selectAll().where('to_kind', '=', kind).where('to_id', '=', id).execute(),
    jobOwner: async (jobId: string) => (await db.selectFrom('jobs').select('owner').where('id', '=', jobId).executeTakeFirst())?.owner ?? null,
  };
}

export type PipelineStore = ReturnType<typeof createPipelineStore>;
