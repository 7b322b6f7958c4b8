/**
 * The model registry: every trained model is a numbered version under a name, with the dataset
 * version it came from, its parameters, metrics and artifact keys. Later capabilities (image
 * classifiers, LLMs) register their models here too.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { newId, nowIso } from '../../core/ids.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import { isUniqueViolation } from '../../storage/db.ts';
import type { Database } from '../../storage/schema.ts';
import { SELF_OWNER } from '../../jobs/owner.ts';
import { failOrphanedTraining, findModelById, findModelVersion, listModelVersions, nextVersionNumber, toModelVersion, type ModelVersion, type OrphanedModel } from './store.ts';
import { findAlias } from './registryStore.ts';

export type { ModelVersion };

export interface ModelService {
  list(q: { kind?: string; name?: string; limit?: number; cursor?: string }): ReturnType<typeof listModelVersions>;
  /** `name`, `name:version`, `name@alias` or a model id; without a version, the latest ready version. */
  resolve(ref: string): Promise<ModelVersion>;
  get(name: string, version?: number): Promise<ModelVersion>;
  getById(id: string): Promise<ModelVersion>;
  create(input: { name: string; kind: string; datasetVersionId?: string | null; jobId?: string | null; params: Record<string, unknown>; meta?: Record<string, unknown> }): Promise<ModelVersion>;
  markReady(id: string, update: { metrics: Record<string, unknown>; artifacts: Record<string, string>; meta?: Record<string, unknown> }): Promise<ModelVersion>;
  update(id: string, update: { metrics?: Record<string, unknown>; meta?: Record<string, unknown> }): Promise<ModelVersion>;
  markFailed(id: string): Promise<void>;
  /** A version whose training job was cancelled by a user (not a failure: nothing is wrong with it). */
  markCancelled(id: string): Promise<void>;
  /** Start-up recovery: `training` versions whose job is over or gone become `failed` (store.ts). */
  failOrphans(): Promise<OrphanedModel[]>;
  /** Refused (the guard's error, e.g. IN_USE) while a guard says a version is used (endpoints register one). */
  delete(name: string, version?: number): Promise<void>;
  /**
   * Adds a check run before versions are deleted: it throws when something still uses one of `modelIds`. The domain
   * that uses models registers it (endpoints), so this registry queries no other domain's tables.
   */
  addDeleteGuard(guard: ModelDeleteGuard): void;
  /** Runs inside the transaction that inserts a new version (the registry records its webhook event there). */
  addCreateHook(hook: ModelCreateHook): void;
  /** Told after a new version is committed. */
  addCreateListener(listener: () => void): void;
  readArtifact(name: string, version: number, artifact: string): Promise<{ key: string; body: Buffer }>;
}

export type ModelDeleteGuard = (modelIds: string[]) => Promise<void>;
export type ModelCreateHook = (trx: Kysely<Database>, model: ModelVersion) => Promise<void>;

export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function parseModelRef(ref: string): { name: string; version?: number } {
  const m = /^(.+?)(?::(\d+))?$/.exec(ref.trim());
  if (!m) throw new AppError('BAD_REQUEST', `Bad model reference "${ref}"; use NAME or NAME:VERSION.`);
  return { name: m[1]!, version: m[2] === undefined ? undefined : Number(m[2]) };
}

/** A model version that a domain can serve: of its kind and trained. Throws CONFLICT naming what is wrong. */
export function requireReadyModel(model: ModelVersion, kind: string, noun: string): ModelVersion {
  if (model.kind !== kind) throw new AppError('CONFLICT', `Model ${model.name}:${model.version} is a ${model.kind}, not ${noun}.`);
  if (model.status !== 'ready') throw new AppError('CONFLICT', `Model ${model.name}:${model.version} is ${model.status}; wait for its training job to finish (or retrain it if it failed).`);
  return model;
}

