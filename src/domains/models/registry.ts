/**
 * Model-registry governance (issue 14, C8): approval status per version (PendingManualApproval → Approved |
 * Rejected, with who, when and why), aliases moved atomically (one holder per alias; `NAME@alias` resolves anywhere a
 * model reference is accepted), tags, the model card, and deploy-on-approval. Each change and the event reporting it
 * (webhooks' outbox) are written in one transaction, so nothing is stored half-way.
 *
 * Other domains (pipelines) call the narrow `ModelGovernance` part; the registry knows neither webhooks nor
 * endpoints by name: it is given an event sink and a deployer.
 */
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { nowIso } from '../../core/ids.ts';
import type { Database } from '../../storage/schema.ts';
import type { ModelService, ModelVersion } from './service.ts';
import * as store from './registryStore.ts';
import { APPROVAL_STATUSES, type Approval, type ApprovalChange, type ApprovalStatus, type AliasRow, type CardText } from './registryStore.ts';
import { checkAlias, checkCard, checkReason, checkTags, invalid, type CardInput } from './registryChecks.ts';

export { APPROVAL_STATUSES, type Approval, type ApprovalChange, type ApprovalStatus, type AliasRow };

export const REGISTRY_EVENTS = ['model_version.created', 'model_version.approval_changed', 'model_alias.changed'] as const;
export type RegistryEventName = (typeof REGISTRY_EVENTS)[number];

/** Where registry events go (the webhooks outbox): `record` runs inside the change's transaction; `committed` after it. */
export interface RegistryEventSink {
  record(db: Kysely<Database>, event: RegistryEventName, data: Record<string, unknown>): Promise<void>;
  committed(): void;
}

/** Creates or re-points an endpoint to a version: the endpoints service's one deploy, given by the app. */
export interface RegistryDeployer {
  endpointNamePattern: RegExp;
  deploy(endpoint: string, modelRef: string): Promise<'created' | 'updated'>;
}

export interface DeployOutcome {
  endpoint: string;
  action: 'created' | 'updated' | 'failed';
  error?: { code: string; message: string };
}

export interface ApprovalResult {
  model: ModelVersion;
  approval: Approval;
  /** False when the version already had this status (nothing recorded). */
  changed: boolean;
  /** Present when the version became Approved and its model has deployOnApproval. */
  deployment?: DeployOutcome;
}

/** The part of the registry other domains (pipeline steps) may call. */
export interface ModelGovernance {
  setApproval(ref: string, input: { status: string; reason?: string }, by: string): Promise<ApprovalResult>;
  setAlias(modelName: string, alias: string, version: number, by: string): Promise<{ alias: string; version: number; previousVersion: number | null }>;
}

export interface ModelCard extends CardText {
  model: { id: string; name: string; version: number; kind: string; status: string; createdAt: string };
  approval: ApprovalStatus;
  /** The version's scalar metrics (reports with nested detail stay in GET …/versions/{v}). */
  metrics: Record<string, number>;
  lineage: { datasetVersionId: string | null; dataset: unknown; trainingJobId: string | null; params: Record<string, unknown> };
  tags: Record<string, string>;
  aliases: string[];
}

export interface ModelRegistry extends ModelGovernance {
  approval(ref: string): Promise<{ model: ModelVersion; approval: Approval; history: ApprovalChange[] }>;
  /** Current approval status of several versions (for lists). */
  approvals(modelIds: string[]): Promise<Map<string, ApprovalStatus>>;
  deleteAlias(modelName: string, alias: string, by: string): Promise<void>;
  aliases(modelName: string): Promise<AliasRow[]>;
  tags(ref: string): Promise<Record<string, string>>;
  putTags(ref: string, tags: Record<string, string>, by: string): Promise<Record<string, string>>;
  deleteTag(ref: string, key: string): Promise<void>;
  card(ref: string): Promise<ModelCard>;
  putCard(ref: string, card: CardInput, by: string): Promise<ModelCard>;
  settings(modelName: string): Promise<{ deployOnApproval: { endpoint: string } | null }>;
  putSettings(modelName: string, input: { deployOnApproval: { endpoint: string } | null }, by: string): Promise<{ deployOnApproval: { endpoint: string } | null }>;
}

