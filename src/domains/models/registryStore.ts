/**
 * Kysely queries for model-registry governance (migration 0007_registry): approvals and their history, aliases,
 * tags, model cards and per-model settings. Every writer takes the executor it runs on, so the service can put a
 * change and the event that reports it in one transaction.
 */
import { sql, type Kysely } from 'kysely';
import { newId } from '../../core/ids.ts';
import { dialectOf } from '../../storage/db.ts';
import type { Database } from '../../storage/schema.ts';

export const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
/** Every version starts here (no model_approvals row). */
export const INITIAL_APPROVAL: ApprovalStatus = 'PendingManualApproval';

export interface Approval {
  status: ApprovalStatus;
  /** Who set it (API token name, "anonymous", or a pipeline); null while it was never changed. */
  updatedBy: string | null;
  updatedAt: string | null;
  reason: string;
}

export interface ApprovalChange {
  status: ApprovalStatus;
  previousStatus: ApprovalStatus;
  by: string;
  at: string;
  reason: string;
}

export interface AliasRow {
  alias: string;
  modelId: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

type Db = Kysely<Database>;

/**
 * Serialises governance writes on PostgreSQL: two concurrent approvals (or alias moves) read-then-write in turn, so
 * the history and the events see each change once. SQLite transactions already run one at a time.
 */
export async function lockVersion(db: Db, modelId: string): Promise<void> {
  if (dialectOf(db) === 'postgres') await db.selectFrom('models').select('id').where('id', '=', modelId).forUpdate().execute();
}

/**
 * As lockVersion, for an alias: a transaction-scoped advisory lock on (model, alias), which also serialises the
 * first creation of an alias (a row lock would lock nothing while the alias does not exist yet).
 */
export async function lockAlias(db: Db, modelName: string, alias: string): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`model-alias:${modelName}@${alias}`}))`.execute(db);
}

export async function readApproval(db: Db, modelId: string): Promise<Approval> {
  const row = await db.selectFrom('model_approvals').selectAll().where('model_id', '=', modelId).executeTakeFirst();
  return row ? { status: row.status as ApprovalStatus, updatedBy: row.updated_by, updatedAt: row.updated_at, reason: row.reason } : { status: INITIAL_APPROVAL, updatedBy: null, updatedAt: null, reason: '' };
}

/** Current approvals of several versions (absent ids are pending). */
export async function readApprovals(db: Db, modelIds: string[]): Promise<Map<string, ApprovalStatus>> {
  const out = new Map<string, ApprovalStatus>();
  if (modelIds.length === 0) return out;
  for (const r of await db.selectFrom('model_approvals').select(['model_id', 'status']).where('model_id', 'in', modelIds).execute()) out.set(r.model_id, r.status as ApprovalStatus);
  return out;
}

export async function writeApproval(db: Db, modelId: string, change: ApprovalChange): Promise<void> {
  await db
    .insertInto('model_approvals')
    .values({ model_id: modelId, status: change.status, updated_by: change.by, updated_at: change.at, reason: change.reason })
    .onConflict((oc) => oc.column('model_id').doUpdateSet({ status: change.status, updated_by: change.by, updated_at: change.at, reason: change.reason }))
    .execute();
  await db
    .insertInto('model_approval_history')
    .values({ id: newId('apr'), model_id: modelId, status: change.status, previous_status: change.previousStatus, changed_by: change.by, changed_at: change.at, reason: change.reason })
    .execute();
}

export async function approvalHistory(db: Db, modelId: string): Promise<ApprovalChange[]> {
  const rows = await db.selectFrom('model_approval_history').selectAll().where('model_id', '=', modelId).orderBy('id', 'desc').limit(500).execute();
  return rows.map((r) => ({ status: r.status as ApprovalStatus, previousStatus: r.previous_status as ApprovalStatus, by: r.changed_by, at: r.changed_at, reason: r.reason }));
}

export async function listAliases(db: Db, modelName: string): Promise<AliasRow[]> {
  const rows = await db
    .selectFrom('model_aliases')
    .innerJoin('models', 'models.id', 'model_aliases.model_id')
    .select(['model_aliases.alias', 'model_aliases.model_id', 'models.version', 'model_aliases.updated_by', 'model_aliases.updated_at'])
    .where('model_aliases.model_name', '=', modelName)
    .orderBy('model_aliases.alias')
    .execute();
  return rows.map((r) => ({ alias: r.alias, modelId: r.model_id, version: Number(r.version), updatedBy: r.updated_by, updatedAt: r.updated_at }));
}

export async function findAlias(db: Db, modelName: string, alias: string): Promise<{ modelId: string; version: number } | undefined> {
  const row = await db
    .selectFrom('model_aliases')
    .innerJoin('models', 'models.id', 'model_aliases.model_id')
    .select(['model_aliases.model_id', 'models.version'])
    .where('model_aliases.model_name', '=', modelName)
    .where('model_aliases.alias', '=', alias)
    .executeTakeFirst();
  return row ? { modelId: row.model_id, version: Number(row.version) } : undefined;
}

/** One row per (model, alias): inserting over the holder moves it (one holder per alias, on both dialects). */
export async function upsertAlias(db: Db, modelName: string, alias: string, modelId: string, by: string, at: string): Promise<void> {
  await db
    .insertInto('model_aliases')
    .values({ model_name: modelName, alias, model_id: modelId, updated_by: by, updated_at: at })
    .onConflict((oc) => oc.columns(['model_name', 'alias']).doUpdateSet({ model_id: modelId, updated_by: by, updated_at: at }))
    .execute();
}

export async function removeAlias(db: Db, modelName: string, alias: string): Promise<boolean> {
  const r = await db.deleteFrom('model_aliases').where('model_name', '=', modelName).where('alias', '=', alias).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function readTags(db: Db, modelId: string): Promise<Record<string, string>> {
  const rows = await db.selectFrom('model_tags').select(['key', 'value']).where('model_id', '=', modelId).orderBy('key').execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function putTag(db: Db, modelId: string, key: string, value: string, at: string): Promise<void> {
  await db
    .insertInto('model_tags')
    .values({ model_id: modelId, key, value, updated_at: at })
    .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value, updated_at: at }))
    .execute();
}

export async function removeTag(db: Db, modelId: string, key: string): Promise<boolean> {
  const r = await db.deleteFrom('model_tags').where('model_id', '=', modelId).where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface CardText {
  description: string;
  intendedUse: string;
  limitations: string;
  updatedBy: string | null;
  updatedAt: string | null;
}

export async function readCard(db: Db, modelId: string): Promise<CardText> {
  const r = await db.selectFrom('model_cards').selectAll().where('model_id', '=', modelId).executeTakeFirst();
  return r ? { description: r.description, intendedUse: r.intended_use, limitations: r.limitations, updatedBy: r.updated_by, updatedAt: r.updated_at } : { description: '', intendedUse: '', limitations: '', updatedBy: null, updatedAt: null };
}

export async function writeCard(db: Db, modelId: string, card: { description: string; intendedUse: string; limitations: string }, by: string, at: string): Promise<void> {
  const values = { description: card.description, intended_use: card.intendedUse, limitations: card.limitations, updated_by: by, updated_at: at };
  await db.insertInto('model_cards').values({ model_id: modelId, ...values }).onConflict((oc) => oc.column('model_id').doUpdateSet(values)).execute();
}

export async function readDeployEndpoint(db: Db, modelName: string): Promise<string | null> {
  const r = await db.selectFrom('model_settings').select('deploy_endpoint').where('model_name', '=', modelName).executeTakeFirst();
  return r?.deploy_endpoint ?? null;
}

export async function writeDeployEndpoint(db: Db, modelName: string, endpoint: string | null, by: string, at: string): Promise<void> {
  await db
    .insertInto('model_settings')
    .values({ model_name: modelName, deploy_endpoint: endpoint, updated_by: by, updated_at: at })
    .onConflict((oc) => oc.column('model_name').doUpdateSet({ deploy_endpoint: endpoint, updated_by: by, updated_at: at }))
    .execute();
}
