/** Kysely queries for the rule catalog (tables `cql_libraries`, `cql_policy`; migration 0003_cql_rules). */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../../core/ids.ts';
import type { CqlLibrariesTable, Database } from '../../storage/schema.ts';
import type { PolicyRow, RuleKind, RuleLibrarySummary, RuleStatus } from './types.ts';

/** A catalog row: the API's summary fields plus the id, the source, its hash and the compiled ELM. */
export interface StoredLibrary extends RuleLibrarySummary {
  id: string;
  cql: string | null;
  sourceHash: string;
  elm: Record<string, unknown>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function toStored(row: Selectable<CqlLibrariesTable>): StoredLibrary {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    kind: row.kind as RuleKind,
    status: row.status as RuleStatus,
    builtin: row.builtin === 1,
    description: row.description,
    cql: row.cql,
    sourceHash: row.source_hash,
    elm: JSON.parse(row.elm_json) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listLibraries(db: Kysely<Database>): Promise<StoredLibrary[]> {
  const rows = await db.selectFrom('cql_libraries').selectAll().orderBy('name').execute();
  return rows.map(toStored);
}

export type LibraryInput = Omit<StoredLibrary, 'id' | 'createdAt' | 'updatedAt'>;

/** Insert, or update the row with the same name (keeps id and created_at). */
export async function upsertLibrary(db: Kysely<Database>, lib: LibraryInput): Promise<void> {
  const now = nowIso();
  const values = {
    name: lib.name,
    version: lib.version,
    kind: lib.kind,
    status: lib.status,
    builtin: lib.builtin ? 1 : 0,
    description: lib.description,
    cql: lib.cql,
    source_hash: lib.sourceHash,
    elm_json: JSON.stringify(lib.elm),
    updated_at: now,
  };
  const existing = await db.selectFrom('cql_libraries').select('id').where('name', '=', lib.name).executeTakeFirst();
  if (existing) await db.updateTable('cql_libraries').set(values).where('id', '=', existing.id).execute();
  else await db.insertInto('cql_libraries').values({ id: newId('cql'), ...values, meta_json: '{}', created_at: now }).execute();
}

export async function setLibraryStatus(db: Kysely<Database>, name: string, status: RuleStatus): Promise<void> {
  await db.updateTable('cql_libraries').set({ status, updated_at: nowIso() }).where('name', '=', name).execute();
}

export async function deleteLibrary(db: Kysely<Database>, name: string): Promise<void> {
  await db.deleteFrom('cql_libraries').where('name', '=', name).execute();
}

export async function readPolicy(db: Kysely<Database>): Promise<{ rows: PolicyRow[]; updatedAt: string } | null> {
  const row = await db.selectFrom('cql_policy').selectAll().where('id', '=', 'default').executeTakeFirst();
  return row ? { rows: JSON.parse(row.rows_json) as PolicyRow[], updatedAt: row.updated_at } : null;
}

export async function writePolicy(db: Kysely<Database>, rows: PolicyRow[]): Promise<string> {
  const now = nowIso();
  const json = JSON.stringify(rows);
  const updated = await db.updateTable('cql_policy').set({ rows_json: json, updated_at: now }).where('id', '=', 'default').executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto('cql_policy').values({ id: 'default', rows_json: json, updated_at: now }).execute();
  return now;
}
