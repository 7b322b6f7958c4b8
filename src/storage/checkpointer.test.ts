import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCheckpointer } from './checkpointer.ts';
import { openDatabase } from './db.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-ckpt-'));
  dirs.push(dir);
  const url = `sqlite:${join(dir, 'meta.db')}`;
  const db = await openDatabase(url);
  await sql`CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)`.execute(db);
  return { db, url, file: join(dir, 'meta.db') };
}

const autocheckpoint = async (db: Awaited<ReturnType<typeof fresh>>['db']) =>
  Number(Object.values((await sql<Record<string, number>>`PRAGMA wal_autocheckpoint`.execute(db)).rows[0]!)[0]);

describe('startCheckpointer (SQLite WAL checkpoints off the event loop)', () => {
  it('turns the connection\'s automatic checkpoints off and copies the WAL into the database from its own thread', async () => {
    const { db, url, file } = await fresh();
    const ckpt = await startCheckpointer(db, url, 50);
    expect(ckpt).toBeDefined();
    expect(await autocheckpoint(db)).toBe(0);
    const before = statSync(file).size;
    // ~6 MB: past the 1,000-page WAL size at which this connection itself would have checkpointed
    for (let i = 0; i < 40; i++) await sql`INSERT INTO big (body) VALUES (${'x'.repeat(150_000)})`.execute(db);
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 5_000_000), { timeout: 10_000, interval: 50 });
    await ckpt!.stop();
    expect(await autocheckpoint(db)).toBe(1000);
    expect(Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM big`.execute(db)).rows[0]!.n)).toBe(40);
    await ckpt!.stop(); // idempotent
    await db.destroy();
  });

  it('without it, the database file does not grow until the connection checkpoints (what the thread takes over)', async () => {
    const { db, file } = await fresh();
    await sql`PRAGMA wal_autocheckpoint = 0`.execute(db);
    const before = statSync(file).size;
    for (let i = 0; i < 10; i++) await sql`INSERT INTO big (body) VALUES (${'x'.repeat(150_000)})`.execute(db);
    expect(statSync(file).size).toBe(before);
    await db.destroy();
  });

  it('does nothing for an in-memory database', async () => {
    const db = await openDatabase('sqlite::memory:');
    expect(await startCheckpointer(db, 'sqlite::memory:')).toBeUndefined();
    await db.destroy();
  });
});
