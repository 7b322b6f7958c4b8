/**
 * The DDL every migration emits, on both dialects, pinned byte for byte: shipped migrations must never change
 * (a database that already ran them would differ from a new one), so a refactor of how they are written — e.g. the
 * column helpers of migrationHelpers.ts — must leave this output identical. Compiled with kysely's DummyDriver (no
 * database): each migration's up() then down(), in order. 0008_pipelines is still being written and is left out.
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider, type Dialect } from './migrations.ts';

const PINNED = ['0001_init', '0002_fhir', '0003_cql_rules', '0004_cds', '0005_job_owner', '0006_features', '0007_registry'];

async function ddl(dialect: Dialect): Promise<string> {
  const out: string[] = [];
  const db = new Kysely<any>({
    dialect: dialect === 'sqlite'
      ? { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new SqliteIntrospector(k), createQueryCompiler: () => new SqliteQueryCompiler() }
      : { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler() },
    log: (e) => {
      out.push(`${e.query.sql};${e.query.parameters.length ? ` -- ${JSON.stringify(e.query.parameters)}` : ''}`);
    },
  });
  const migrations = await migrationProvider(dialect).getMigrations();
  for (const name of PINNED) {
    out.push(`-- ${name} up`);
    await migrations[name]!.up(db);
    out.push(`-- ${name} down`);
    await migrations[name]!.down?.(db);
  }
  return `${out.join('\n')}\n`;
}

describe('migration DDL', () => {
  it('compiles to the pinned statements on SQLite, and on Postgres to the same but for the pinned differing lines', async () => {
    const sqlite = await ddl('sqlite');
    const postgres = (await ddl('postgres')).split('\n');
    await expect(sqlite).toMatchFileSnapshot('./testdata/migrations-ddl.sqlite.sql');
    const lines = sqlite.split('\n');
    expect(postgres).toHaveLength(lines.length);
    // Postgres is pinned as the lines that differ (one file of the whole DDL, not two near-copies).
    const differing = postgres.flatMap((line, i) => (line === lines[i] ? [] : [`${i + 1}: ${line}`]));
    await expect(`${differing.join('\n')}\n`).toMatchFileSnapshot('./testdata/migrations-ddl.postgres-diff.sql');
  });
});
