/** Kysely queries for the model registry (table `models`: one row per model version). */
import type { Kysely, Selectable } from 'kysely';
import type { Database, ModelsTable } from '../../storage/schema.ts';
import { newestFirstPage, type Page } from '../../storage/pagination.ts';
import { ownerIsDead } from '../../jobs/owner.ts';

export interface ModelVersion {
  id: string;
  name: string;
  version: number;
  kind: string;
  status: string;
  datasetVersionId: string | null;
  jobId: string | null;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  artifacts: Record<string, string>;
  meta: Record<string, unknown>;
  createdAt: string;
}

/** The registering process's stamp (pid, host) is for recovery only, not for API clients. */
function publicMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const { registeredBy: _owner, ...rest } = meta;
  return rest;
}

export function toModelVersion(row: Selectable<ModelsTable>): ModelVersion {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    kind: row.kind,
    status: row.status,
    datasetVersionId: row.dataset_version_id,
    jobId: row.job_id,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    metrics: JSON.parse(row.metrics_json) as Record<string, unknown>,
    artifacts: JSON.parse(row.artifacts_json) as Record<string, string>,
    meta: publicMeta(JSON.parse(row.meta_json) as Record<string, unknown>),
    createdAt: row.created_at,
  };
}

export async function listModelVersions(db: Kysely<Database>, q: { kind?: string; name?: string; limit?: number; cursor?: string }): Promise<Page<ModelVersion>> {
  let query = db.selectFrom('models').selectAll();
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.name) query = query.where('name', '=', q.name);
  return newestFirstPage(query, q, toModelVersion);
}

export async function findModelVersion(db: Kysely<Database>, name: string, version?: number): Promise<ModelVersion | undefined> {
  let query = db.selectFrom('models').selectAll().where('name', '=', name);
  query = version === undefined ? query.where('status', '=', 'ready').orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row ? toModelVersion(row) : undefined;
}

export async function findModelById(db: Kysely<Database>, id: string): Promise<ModelVersion | undefined> {
  const row = await db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toModelVersion(row) : undefined;
}

export async function nextVersionNumber(db: Kysely<Database>, name: string): Promise<number> {
  const row = await db.selectFrom('models').select((eb) => eb.fn.max('version').as('max')).where('name', '=', name).executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export interface OrphanedModel {
  id: string;
  name: string;
  version: number;
  reason: string;
}

/**
 * Start-up sweep: versions still `training` whose job is over or gone (the process died between the job's end
 * and the model's update) become `failed`, with the reason in meta.failure. Versions with a queued or running
 * job are left alone: the job (re-queued or still alive) will finish them.
 */
export async function failOrphanedTraining(db: Kysely<Database>): Promise<OrphanedModel[]> {
  const out: OrphanedModel[] = [];
  for (const row of await db.selectFrom('models').selectAll().where('status', '=', 'training').execute()) {
    const meta = JSON.parse(row.meta_json) as Record<string, unknown>;
    const jobId = row.job_id ?? (typeof meta.jobId === 'string' ? meta.jobId : undefined);
    // Registered outside a job (e.g. an LLM import in a request): judged by its registering process alone.
    if (!jobId && !ownerIsDead(meta.registeredBy)) continue;
    const job = jobId ? await db.selectFrom('jobs').select(['status', 'error_json']).where('id', '=', jobId).executeTakeFirst() : undefined;
    if (job && (job.status === 'queued' || job.status === 'running')) continue;
    const error = job?.error_json ? (JSON.parse(job.error_json) as { code?: string; message?: string }) : undefined;
    const reason = !jobId ? 'the process registering it stopped before it was ready'
      : !job ? `its training job ${jobId} no longer exists`
      : job.status === 'succeeded' ? `its training job ${jobId} ended without registering it`
      : `its training job ${jobId} ${job.status}${error?.code ? ` (${error.code}: ${error.message ?? ''})` : ''}`;
    const failure = { code: error?.code ?? 'INTERRUPTED', message: `${reason}; train it again.`, at: new Date().toISOString() };
    // A version whose job was cancelled by a user reads as cancelled, as it does when the build notices the cancel itself.
    const status = job?.status === 'cancelled' ? 'cancelled' : 'failed';
    const r = await db.updateTable('models').set({ status, meta_json: JSON.stringify({ ...meta, failure }) }).where('id', '=', row.id).where('status', '=', 'training').executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) out.push({ id: row.id, name: row.name, version: Number(row.version), reason });
  }
  return out;
}
