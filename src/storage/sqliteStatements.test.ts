/**
 * The statement cache under Kysely (sqliteStatements.ts): one prepare per distinct SQL text, correct answers when the
 * same query is streamed and run at once, after a schema change, and after an eviction.
 */
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from './sqliteStatements.ts';

interface Db {
  t: { id: number; name: string };
}

const open: Kysely<Db>[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

function setup(size?: number) {
  const conn = new SqliteDatabase(':memory:');
  const prepare = vi.spyOn(conn, 'prepare');
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(conn, size) }) });
  open.push(db);
  return { db, prepare, conn };
}

async function seed(db: Kysely<Db>, n: number) {
  await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
  for (let i = 1; i <= n; i++) await db.insertInto('t').values({ id: i, name: `n${i}` }).execute();
}

describe('withStatementCache', () => {
  it('prepares each distinct SQL text once and binds new values to the kept statement', async () => {
    const { db, prepare } = setup();
    await seed(db, 5);
    const before = prepare.mock.calls.length;
    const names: string[] = [];
    for (const id of [1, 2, 3, 4, 5]) names.push((await db.selectFrom('t').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name);
    expect(names).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(prepare.mock.calls.length - before).toBe(1);
  });

  it('streams through the kept statement, and hands out a fresh one while it is still being iterated', async () => {
    const { db, conn } = setup();
    await seed(db, 4);
    const query = db.selectFrom('t').select('id').orderBy('id');
    expect((await query.execute()).map((r) => r.id)).toEqual([1, 2, 3, 4]);
    const streamed: number[] = [];
    for await (const row of query.stream()) streamed.push(row.id);
    expect(streamed).toEqual([1, 2, 3, 4]);
    expect((await query.execute()).map((r) => r.id)).toEqual([1, 2, 3, 4]); // the statement is free again after a stream
    // at the wrapper: a kept statement that is mid-iteration is not handed out again
    const cache = withStatementCache(conn);
    const text = 'select id from t order by id';
    const first = cache.prepare(text);
    const iter = first.iterate([]);
    iter.next();
    expect(cache.prepare(text)).not.toBe(first);
    iter.return?.();
    expect(cache.prepare(text)).toBe(first);
  });

  it('sees a column added after the statement was kept (SQLite re-prepares on a schema change)', async () => {
    const { db } = setup();
    await seed(db, 1);
    const all = () => sql<Record<string, unknown>>`select * from t`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'n1' }]);
    await sql`alter table t add column extra text default 'x'`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'n1', extra: 'x' }]);
  });

  it('keeps at most `size` statements, dropping the least recently used', async () => {
    const { db, prepare } = setup(2);
    await seed(db, 3);
    const q = (col: 'id' | 'name', id: number) => db.selectFrom('t').select(col).where('id', '=', id).executeTakeFirstOrThrow();
    const other = () => sql`select count(*) as n from t`.execute(db);
    const base = prepare.mock.calls.length;
    await q('id', 1); // A
    await q('name', 1); // B
    await q('id', 2); // A again: kept
    expect(prepare.mock.calls.length - base).toBe(2);
    await other(); // C evicts B (least recently used)
    await q('id', 3); // A: still kept
    expect(prepare.mock.calls.length - base).toBe(3);
    expect((await q('name', 2)).name).toBe('n2'); // B again: prepared anew, right answer
    expect(prepare.mock.calls.length - base).toBe(4);
  });
});
