/**
 * Real-time endpoints: a name bound to one model version, loaded once (shared model cache) and
 * answering requests. How a model is loaded and unloaded comes from its kind's entry in the model-kind
 * table (models/kinds.ts); this service names no kind. Deleting an endpoint evicts its model from memory;
 * a model version cannot be deleted while an endpoint uses it (the delete guard registered here).
 */
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { newId, nowIso } from '../../core/ids.ts';
import { isUniqueViolation } from '../../storage/db.ts';
import { newestFirstPage, type Page } from '../../storage/pagination.ts';
import type { Database, EndpointsTable } from '../../storage/schema.ts';
import type { EndpointRef, ModelKindRegistry, ModelKindRuntime } from '../models/kinds.ts';
import type { ModelService, ModelVersion } from '../models/service.ts';
import { EndpointMetrics, type EndpointMetricsReport, type MetricsWindow } from './metrics.ts';

export interface Endpoint {
  id: string;
  name: string;
  modelId: string;
  model: { name: string; version: number; kind: string } | null;
  kind: string;
  config: Record<string, unknown>;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointService {
  create(input: { name: string; model: string; config?: Record<string, unknown> }): Promise<Endpoint>;
  list(q: { limit?: number; cursor?: string }): Promise<Page<Endpoint>>;
  get(name: string): Promise<Endpoint>;
  /** The endpoint and its model version, for the routes that serve requests. */
  resolve(name: string): Promise<{ endpoint: Endpoint; model: ModelVersion }>;
  update(name: string, input: { model?: string; config?: Record<string, unknown> }): Promise<Endpoint>;
  delete(name: string): Promise<void>;
  /**
   * Serves `model` (an id, NAME:VERSION or NAME@alias) at `name`: re-points the endpoint when it exists, creates it
   * otherwise. The one deploy the registry's deploy-on-approval, pipeline deploy steps and fine-tuning use.
   */
  deploy(name: string, model: string): Promise<'created' | 'updated'>;
  /** Invocation counts, errors and latency per endpoint, in memory (metrics.ts); fed by the invocation routes' hook. */
  metrics: EndpointMetrics;
  /** The endpoint's metrics over a window ending now; ENDPOINT_NOT_FOUND for an unknown name. */
  metricsReport(name: string, window: MetricsWindow): Promise<EndpointMetricsReport>;
}

const RESOLVE_TTL_MS = 1000;

export const ENDPOINT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

export interface EndpointServiceDeps {
  db: Kysely<Database>;
  /** Registers its delete guard here: a version an endpoint uses cannot be deleted (IN_USE). */
  models: ModelService;
  /** The model-kind table; read on each call, so kinds registered after this service was created are served. */
  kinds: ModelKindRegistry;
  now?: () => number;
}

export function createEndpointService(deps: EndpointServiceDeps): EndpointService {
  const { db, models, kinds } = deps;
  const metrics = new EndpointMetrics(deps.now);
  const runtimeOf = (kind: string): ModelKindRuntime | undefined => kinds.find(kind)?.runtime;

  models.addDeleteGuard(async (ids) => {
    const used = await db.selectFrom('endpoints').select(['name', 'model_id']).where('model_id', 'in', ids).execute();
    if (used.length > 0) {
      throw new AppError('IN_USE', `The model version is used by endpoint(s) ${used.map((u) => `"${u.name}"`).join(', ')}. Delete or re-point those endpoints first.`);
    }
  });

  async function toEndpoint(row: Selectable<EndpointsTable>): Promise<Endpoint> {
    const m = await models.getById(row.model_id).catch(() => null);
    return {
      id: row.id,
      name: row.name,
      modelId: row.model_id,
      model: m ? { name: m.name, version: m.version, kind: m.kind } : null,
      kind: row.kind,
      config: JSON.parse(row.config_json) as Record<string, unknown>,
      status: row.status,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async function row(name: string) {
    const found = await db.selectFrom('endpoints').selectAll().where('name', '=', name).executeTakeFirst();
    if (!found) throw new AppError('ENDPOINT_NOT_FOUND', `No endpoint "${name}". Create it with POST /api/v1/endpoints or \`sagebrush endpoints create\`.`);
    return found;
  }

  /**
   * Request routes resolve the endpoint on every call; a short-lived in-process cache keeps three
   * database reads off the hot path. Changes made in this process invalidate it at once; changes made
   * by another process sharing the database are seen within RESOLVE_TTL_MS.
   */
  const resolved = new Map<string, { at: number; value: Promise<{ endpoint: Endpoint; model: ModelVersion }> }>();
  const forget = (name: string) => resolved.delete(name);

  async function servableModel(ref: string): Promise<{ model: ModelVersion; runtime: ModelKindRuntime }> {
    const model = await models.resolve(ref);
    if (model.status !== 'ready') throw new AppError('CONFLICT', `Model ${model.name}:${model.version} is ${model.status}, not ready; wait for its training job to finish.`);
    const runtime = runtimeOf(model.kind);
    if (!runtime) throw new AppError('VALIDATION_FAILED', `Models of kind "${model.kind}" cannot be served by an endpoint.`, { problems: [{ field: 'model', problem: `kind ${model.kind} has no runtime`, fix: `Use a model of kind: ${kinds.names().join(', ')}.` }] });
    return { model, runtime };
  }

  const service: EndpointService = {
    metrics,
    async deploy(name, model) {
      if (await db.selectFrom('endpoints').select('id').where('name', '=', name).executeTakeFirst()) {
        await service.update(name, { model });
        return 'updated';
      }
      try {
        await service.create({ name, model });
        return 'created';
      } catch (err) {
        // Created meanwhile by another deploy (two approvals at once): re-point it instead.
        if (!(err instanceof AppError && err.code === 'ALREADY_EXISTS')) throw err;
        await service.update(name, { model });
        return 'updated';
      }
    },
    async metricsReport(name, window) {
      await row(name);
      return metrics.report(name, window);
    },
    async create(input) {
      if (!ENDPOINT_NAME_PATTERN.test(input.name)) {
        throw new AppError('VALIDATION_FAILED', `Endpoint name "${input.name}" is not allowed.`, { problems: [{ field: 'name', problem: 'invalid endpoint name', fix: 'Use 1–63 letters, digits or "-", starting with a letter or digit.' }] });
      }
      const { model, runtime } = await servableModel(input.model);
      const taken = await db.selectFrom('endpoints').select('id').where('name', '=', input.name).executeTakeFirst();
      if (taken) throw new AppError('ALREADY_EXISTS', `An endpoint named "${input.name}" already exists; delete it or pick another name.`);
      const config = runtime.prepareConfig ? await runtime.prepareConfig(model, input.config ?? {}) : (input.config ?? {});
      const ref: EndpointRef = { id: newId('ep'), name: input.name, config };
      await runtime.warm(model, ref);
      const now = nowIso();
      const values = { id: ref.id, name: input.name, model_id: model.id, kind: model.kind, config_json: JSON.stringify(config), status: 'in-service', created_at: now, updated_at: now };
      try {
        await db.insertInto('endpoints').values(values).execute();
      } catch (err) {
        await runtime.evict(model, ref).catch(() => undefined);
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `An endpoint named "${input.name}" already exists; delete it or pick another name.`);
        throw err;
      }
      metrics.ensure(input.name);
      return toEndpoint({ ...values });
    },
    async list(q) {
      const page = await newestFirstPage(db.selectFrom('endpoints').selectAll(), q, (r) => r);
      return { items: await Promise.all(page.items.map(toEndpoint)), nextCursor: page.nextCursor };
    },
    async get(name) {
      return toEndpoint(await row(name));
    },
    async resolve(name) {
      const hit = resolved.get(name);
      if (hit && Date.now() - hit.at < RESOLVE_TTL_MS) return hit.value;
      const value = (async () => {
        const r = await row(name);
        metrics.ensure(name);
        return { endpoint: await toEndpoint(r), model: await models.getById(r.model_id) };
      })();
      resolved.set(name, { at: Date.now(), value });
      value.catch(() => forget(name));
      return value;
    },
    async update(name, input) {
      forget(name);
      const current = await row(name);
      const { model, runtime } = await servableModel(input.model ?? current.model_id);
      const oldConfig = JSON.parse(current.config_json) as Record<string, unknown>;
      const merged = { ...oldConfig, ...(input.config ?? {}) };
      const config = runtime.prepareConfig ? await runtime.prepareConfig(model, merged) : merged;
      const oldRef: EndpointRef = { id: current.id, name: current.name, config: oldConfig };
      const old = await models.getById(current.model_id).catch(() => null);
      const changed = !old || old.id !== model.id || JSON.stringify(config) !== JSON.stringify(oldConfig);
      // A new configuration of the same model is a new load: unload the old one first (memory).
      if (changed && old && old.id === model.id) await runtimeOf(old.kind)?.evict(old, oldRef);
      await runtime.warm(model, { id: current.id, name: current.name, config });
      await db.updateTable('endpoints').set({ model_id: model.id, kind: model.kind, config_json: JSON.stringify(config), updated_at: nowIso() }).where('id', '=', current.id).execute();
      forget(name);
      if (old && old.id !== model.id) await runtimeOf(old.kind)?.evict(old, oldRef);
      return toEndpoint(await row(name));
    },
    async delete(name) {
      forget(name);
      const r = await row(name);
      await db.deleteFrom('endpoints').where('id', '=', r.id).execute();
      forget(name);
      metrics.drop(name);
      const model = await models.getById(r.model_id).catch(() => null);
      if (model) await runtimeOf(model.kind)?.evict(model, { id: r.id, name: r.name, config: JSON.parse(r.config_json) as Record<string, unknown> });
    },
  };
  return service;
}