export function createModelService(deps: { db: Kysely<Database>; artifacts: ArtifactStore }): ModelService {
  const { db, artifacts } = deps;

  async function get(name: string, version?: number): Promise<ModelVersion> {
    const found = await findModelVersion(db, name, version);
    if (!found) throw new AppError('MODEL_NOT_FOUND', version === undefined ? `No ready version of model "${name}". List models with \`sagebrush models list\`.` : `Model "${name}" has no version ${version}.`);
    return found;
  }

  async function getById(id: string): Promise<ModelVersion> {
    const found = await findModelById(db, id);
    if (!found) throw new AppError('MODEL_NOT_FOUND', `No model version with id ${id}.`);
    return found;
  }

  const deleteGuards: ModelDeleteGuard[] = [];
  const createHooks: ModelCreateHook[] = [];
  const createListeners: Array<() => void> = [];
  async function assertNotInUse(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const guard of deleteGuards) await guard(ids);
  }

  return {
    list: (q) => listModelVersions(db, q),
    async resolve(ref) {
      if (/^mdl_[\w]+$/.test(ref)) return getById(ref);
      // NAME@alias: the version the alias points to now (model names cannot contain "@").
      const at = /^([^@]+)@([^@:]+)$/.exec(ref.trim());
      if (at) {
        const hit = await findAlias(db, at[1]!, at[2]!);
        if (!hit) throw new AppError('MODEL_ALIAS_NOT_FOUND', `Model "${at[1]}" has no alias "${at[2]}".`, { problems: [{ field: 'model', problem: `no alias "${at[2]}"`, fix: `List aliases with GET /api/v1/models/${at[1]}/aliases, or use NAME:VERSION.` }] });
        return getById(hit.modelId);
      }
      const { name, version } = parseModelRef(ref);
      return get(name, version);
    },
    get,
    getById,
    async create(input) {
      if (!MODEL_NAME_PATTERN.test(input.name)) {
        throw new AppError('VALIDATION_FAILED', `Model name "${input.name}" is not allowed.`, { problems: [{ field: 'name', problem: 'invalid model name', fix: 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.' }] });
      }
      // Retry on a version-number race between two trainings of the same name.
      for (let attempt = 0; attempt < 5; attempt++) {
        const version = await nextVersionNumber(db, input.name);
        const row = {
          id: newId('mdl'),
          name: input.name,
          version,
          kind: input.kind,
          status: 'training',
          dataset_version_id: input.datasetVersionId ?? null,
          job_id: input.jobId ?? null,
          params_json: JSON.stringify(input.params),
          metrics_json: '{}',
          artifacts_json: '{}',
          // registeredBy: lets start-up recovery fail a version whose registering process died (no job to judge by).
          meta_json: JSON.stringify({ ...(input.meta ?? {}), registeredBy: SELF_OWNER }),
          created_at: nowIso(),
        };
        let inserted = false;
        try {
          await db.transaction().execute(async (trx) => {
            await trx.insertInto('models').values(row).execute();
            inserted = true;
            for (const hook of createHooks) await hook(trx, toModelVersion(row));
          });
          for (const listener of createListeners) listener();
          return getById(row.id);
        } catch (err) {
          // Only the insert's own unique violation is a version-number race; a hook's failure is the hook's.
          if (inserted || !isUniqueViolation(err)) throw err;
        }
      }
      throw new AppError('CONFLICT', `Could not allocate a version number for model "${input.name}"; retry.`);
    },
    async markReady(id, update) {
      const current = await getById(id);
      await db
        .updateTable('models')
        .set({ status: 'ready', metrics_json: JSON.stringify(update.metrics), artifacts_json: JSON.stringify(update.artifacts), meta_json: JSON.stringify({ ...current.meta, ...(update.meta ?? {}) }) })
        .where('id', '=', id)
        .execute();
      return getById(id);
    },
    async update(id, update) {
      const current = await getById(id);
      // The stored meta, not current.meta: that hides registeredBy, which recovery needs until the version is ready.
      const { meta_json: stored } = await db.selectFrom('models').select('meta_json').where('id', '=', id).executeTakeFirstOrThrow();
      await db
        .updateTable('models')
        .set({ metrics_json: JSON.stringify(update.metrics ?? current.metrics), meta_json: JSON.stringify({ ...(JSON.parse(stored) as Record<string, unknown>), ...(update.meta ?? {}) }) })
        .where('id', '=', id)
        .execute();
      return getById(id);
    },
    async markFailed(id) {
      await db.updateTable('models').set({ status: 'failed' }).where('id', '=', id).execute();
    },
    async markCancelled(id) {
      await db.updateTable('models').set({ status: 'cancelled' }).where('id', '=', id).execute();
    },
    failOrphans: () => failOrphanedTraining(db),
    async delete(name, version) {
      const rows = version === undefined ? await db.selectFrom('models').select(['id']).where('name', '=', name).execute() : [await get(name, version)];
      if (rows.length === 0) throw new AppError('MODEL_NOT_FOUND', `No model "${name}".`);
      const ids = rows.map((r) => r.id);
      await assertNotInUse(ids);
      for (const id of ids) await artifacts.deletePrefix(`models/${id}/`);
      await db.deleteFrom('models').where('id', 'in', ids).execute();
    },
    addDeleteGuard(guard) {
      deleteGuards.push(guard);
    },
    addCreateHook(hook) {
      createHooks.push(hook);
    },
    addCreateListener(listener) {
      createListeners.push(listener);
    },
    async readArtifact(name, version, artifact) {
      const model = await get(name, version);
      const key = model.artifacts[artifact];
      if (!key) throw new AppError('NOT_FOUND', `Model ${name}:${version} has no artifact "${artifact}" (it has: ${Object.keys(model.artifacts).join(', ') || 'none'}).`);
      return { key, body: await artifacts.get(key) };
    },
  };
}
