/**
 * Kysely queries for the feature store (migration 0006_features): groups, the append-only offline rows and the online
 * table. An ingestion appends its rows and moves the online rows forward in one transaction, so a failure stores
 * nothing and the online row is always the offline history's latest (by event time, then write order).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { newId, nowIso } from '../../core/ids.ts';
import type { Database, FeatureGroupsTable, FeatureRecordsTable } from '../../storage/schema.ts';
import type { FeatureDef, FeatureGroup, FeatureRecord, SchemaVersion } from './schema.ts';
import type { CheckedRecord } from './validate.ts';
import { isoOf } from './validate.ts';

type Db = Kysely<Database>;
export type RecordRow = Selectable<FeatureRecordsTable>;

/** Rows per INSERT: 7 parameters each stays under SQLite's and PostgreSQL's parameter limits. */
const INSERT_CHUNK = 2000;
/** Rows per page of the key-ordered scan; with at most `seekIds` distinct ids a scan reads only theirs (IN lists). */
export const scanTuning = { pageSize: 20_000, seekIds: 2000 };

export function toGroup(row: Selectable<FeatureGroupsTable>): FeatureGroup {
  const schemas = JSON.parse(row.schemas_json) as SchemaVersion[];
  const current = schemas.find((s) => s.version === row.schema_version) ?? schemas[schemas.length - 1]!;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    recordIdentifierFeature: row.record_id_feature,
    eventTimeFeature: row.event_time_feature,
    schemaVersion: row.schema_version,
    features: current.features,
    schemas,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toRecord(row: Pick<RecordRow, 'record_id' | 'event_time' | 'written_at' | 'schema_version' | 'values_json'>): FeatureRecord {
  return { recordId: row.record_id, eventTime: isoOf(Number(row.event_time)), writtenAt: row.written_at, schemaVersion: row.schema_version, values: JSON.parse(row.values_json) as Record<string, unknown> };
}

export async function findGroup(db: Db, nameOrId: string): Promise<FeatureGroup | undefined> {
  const row = await db.selectFrom('feature_groups').selectAll().where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)])).executeTakeFirst();
  return row ? toGroup(row) : undefined;
}

export async function listGroups(db: Db): Promise<FeatureGroup[]> {
  return (await db.selectFrom('feature_groups').selectAll().orderBy('name').execute()).map(toGroup);
}

export async function insertGroup(db: Db, g: { name: string; description: string; recordIdentifierFeature: string; eventTimeFeature: string; features: FeatureDef[] }): Promise<void> {
  const now = nowIso();
  const schemas: SchemaVersion[] = [{ version: 1, features: g.features, createdAt: now }];
  await db
    .insertInto('feature_groups')
    .values({ id: newId('fg'), name: g.name, description: g.description, record_id_feature: g.recordIdentifierFeature, event_time_feature: g.eventTimeFeature, schema_version: 1, schemas_json: JSON.stringify(schemas), next_seq: 1, created_at: now, updated_at: now })
    .execute();
}

export async function addSchemaVersion(db: Db, group: FeatureGroup, features: FeatureDef[]): Promise<void> {
  const now = nowIso();
  const version = group.schemaVersion + 1;
  const schemas = [...group.schemas, { version, features, createdAt: now }];
  await db.updateTable('feature_groups').set({ schema_version: version, schemas_json: JSON.stringify(schemas), updated_at: now }).where('id', '=', group.id).where('schema_version', '=', group.schemaVersion).execute();
}

export async function deleteGroup(db: Db, groupId: string): Promise<void> {
  // Children first: the same on both dialects whether or not foreign keys cascade.
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('feature_online').where('group_id', '=', groupId).execute();
    await tx.deleteFrom('feature_records').where('group_id', '=', groupId).execute();
    await tx.deleteFrom('feature_groups').where('id', '=', groupId).execute();
  });
}

/**
 * Appends the records (in order: later in the batch = later write) and, unless `online` is false (the online store is
 * elsewhere and is written after this commit), updates the online rows; one transaction. Returns the rows written.
 */