export interface ModelRegistryDeps {
  db: Kysely<Database>;
  models: ModelService;
  events?: RegistryEventSink;
  deployer?: RegistryDeployer;
}

const brief = (m: ModelVersion) => ({ id: m.id, name: m.name, version: m.version, kind: m.kind, status: m.status });

export function createModelRegistry(deps: ModelRegistryDeps): ModelRegistry {
  const { db, models, events, deployer } = deps;

  // A new version is reported in the transaction that inserts it.
  models.addCreateHook(async (trx, model) => {
    await events?.record(trx, 'model_version.created', { model: brief(model), approvalStatus: store.INITIAL_APPROVAL });
  });
  models.addCreateListener(() => events?.committed());

  async function inTransaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    const out = await db.transaction().execute(fn);
    events?.committed();
    return out;
  }

  async function deployApproved(model: ModelVersion): Promise<DeployOutcome | undefined> {
    const endpoint = await store.readDeployEndpoint(db, model.name);
    if (!endpoint || !deployer) return undefined;
    try {
      return { endpoint, action: await deployer.deploy(endpoint, model.id) };
    } catch (err) {
      // The approval stands (it is a decision, recorded); the answer says the deployment did not happen and why.
      const e = err instanceof AppError ? err : new AppError('INTERNAL', (err as Error).message);
      return { endpoint, action: 'failed', error: { code: e.code, message: e.message } };
    }
  }

  async function card(ref: string): Promise<ModelCard> {
    const m = await models.resolve(ref);
    const [text, approval, tags, aliases] = await Promise.all([store.readCard(db, m.id), store.readApproval(db, m.id), store.readTags(db, m.id), store.listAliases(db, m.name)]);
    const metrics = Object.fromEntries(Object.entries(m.metrics).filter((e): e is [string, number] => typeof e[1] === 'number'));
    const jobId = m.jobId ?? (typeof m.meta.jobId === 'string' ? m.meta.jobId : null);
    return {
      ...text,
      model: { id: m.id, name: m.name, version: m.version, kind: m.kind, status: m.status, createdAt: m.createdAt },
      approval: approval.status,
      metrics,
      lineage: { datasetVersionId: m.datasetVersionId, dataset: m.params.dataset ?? null, trainingJobId: jobId, params: m.params },
      tags,
      aliases: aliases.filter((a) => a.modelId === m.id).map((a) => a.alias),
    };
  }

  return {
    async setApproval(ref, input, by) {
      if (!(APPROVAL_STATUSES as readonly string[]).includes(input.status)) {
        throw invalid('MODEL_APPROVAL_INVALID', 'status', `Approval status "${input.status}" is not one of ${APPROVAL_STATUSES.join(', ')}.`, `Send status ${APPROVAL_STATUSES.join(' | ')}.`);
      }
      const status = input.status as ApprovalStatus;
      const reason = checkReason(status, input.reason);
      const model = await models.resolve(ref);
      if (status === 'Approved' && model.status !== 'ready') {
        throw new AppError('MODEL_APPROVAL_CONFLICT', `Model ${model.name}:${model.version} is ${model.status}; only a ready version can be approved.`, { problems: [{ field: 'status', problem: `version is ${model.status}`, fix: 'Wait for its training to finish, or approve another version.' }] });
      }
      const at = nowIso();
      const result = await inTransaction(async (trx) => {
        await store.lockVersion(trx, model.id);
        const current = await store.readApproval(trx, model.id);
        if (current.status === status) return { approval: current, changed: false };
        const change: ApprovalChange = { status, previousStatus: current.status, by, at, reason };
        await store.writeApproval(trx, model.id, change);
        await events?.record(trx, 'model_version.approval_changed', { model: brief(model), status, previousStatus: current.status, by, reason, at });
        return { approval: { status, updatedBy: by, updatedAt: at, reason }, changed: true };
      });
      const deployment = result.changed && status === 'Approved' ? await deployApproved(model) : undefined;
      return { model, ...result, ...(deployment ? { deployment } : {}) };
    },
    async setAlias(modelName, alias, version, by) {
      checkAlias(alias);
      const model = await models.get(modelName, version);
      const at = nowIso();
      return inTransaction(async (trx) => {
        // Only `trx` inside: on SQLite another query on `db` would wait for this transaction (one connection).
        await store.lockAlias(trx, modelName, alias);
        const before = await store.findAlias(trx, modelName, alias);
        await store.upsertAlias(trx, modelName, alias, model.id, by, at);
        const previousVersion = before?.version ?? null;
        if (previousVersion !== model.version) await events?.record(trx, 'model_alias.changed', { modelName, alias, version: model.version, modelId: model.id, previousVersion, by, at });
        return { alias, version: model.version, previousVersion };
      });
    },
    async deleteAlias(modelName, alias, by) {
      const at = nowIso();
      await inTransaction(async (trx) => {
        await store.lockAlias(trx, modelName, alias);
        const before = await store.findAlias(trx, modelName, alias);
        if (!before || !(await store.removeAlias(trx, modelName, alias))) {
          throw new AppError('MODEL_ALIAS_NOT_FOUND', `Model "${modelName}" has no alias "${alias}".`, { problems: [{ field: 'alias', problem: 'no such alias', fix: `List aliases with GET /api/v1/models/${modelName}/aliases.` }] });
        }
        await events?.record(trx, 'model_alias.changed', { modelName, alias, version: null, modelId: null, previousVersion: before.version, by, at });
      });
    },
    aliases: async (modelName) => {
      await models.list({ name: modelName, limit: 1 }).then((p) => (p.items.length ? undefined : models.get(modelName)));
      return store.listAliases(db, modelName);
    },
    async approval(ref) {
      const model = await models.resolve(ref);
      return { model, approval: await store.readApproval(db, model.id), history: await store.approvalHistory(db, model.id) };
    },
    approvals: (ids) => store.readApprovals(db, ids),
    async tags(ref) {
      return store.readTags(db, (await models.resolve(ref)).id);
    },
    async putTags(ref, tags, _by) {
      const model = await models.resolve(ref);
      const existing = await store.readTags(db, model.id);
      checkTags(tags, existing);
      const at = nowIso();
      await db.transaction().execute(async (trx) => {
        for (const [k, v] of Object.entries(tags)) await store.putTag(trx, model.id, k, v, at);
      });
      return store.readTags(db, model.id);
    },
    async deleteTag(ref, key) {
      const model = await models.resolve(ref);
      if (!(await store.removeTag(db, model.id, key))) throw new AppError('NOT_FOUND', `Model ${model.name}:${model.version} has no tag "${key}".`);
    },
    card,
    async putCard(ref, input, by) {
      const model = await models.resolve(ref);
      const current = await store.readCard(db, model.id);
      const next = checkCard({ description: input.description ?? current.description, intendedUse: input.intendedUse ?? current.intendedUse, limitations: input.limitations ?? current.limitations });
      await store.writeCard(db, model.id, next, by, nowIso());
      return card(model.id);
    },
    async settings(modelName) {
      await models.list({ name: modelName, limit: 1 }).then((p) => (p.items.length ? undefined : models.get(modelName)));
      const endpoint = await store.readDeployEndpoint(db, modelName);
      return { deployOnApproval: endpoint ? { endpoint } : null };
    },
    async putSettings(modelName, input, by) {
      const page = await models.list({ name: modelName, limit: 1 });
      if (page.items.length === 0) throw new AppError('MODEL_NOT_FOUND', `No model "${modelName}".`);
      const endpoint = input.deployOnApproval?.endpoint ?? null;
      if (endpoint !== null && !(deployer?.endpointNamePattern ?? /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/).test(endpoint)) {
        throw invalid('MODEL_DEPLOY_CONFIG_INVALID', 'deployOnApproval.endpoint', `Endpoint name "${endpoint}" is not allowed.`, 'Use 1–63 letters, digits or "-", starting with a letter or digit.');
      }
      await store.writeDeployEndpoint(db, modelName, endpoint, by, nowIso());
      return { deployOnApproval: endpoint ? { endpoint } : null };
    },
  };
}
