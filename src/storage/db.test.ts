import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { newId, nowIso } from '../core/ids.ts';
import { dialectOf, isForeignKeyViolation, isUniqueViolation, openDatabase, redact, sqlitePath } from './db.ts';
import { clampLimit, decodeCursor, toPage } from './pagination.ts';
import { databaseBackends, describeEachBackend } from './testing.ts';

function dataset(name: string) {
  const at = nowIso();
  return { id: newId('ds'), name, description: '', kind: 'text', latest_version: 0, created_at: at, updated_at: at };
}

function version(datasetId: string, v: number) {
  return {
    id: newId('dsv'), dataset_id: datasetId, version: v, format: 'csv', file_name: 'a.csv', artifact_key: `datasets/${datasetId}/v${v}`,
    size_bytes: 5_000_000_000, sha256: 'abc', row_count: 3, status: 'ready', schema_json: '{}', stats_json: '{}',
    problems_json: '[]', meta_json: '{}', created_at: nowIso(),
  };
}

function job(status = 'queued') {
  const at = nowIso();
  return {
    id: newId('job'), type: 't', status, payload_json: '{}', result_json: null, error_json: null, progress: 0.125, message: '',
    attempts: 0, idempotent: 0, cancel_requested: 0, created_at: at, started_at: null, finished_at: null, updated_at: at,
  };
}

describeEachBackend(databaseBackends(), (name) => `metadata database on ${name}`, (open, backend) => {
  it('runs migrations once and reports its dialect', async () => {
    const { db, url } = await open();
    expect(dialectOf(db)).toBe(backend.name);
    const tables = await db.introspection.getTables();
    const names = tables.map((x) => x.name);
    for (const n of ['datasets', 'dataset_versions', 'jobs', 'job_logs', 'models', 'endpoints']) expect(names).toContain(n);
    // Re-opening an up-to-date database is a no-op.
    const again = await openDatabase(url);
    await again.destroy();
  });

  it('CRUD on datasets and versions, unique names and versions, cascade delete', async () => {
    const { db } = await open();
    const ds = dataset('reviews');
    await db.insertInto('datasets').values(ds).execute();
    await expect(db.insertInto('datasets').values({ ...dataset('reviews') }).execute()).rejects.toSatisfy(isUniqueViolation);
    await db.insertInto('dataset_versions').values(version(ds.id, 1)).execute();
    await expect(db.insertInto('dataset_versions').values(version(ds.id, 1)).execute()).rejects.toSatisfy(isUniqueViolation);
    await expect(db.insertInto('dataset_versions').values(version('ds_missing', 1)).execute()).rejects.toSatisfy(isForeignKeyViolation);
    await db.updateTable('datasets').set({ latest_version: 1, description: 'd' }).where('id', '=', ds.id).execute();
    const row = await db.selectFrom('datasets').selectAll().where('name', '=', 'reviews').executeTakeFirstOrThrow();
    expect(row.latest_version).toBe(1);
    const v = await db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', ds.id).executeTakeFirstOrThrow();
    expect(v.size_bytes).toBe(5_000_000_000); // bigint comes back as a number on both dialects
    await db.deleteFrom('datasets').where('id', '=', ds.id).execute();
    const left = await db.selectFrom('dataset_versions').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });

  it('jobs and job logs: doubles round-trip, log ids increase, logs go with their job', async () => {
    const { db } = await open();
    const j = job();
    await db.insertInto('jobs').values(j).execute();
    const got = await db.selectFrom('jobs').selectAll().where('id', '=', j.id).executeTakeFirstOrThrow();
    expect(got.progress).toBe(0.125);
    expect(got.result_json).toBeNull();
    for (const m of ['a', 'b', 'c']) await db.insertInto('job_logs').values({ job_id: j.id, at: nowIso(), level: 'info', message: m }).execute();
    const logs = await db.selectFrom('job_logs').selectAll().where('job_id', '=', j.id).orderBy('id').execute();
    expect(logs.map((l) => l.message)).toEqual(['a', 'b', 'c']);
    expect(typeof logs[0]!.id).toBe('number');
    expect(logs[1]!.id).toBeGreaterThan(logs[0]!.id);
    await db.deleteFrom('jobs').where('id', '=', j.id).execute();
    expect(await db.selectFrom('job_logs').selectAll().execute()).toEqual([]);
  });

  it('models (name, version) and endpoint names are unique', async () => {
    const { db } = await open();
    const at = nowIso();
    const model = (v: number) => ({
      id: newId('mdl'), name: 'clf', version: v, kind: 'text-classifier', status: 'ready', dataset_version_id: null, job_id: null,
      params_json: '{}', metrics_json: '{}', artifacts_json: '{}', meta_json: '{}', created_at: at,
    });
    const m1 = model(1);
    await db.insertInto('models').values([m1, model(2)]).execute();
    await expect(db.insertInto('models').values(model(1)).execute()).rejects.toSatisfy(isUniqueViolation);
    const ep = () => ({ id: newId('ep'), name: 'live', model_id: m1.id, kind: 'text', config_json: '{}', status: 'ready', created_at: at, updated_at: at });
    await db.insertInto('endpoints').values(ep()).execute();
    await expect(db.insertInto('endpoints').values(ep()).execute()).rejects.toSatisfy(isUniqueViolation);
    const latest = await db.selectFrom('models').select(db.fn.max('version').as('v')).where('name', '=', 'clf').executeTakeFirstOrThrow();
    expect(Number(latest.v)).toBe(2);
  });

  it('keyset pagination over time-sortable ids, newest first', async () => {
    const { db } = await open();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const j = { ...job(i % 2 ? 'failed' : 'queued'), id: `job_${String(i).padStart(4, '0')}` };
      ids.push(j.id);
      await db.insertInto('jobs').values(j).execute();
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const limit = clampLimit(3);
      const after = decodeCursor(cursor);
      let q = db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (after) q = q.where('id', '<', after);
      const page = toPage(await q.execute(), limit, (r) => r.id, (r) => r.id);
      seen.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const failed = await db.selectFrom('jobs').select('id').where('status', '=', 'failed').orderBy('id', 'desc').execute();
    expect(failed).toHaveLength(3);
  });

  it('runs raw SQL portably and rolls back transactions', async () => {
    const { db } = await open();
    await expect(
      db.transaction().execute(async (trx) => {
        expect(dialectOf(trx)).toBe(backend.name);
        await trx.insertInto('datasets').values(dataset('tx')).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const r = await sql<{ n: number }>`select count(*) as n from datasets`.execute(db);
    expect(Number(r.rows[0]!.n)).toBe(0);
  });
});

describe('database helpers', () => {
  it('parses sqlite urls and redacts passwords', () => {
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePath('sqlite:/tmp/x.db')).toBe('/tmp/x.db');
    expect(sqlitePath('sqlite:///tmp/x.db')).toBe('/tmp/x.db');
    expect(redact('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
  });

  it('rejects unknown URLs and unreachable servers with clear codes', async () => {
    await expect(openDatabase('mysql://x')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(openDatabase('postgres://u:p@127.0.0.1:1/db')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });

  it('rejects cursors that were not produced by the API', () => {
    expect(() => decodeCursor('%%%')).toThrow(/Invalid cursor/);
    expect(clampLimit(0)).toBe(1);
    expect(clampLimit(1000)).toBe(200);
    expect(clampLimit(undefined)).toBe(50);
  });
});
