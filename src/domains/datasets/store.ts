/** Kysely queries on `datasets` and `dataset_versions` (portable SQLite/PostgreSQL) and row mapping. */
import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../../core/ids.ts';
import type { Database, DatasetVersionsTable, DatasetsTable } from '../../storage/schema.ts';
import type { Dataset, DatasetVersion, VersionStatus } from './schema.ts';

type Db = Kysely<Database>;
export type DatasetRow = Selectable<DatasetsTable>;
export type VersionRow = Selectable<DatasetVersionsTable>;

function json<T>(text: string, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function toDataset(r: DatasetRow): Dataset {
  return { id: r.id, name: r.name, description: r.description, kind: r.kind, latestVersion: Number(r.latest_version), createdAt: r.created_at, updatedAt: r.updated_at };
}

export function toVersion(r: VersionRow): DatasetVersion {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    version: Number(r.version),
    format: r.format,
    fileName: r.file_name,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    rowCount: Number(r.row_count),
    status: r.status as VersionStatus,
    schema: json(r.schema_json, {}),
    stats: json(r.stats_json, {}),
    problems: json(r.problems_json, []),
    meta: publicMeta(json(r.meta_json, {})),
    createdAt: r.created_at,
  };
}

/** The process stamp of an upload (pid, host) is for recovery only, not for API clients. */
function publicMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const { uploadOwner: _owner, ...rest } = meta;
  return rest;
}

export function versionMeta(r: VersionRow): { jobId?: string; description?: string; header?: string; requestedFormat?: string; uploadOwner?: unknown } {
  return json(r.meta_json, {});
}

export function createDatasetStore(db: Db) {
  return {
    async findDataset(idOrName: string): Promise<DatasetRow | undefined> {
      const byId = await db.selectFrom('datasets').selectAll().where('id', '=', idOrName).executeTakeFirst();
      return byId ?? (await db.selectFrom('datasets').selectAll().where('name', '=', idOrName).executeTakeFirst());
    },

    /** Newest first; `limit + 1` rows so the caller can tell whether there is a next page. */
    async listDatasets(limit: number, afterId?: string): Promise<DatasetRow[]> {
      let q = db.selectFrom('datasets').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (afterId) q = q.where('id', '<', afterId);
      return q.execute();
    },

    async listVersions(datasetId: string): Promise<VersionRow[]> {
      return db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', datasetId).orderBy('version', 'asc').execute();
    },

    async versionById(id: string): Promise<VersionRow | undefined> {
      return db.selectFrom('dataset_versions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async versionByNumber(datasetId: string, version: number): Promise<VersionRow | undefined> {
      return db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', datasetId).where('version', '=', version).executeTakeFirst();
    },

    /**
     * Creates the dataset if the name is new and reserves the next version number with a row in
     * status `uploading`. Returns both rows and whether the dataset was created.
     */
    async reserveVersion(input: { name: string; description?: string; fileName: string; artifactKey: (datasetId: string, version: number) => string; format: string; meta: Record<string, unknown> }): Promise<{ dataset: DatasetRow; version: VersionRow; created: boolean }> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await db.transaction().execute(async (trx) => {
            const now = nowIso();
            let dataset = await trx.selectFrom('datasets').selectAll().where('name', '=', input.name).executeTakeFirst();
            let created = false;
            if (!dataset) {
              dataset = { id: newId('ds'), name: input.name, description: input.description ?? '', kind: 'unknown', latest_version: 0, created_at: now, updated_at: now };
              await trx.insertInto('datasets').values(dataset).execute();
              created = true;
            }
            const max = await trx.selectFrom('dataset_versions').select((eb) => eb.fn.max('version').as('max')).where('dataset_id', '=', dataset.id).executeTakeFirst();
            const n = Math.max(Number(max?.max ?? 0), Number(dataset.latest_version)) + 1;
            const version: VersionRow = {
              id: newId('dsv'),
              dataset_id: dataset.id,
              version: n,
              format: input.format,
              file_name: input.fileName,
              artifact_key: input.artifactKey(dataset.id, n),
              size_bytes: 0,
              sha256: '',
              row_count: 0,
              status: 'uploading',
              schema_json: '{}',
              stats_json: '{}',
              problems_json: '[]',
              meta_json: JSON.stringify(input.meta),
              created_at: now,
            };
            await trx.insertInto('dataset_versions').values(version).execute();
            return { dataset, version, created };
          });
        } catch (err) {
          // A concurrent upload took the same name or version number: try again with fresh reads.
          if (attempt >= 4 || !/unique|constraint|duplicate/i.test((err as Error).message)) throw err;
        }
      }
    },

    async updateVersion(id: string, values: Partial<Omit<VersionRow, 'id' | 'dataset_id' | 'version'>>): Promise<boolean> {
      const r = await db.updateTable('dataset_versions').set(values).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Marks a version ready and moves the dataset's latest version, kind and (pending) description. */
    async markReady(version: VersionRow, values: Pick<VersionRow, 'format' | 'row_count' | 'schema_json' | 'stats_json' | 'problems_json' | 'meta_json'>, dataset: { kind: string; description?: string }): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const r = await trx.updateTable('dataset_versions').set({ ...values, status: 'ready' }).where('id', '=', version.id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        const current = await trx.selectFrom('datasets').select(['latest_version']).where('id', '=', version.dataset_id).executeTakeFirst();
        if (!current) return false;
        const isLatest = Number(version.version) >= Number(current.latest_version);
        await trx
          .updateTable('datasets')
          .set({
            updated_at: nowIso(),
            ...(isLatest ? { latest_version: version.version, kind: dataset.kind } : {}),
            ...(dataset.description !== undefined ? { description: dataset.description } : {}),
          })
          .where('id', '=', version.dataset_id)
          .execute();
        return true;
      });
    },

    /** Deletes one version row, and the dataset row when no version is left. Returns whether the dataset went too. */
    async deleteVersion(version: Pick<VersionRow, 'id' | 'dataset_id'>): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('dataset_versions').where('id', '=', version.id).execute();
        const left = await trx.selectFrom('dataset_versions').select('id').where('dataset_id', '=', version.dataset_id).limit(1).executeTakeFirst();
        if (left) return false;
        await trx.deleteFrom('datasets').where('id', '=', version.dataset_id).execute();
        return true;
      });
    },

    async deleteDataset(id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('dataset_versions').where('dataset_id', '=', id).execute();
        await trx.deleteFrom('datasets').where('id', '=', id).execute();
      });
    },

    async staleVersions(status: VersionStatus, olderThan: string): Promise<VersionRow[]> {
      return db.selectFrom('dataset_versions').selectAll().where('status', '=', status).where('created_at', '<', olderThan).execute();
    },
  };
}

export type DatasetStore = ReturnType<typeof createDatasetStore>;
