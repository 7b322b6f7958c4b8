/**
 * Opens the metadata database and brings its schema up to date. `sqlite:PATH` (embedded default) or
 * `postgres://…` (shared by several processes/machines). Both speak the same Kysely<Database>.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { migrationProvider, type Dialect } from './migrations.ts';
import { withStatementCache } from './sqliteStatements.ts';
import type { Database } from './schema.ts';

export type { Dialect };

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** Which SQL dialect a Kysely instance (or transaction) talks; for the few dialect-specific queries. */
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** True for a UNIQUE / PRIMARY KEY violation on either dialect (map it to ALREADY_EXISTS). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True for a FOREIGN KEY violation on either dialect. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Turns `sqlite:PATH` into a file path (`sqlite::memory:` stays in memory). */
export function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return resolve(rest);
}

function openSqlite(url: string): Kysely<Database> {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let conn: SqliteDatabase.Database;
  try {
    conn = new SqliteDatabase(path);
  } catch (err) {
    throw new AppError('STORAGE_UNAVAILABLE', `Cannot open SQLite database ${path}: ${(err as Error).message}`, { cause: err });
  }
  // WAL lets readers (API, CLI) run while a worker writes; busy_timeout makes writers from several
  // processes wait for each other instead of failing with SQLITE_BUSY.
  conn.pragma('journal_mode = WAL');
  conn.pragma('busy_timeout = 10000');
  conn.pragma('foreign_keys = ON');
  conn.pragma('synchronous = NORMAL');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(conn) }) });
}

// BIGINT (sizes, COUNT(*)) arrives as a string by default; our values fit in a double.
function pgTypes(lib: typeof pg) {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
      return (lib.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (v: string) => unknown)(oid, format);
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Kysely<Database>> {
  // Imported only for a postgres:// URL: the embedded SQLite default never needs the driver (issue 17).
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    types: pgTypes(pg) as unknown as pg.CustomTypesConfig,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.logger?.warn({ err }, 'postgres idle client error'));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Kysely<Database>> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  if (url.startsWith('sqlite:')) {
    db = openSqlite(url);
    dialect = 'sqlite';
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    db = await openPostgres(url, options);
    dialect = 'postgres';
  } else {
    throw new AppError('CONFIG_INVALID', `Unsupported database URL "${url}": use sqlite:PATH or postgres://user:pass@host:port/db`);
  }
  try {
    await migrate(db, dialect, options.logger);
  } catch (err) {
    await db.destroy().catch(() => {});
    if (err instanceof AppError) throw err;
    throw new AppError('STORAGE_UNAVAILABLE', `Cannot prepare the database (${redact(url)}): ${(err as Error).message}`, { cause: err });
  }
  return db;
}

async function migrate(db: Kysely<Database>, dialect: Dialect, logger?: Logger): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') logger?.info({ migration: r.migrationName }, 'applied database migration');
    else if (r.status === 'Error') logger?.error({ migration: r.migrationName }, 'database migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** Hides the password in a connection URL for error messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