export async function appendRecords(db: Db, group: FeatureGroup, records: CheckedRecord[], options: { online?: boolean } = {}): Promise<{ onlineUpdated: number; rows: RecordRow[] }> {
  return db.transaction().execute(async (tx) => {
    const claimed = await tx.updateTable('feature_groups').set((eb) => ({ next_seq: eb('next_seq', '+', records.length), updated_at: nowIso() })).where('id', '=', group.id).returning('next_seq').executeTakeFirstOrThrow();
    const first = Number(claimed.next_seq) - records.length;
    const writtenAt = nowIso();
    const rows: RecordRow[] = records.map((r, i) => ({ group_id: group.id, record_id: r.recordId, event_time: r.eventTime, seq: first + i, schema_version: group.schemaVersion, written_at: writtenAt, values_json: JSON.stringify(r.values) }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insertInto('feature_records').values(rows.slice(i, i + INSERT_CHUNK)).execute();
    if (options.online === false) return { onlineUpdated: 0, rows };
    // One candidate per id (PostgreSQL refuses to upsert a row twice in one statement): the batch's latest.
    const latest = new Map<string, RecordRow>();
    for (const r of rows) {
      const cur = latest.get(r.record_id);
      if (!cur || r.event_time >= cur.event_time) latest.set(r.record_id, r);
    }
    const online = [...latest.values()];
    let onlineUpdated = 0;
    for (let i = 0; i < online.length; i += INSERT_CHUNK) {
      const res = await tx
        .insertInto('feature_online')
        .values(online.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) =>
          oc
            .columns(['group_id', 'record_id'])
            .doUpdateSet((eb) => ({ event_time: eb.ref('excluded.event_time'), seq: eb.ref('excluded.seq'), schema_version: eb.ref('excluded.schema_version'), written_at: eb.ref('excluded.written_at'), values_json: eb.ref('excluded.values_json') }))
            // Only forward: a late-arriving older event joins the history but does not replace the online value.
            .where(sql<boolean>`excluded.event_time > feature_online.event_time OR (excluded.event_time = feature_online.event_time AND excluded.seq > feature_online.seq)`),
        )
        .executeTakeFirst();
      onlineUpdated += Number(res.numInsertedOrUpdatedRows ?? 0);
    }
    return { onlineUpdated, rows };
  });
}

export async function getOnline(db: Db, groupId: string, recordId: string): Promise<RecordRow | undefined> {
  return db.selectFrom('feature_online').selectAll().where('group_id', '=', groupId).where('record_id', '=', recordId).executeTakeFirst();
}

export async function history(db: Db, groupId: string, recordId: string, limit: number): Promise<RecordRow[]> {
  return db.selectFrom('feature_records').selectAll().where('group_id', '=', groupId).where('record_id', '=', recordId).orderBy('event_time').orderBy('seq').limit(limit).execute();
}

export type ScanRow = Pick<RecordRow, 'record_id' | 'event_time' | 'seq' | 'values_json'> & Partial<Pick<RecordRow, 'written_at' | 'schema_version'>>;

/**
 * The group's offline rows in key order (record id, event time, seq), page by page (keyset pagination: one index
 * range read per page on both dialects). Only rows written before the scan started (a consistent snapshot), with
 * event time ≤ maxTime, and — when given — of the listed ids. `full` adds written_at and schema_version.
 */
export async function* scanRecords(db: Db, groupId: string, options: { maxTime?: number; ids?: string[]; after?: string; full?: boolean } = {}): AsyncGenerator<ScanRow[]> {
  const snap = await db.selectFrom('feature_groups').select('next_seq').where('id', '=', groupId).executeTakeFirst();
  if (!snap) return;
  const idChunks = options.ids ? Array.from({ length: Math.ceil(options.ids.length / 500) }, (_, i) => options.ids!.slice(i * 500, i * 500 + 500)) : [undefined];
  for (const ids of idChunks) {
    let cursor: [string, number, number] | undefined = options.after !== undefined ? [options.after, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : undefined;
    for (;;) {
      const cols = options.full ? (['record_id', 'event_time', 'seq', 'values_json', 'written_at', 'schema_version'] as const) : (['record_id', 'event_time', 'seq', 'values_json'] as const);
      let q = db.selectFrom('feature_records').select(cols).where('group_id', '=', groupId).where('seq', '<', Number(snap.next_seq));
      if (options.maxTime !== undefined && Number.isFinite(options.maxTime)) q = q.where('event_time', '<=', options.maxTime);
      if (ids) q = q.where('record_id', 'in', ids);
      if (cursor) q = q.where(sql<boolean>`(record_id, event_time, seq) > (${cursor[0]}, ${cursor[1]}, ${cursor[2]})`);
      const page = await q.orderBy('record_id').orderBy('event_time').orderBy('seq').limit(scanTuning.pageSize).execute();
      if (page.length) yield page;
      if (page.length < scanTuning.pageSize) break;
      const last = page[page.length - 1]!;
      cursor = [last.record_id, Number(last.event_time), Number(last.seq)];
    }
  }
}
