/**
 * SQL for the FHIR store (portable across SQLite and PostgreSQL). Every function takes the executor to
 * run on, so the service can put a whole transaction Bundle in one database transaction. Writes are
 * batched (multi-row INSERTs), which is what makes importing a 1,000-entry Synthea bundle fast.
 */
import type { Resource } from '@medplum/fhirtypes';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, FhirResourcesTable, FhirTokensTable } from '../../storage/schema.ts';
import { indexRows, normalizeString, paramsOf, patientOf, type Filter, type FilterValue, type IndexRow, type ParsedSearch } from './search.ts';

export type Db = Kysely<Database>;

export interface StoredResource {
  type: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  patientId: string | null;
  resource: Resource;
}

/** One resource version to write; `resource: null` deletes. */
export interface WriteOp {
  type: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  resource: Resource | null;
  /** The current row, when there is one (decides insert vs replace). */
  previous?: StoredResource;
}

const key = (type: string, id: string) => `${type}/${id}`;

function toStored(row: Pick<FhirResourcesTable, 'type' | 'id' | 'version_id' | 'last_updated' | 'deleted' | 'patient_id' | 'resource_json'>): StoredResource {
  return {
    type: row.type,
    id: row.id,
    versionId: Number(row.version_id),
    lastUpdated: row.last_updated,
    deleted: Number(row.deleted) === 1,
    patientId: row.patient_id,
    resource: JSON.parse(row.resource_json) as Resource,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function groupIdsByType(keys: Array<{ type: string; id: string }>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const k of keys) {
    const ids = m.get(k.type) ?? [];
    ids.push(k.id);
    m.set(k.type, ids);
  }
  return m;
}

export async function getResource(db: Db, type: string, id: string): Promise<StoredResource | undefined> {
  const row = await db.selectFrom('fhir_resources').selectAll().where('type', '=', type).where('id', '=', id).executeTakeFirst();
  return row ? toStored(row) : undefined;
}

/** Current rows (deleted ones included) for many keys, by "Type/id". */
export async function getResources(db: Db, keys: Array<{ type: string; id: string }>): Promise<Map<string, StoredResource>> {
  const out = new Map<string, StoredResource>();
  for (const [type, ids] of groupIdsByType(keys)) {
    for (const part of chunks([...new Set(ids)], 500)) {
      const rows = await db.selectFrom('fhir_resources').selectAll().where('type', '=', type).where('id', 'in', part).execute();
      for (const r of rows) out.set(key(r.type, r.id), toStored(r));
    }
  }
  return out;
}

export async function getVersion(db: Db, type: string, id: string, versionId: number): Promise<StoredResource | undefined> {
  const row = await db
    .selectFrom('fhir_resource_history')
    .selectAll()
    .where('type', '=', type)
    .where('id', '=', id)
    .where('version_id', '=', versionId)
    .executeTakeFirst();
  return row ? toStored({ ...row, patient_id: null }) : undefined;
}

export async function listVersions(db: Db, type: string, id: string, limit: number): Promise<StoredResource[]> {
  const rows = await db
    .selectFrom('fhir_resource_history')
    .selectAll()
    .where('type', '=', type)
    .where('id', '=', id)
    .orderBy('version_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => toStored({ ...r, patient_id: null }));
}

/** Writes new versions: replaces the current rows and their index rows, appends history. */
export async function writeVersions(db: Db, ops: WriteOp[]): Promise<void> {
  if (ops.length === 0) return;
  const replaced = ops.filter((o) => o.previous);
  for (const [type, ids] of groupIdsByType(replaced)) {
    for (const part of chunks(ids, 500)) {
      await db.deleteFrom('fhir_resources').where('type', '=', type).where('id', 'in', part).execute();
      await db.deleteFrom('fhir_tokens').where('type', '=', type).where('id', 'in', part).execute();
    }
  }
  const resourceRows: FhirResourcesTable[] = [];
  const tokenRows: FhirTokensTable[] = [];
  const historyRows: Database['fhir_resource_history'][] = [];
  for (const op of ops) {
    if (op.resource) {
      const rows: IndexRow[] = indexRows(op.resource);
      const json = JSON.stringify(op.resource);
      resourceRows.push({ type: op.type, id: op.id, version_id: op.versionId, last_updated: op.lastUpdated, patient_id: patientOf(op.resource, rows), resource_json: json, deleted: 0 });
      for (const r of rows) tokenRows.push({ type: op.type, id: op.id, ...r });
      historyRows.push({ type: op.type, id: op.id, version_id: op.versionId, last_updated: op.lastUpdated, resource_json: json, deleted: 0 });
    } else {
      // A deleted resource keeps its last content (for _history) but leaves every search and compartment.
      const last = op.previous?.resource ?? { resourceType: op.type, id: op.id };
      const json = JSON.stringify(last);
      resourceRows.push({ type: op.type, id: op.id, version_id: op.versionId, last_updated: op.lastUpdated, patient_id: null, resource_json: json, deleted: 1 });
      historyRows.push({ type: op.type, id: op.id, version_id: op.versionId, last_updated: op.lastUpdated, resource_json: json, deleted: 1 });
    }
  }
  for (const part of chunks(resourceRows, 400)) await db.insertInto('fhir_resources').values(part).execute();
  for (const part of chunks(historyRows, 500)) await db.insertInto('fhir_resource_history').values(part).execute();
  for (const part of chunks(tokenRows, 1000)) await db.insertInto('fhir_tokens').values(part).execute();
}

// ---------------------------------------------------------------------------------------------------
// Search

type R = ExpressionBuilder<Database & { r: FhirResourcesTable }, 'r'>;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** LIKE with an explicit escape character (SQLite has none by default, PostgreSQL uses backslash). */
function like(column: string, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/**
 * One-sided date prefixes: [column, operator, bound], the column the resource's range (lo..hi) offers and the
 * bound of the searched range it is compared with (FHIR R4 search, "date" parameters).
 */
const ONE_SIDED: Record<'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb', ['lo' | 'hi', '>=' | '<=' | '>' | '<', 'lo' | 'hi']> = {
  gt: ['hi', '>', 'hi'],
  lt: ['lo', '<', 'lo'],
  ge: ['hi', '>=', 'lo'],
  le: ['lo', '<=', 'hi'],
  sa: ['lo', '>', 'hi'],
  eb: ['hi', '<', 'lo'],
};

function dateCondition(lo: Expression<string | null>, hi: Expression<string | null>, v: Extract<FilterValue, { kind: 'date' }>, eb: ExpressionBuilder<Database, 'fhir_tokens'> | R): Expression<SqlBool> {
  const e = eb as unknown as ExpressionBuilder<Record<string, never>, never>;
  const cmp = (a: Expression<string | null>, op: '>=' | '<=' | '>' | '<', b: string) => e(a as never, op, b as never);
  if (v.prefix === 'eq') return e.and([cmp(lo, '>=', v.lo), cmp(hi, '<=', v.hi)]);
  if (v.prefix === 'ne') return e.or([cmp(lo, '<', v.lo), cmp(hi, '>', v.hi)]);
  if (v.prefix === 'ap') return e.and([cmp(lo, '<=', v.hi), cmp(hi, '>=', v.lo)]);
  const [column, op, bound] = ONE_SIDED[v.prefix];
  return cmp(column === 'lo' ? lo : hi, op, bound === 'lo' ? v.lo : v.hi);
}

function valueCondition(t: ExpressionBuilder<Database, 'fhir_tokens'>, f: Filter, v: FilterValue): Expression<SqlBool> {
  switch (v.kind) {
    case 'token': {
      const parts: Expression<SqlBool>[] = [];
      if (v.system === null) parts.push(t('system', 'is', null));
      else if (v.system !== undefined) parts.push(t('system', '=', v.system));
      if (v.code !== undefined) parts.push(t('code', '=', v.code));
      return t.and(parts);
    }
    case 'reference':
      return v.type ? t.and([t('system', '=', v.type), t('code', '=', v.id)]) : t('code', '=', v.id);
    case 'uri':
      return t('code', '=', v.uri);
    case 'string': {
      if (f.modifier === 'exact') return t('value', '=', v.text);
      const norm = escapeLike(normalizeString(v.text));
      return like('fhir_tokens.code', f.modifier === 'contains' ? `%${norm}%` : `${norm}%`);
    }
    case 'date':
      return dateCondition(t.ref('code'), t.ref('value'), v, t);
  }
}

function filterCondition(eb: R, type: string, f: Filter): Expression<SqlBool> {
  if (f.param === '_id') {
    const ids = f.values.map((v) => (v.kind === 'token' ? (v.code ?? '') : ''));
    if (f.modifier === 'missing') return eb.val(!f.missing) as unknown as Expression<SqlBool>;
    return f.modifier === 'not' ? eb('r.id', 'not in', ids) : eb('r.id', 'in', ids);
  }
  if (f.param === '_lastUpdated') {
    if (f.modifier === 'missing') return eb.val(!f.missing) as unknown as Expression<SqlBool>;
    return eb.or(f.values.map((v) => (v.kind === 'date' ? dateCondition(eb.ref('r.last_updated'), eb.ref('r.last_updated'), v, eb) : eb.val(false) as unknown as Expression<SqlBool>)));
  }
  const sub = eb.selectFrom('fhir_tokens').select('fhir_tokens.id').where('fhir_tokens.type', '=', type).where('fhir_tokens.param', '=', f.param);
  if (f.modifier === 'missing') return f.missing ? eb('r.id', 'not in', sub) : eb('r.id', 'in', sub);
  const matching = sub.where((t) => t.or(f.values.map((v) => valueCondition(t, f, v))));
  return f.modifier === 'not' ? eb('r.id', 'not in', matching) : eb('r.id', 'in', matching);
}

function searchWhere(type: string, parsed: ParsedSearch) {
  return (eb: R) => eb.and([eb('r.type', '=', type), eb('r.deleted', '=', 0), ...parsed.filters.map((f) => filterCondition(eb, type, f))]);
}

export async function searchResources(db: Db, type: string, parsed: ParsedSearch): Promise<{ rows: StoredResource[]; total: number | undefined }> {
  const where = searchWhere(type, parsed);
  const count = async () => Number((await db.selectFrom('fhir_resources as r').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow()).n);
  if (parsed.summaryCount || parsed.count === 0) return { rows: [], total: parsed.total || parsed.summaryCount ? await count() : undefined };
  let q = db.selectFrom('fhir_resources as r').selectAll('r').where(where);
  for (const s of parsed.sort) q = q.orderBy(`r.${s.column}`, s.desc ? 'desc' : 'asc');
  q = q.orderBy('r.id', parsed.sort.some((s) => s.column === 'id' && s.desc) ? 'desc' : 'asc');
  const rows = await q.limit(parsed.count).offset(parsed.offset).execute();
  if (!parsed.total) return { rows: rows.map(toStored), total: undefined };
  // A page that is not full and not past the end is the last one: the total is known without a COUNT query
  // (most searches, e.g. a patient's Conditions for a CDS prefetch, fit in one page).
  const total = rows.length < parsed.count && (rows.length > 0 || parsed.offset === 0) ? parsed.offset + rows.length : await count();
  return { rows: rows.map(toStored), total };
}

/** The targets of reference params of the given resources, e.g. Coverage:payor → Organizations. */
export async function referenceTargets(db: Db, type: string, ids: string[], param: string | '*', target?: string): Promise<Array<{ type: string; id: string }>> {
  if (ids.length === 0) return [];
  const out: Array<{ type: string; id: string }> = [];
  for (const part of chunks(ids, 500)) {
    let q = db.selectFrom('fhir_tokens').select(['system', 'code']).where('type', '=', type).where('id', 'in', part);
    if (param !== '*') q = q.where('param', '=', param);
    else q = q.where('param', 'in', referenceParamNames(type));
    if (target) q = q.where('system', '=', target);
    for (const r of await q.execute()) if (r.system && r.code && /^[A-Z]/.test(r.system)) out.push({ type: r.system, id: r.code });
  }
  return out;
}

function referenceParamNames(type: string): string[] {
  const names = Object.entries(paramsOf(type)).filter(([, d]) => d.kind === 'reference').map(([p]) => p);
  return names.length ? names : ['__none__'];
}

/** Resources of `sourceType` whose `param` points at one of the given resources (_revinclude). */
export async function referencingResources(db: Db, sourceType: string, param: string | '*', targetType: string, targetIds: string[]): Promise<Array<{ type: string; id: string }>> {
  if (targetIds.length === 0) return [];
  const out: Array<{ type: string; id: string }> = [];
  for (const part of chunks(targetIds, 500)) {
    let q = db.selectFrom('fhir_tokens').select(['type', 'id']).where('type', '=', sourceType).where('system', '=', targetType).where('code', 'in', part);
    q = param === '*' ? q.where('param', 'in', referenceParamNames(sourceType)) : q.where('param', '=', param);
    for (const r of await q.execute()) out.push({ type: r.type, id: r.id });
  }
  return out;
}

/** The live resources of one Patient compartment, optionally limited to some types (uses the patient_id index). */
export async function compartment(db: Db, patientId: string, types?: string[]): Promise<StoredResource[]> {
  let q = db.selectFrom('fhir_resources').selectAll().where('patient_id', '=', patientId).where('deleted', '=', 0);
  if (types) q = q.where('type', 'in', types);
  const rows = await q.orderBy('type').orderBy('id').execute();
  return rows.map(toStored);
}

/** Patients by name prefix (any part of any name), keyset-paged by id. */
export async function listPatientRows(db: Db, q: { name?: string; limit: number; after?: string }): Promise<StoredResource[]> {
  let sel = db.selectFrom('fhir_resources as r').selectAll('r').where('r.type', '=', 'Patient').where('r.deleted', '=', 0);
  if (q.name && q.name.trim()) {
    const words = normalizeString(q.name).split(/\s+/).filter(Boolean);
    for (const w of words) {
      sel = sel.where('r.id', 'in', (eb) =>
        eb.selectFrom('fhir_tokens').select('fhir_tokens.id').where('fhir_tokens.type', '=', 'Patient').where('fhir_tokens.param', '=', 'name').where(like('fhir_tokens.code', `${escapeLike(w)}%`)),
      );
    }
  }
  if (q.after) sel = sel.where('r.id', '>', q.after);
  const rows = await sel.orderBy('r.id').limit(q.limit + 1).execute();
  return rows.map(toStored);
}

/** Active Coverages of some patients (for the patient picker's "coverage" column). */
export async function activeCoverages(db: Db, patientIds: string[]): Promise<StoredResource[]> {
  if (patientIds.length === 0) return [];
  const rows = await db
    .selectFrom('fhir_resources as r')
    .selectAll('r')
    .where('r.type', '=', 'Coverage')
    .where('r.deleted', '=', 0)
    .where('r.patient_id', 'in', patientIds)
    .orderBy('r.id')
    .execute();
  return rows.map(toStored).filter((r) => (r.resource as { status?: string }).status === 'active');
}

/** Counts of live resources by type (CapabilityStatement / UI). */
export async function countsByType(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('fhir_resources').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).where('deleted', '=', 0).groupBy('type').execute();
  return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
}
