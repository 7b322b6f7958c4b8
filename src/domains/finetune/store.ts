/** The finetune_runs table (migration 0012_finetune). */
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { nowIso } from '../../core/ids.ts';
import { newestFirstPage, type Page } from '../../storage/pagination.ts';
import type { Database, FinetuneRunsTable } from '../../storage/schema.ts';
import type { FinetuneSpec, Inspection } from './schema.ts';

export interface FinetuneRunRow {
  id: string;
  name: string;
  jobId: string | null;
  spec: FinetuneSpec;
  inspection: Inspection;
  runDir: string;
  launcher: string;
  launchId: string | null;
  modelId: string | null;
  endpoint: string | null;
  createdAt: string;
  updatedAt: string;
}

const toRow = (r: Selectable<FinetuneRunsTable>): FinetuneRunRow => ({
  id: r.id, name: r.name, jobId: r.job_id, spec: JSON.parse(r.spec_json) as FinetuneSpec, inspection: JSON.parse(r.inspection_json) as Inspection,
  runDir: r.run_dir, launcher: r.launcher, launchId: r.launch_id, modelId: r.model_id, endpoint: r.endpoint, createdAt: r.created_at, updatedAt: r.updated_at,
});

export function createFinetuneStore(db: Kysely<Database>) {
  return {
    async insert(row: Omit<FinetuneRunRow, 'createdAt' | 'updatedAt' | 'launchId' | 'modelId' | 'endpoint'>): Promise<void> {
      const now = nowIso();
      await db.insertInto('finetune_runs').values({
        id: row.id, name: row.name, job_id: row.jobId, spec_json: JSON.stringify(row.spec), inspection_json: JSON.stringify(row.inspection),
        run_dir: row.runDir, launcher: row.launcher, launch_id: null, model_id: null, endpoint: null, created_at: now, updated_at: now,
      }).execute();
    },
    async find(idOrName: string): Promise<FinetuneRunRow | undefined> {
      const r = await db.selectFrom('finetune_runs').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
      return r ? toRow(r) : undefined;
    },
    async get(idOrName: string): Promise<FinetuneRunRow> {
      const r = await this.find(idOrName);
      if (!r) throw new AppError('FINETUNE_NOT_FOUND', `No fine-tuning run "${idOrName}".`, { problems: [{ field: 'run', problem: 'not found', fix: 'List runs with `sagebrush finetune list`.' }] });
      return r;
    },
    async byJob(jobId: string): Promise<FinetuneRunRow | undefined> {
      const r = await db.selectFrom('finetune_runs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
      return r ? toRow(r) : undefined;
    },
    async update(id: string, patch: { jobId?: string; launchId?: string | null; modelId?: string; endpoint?: string }): Promise<void> {
      await db.updateTable('finetune_runs').set({
        ...(patch.jobId !== undefined ? { job_id: patch.jobId } : {}),
        ...(patch.launchId !== undefined ? { launch_id: patch.launchId } : {}),
        ...(patch.modelId !== undefined ? { model_id: patch.modelId } : {}),
        ...(patch.endpoint !== undefined ? { endpoint: patch.endpoint } : {}),
        updated_at: nowIso(),
      }).where('id', '=', id).execute();
    },
    async list(q: { limit?: number; cursor?: string }): Promise<Page<FinetuneRunRow>> {
      return newestFirstPage(db.selectFrom('finetune_runs').selectAll(), q, toRow);
    },
  };
}
export type FinetuneStore = ReturnType<typeof createFinetuneStore>;
