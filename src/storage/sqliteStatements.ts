/**
 * better-sqlite3 as Kysely's SQLite database, with prepared statements kept and reused by their SQL text. Kysely
 * prepares every query it runs; the same few statements over and over cost ~9 % of a CDS hook call's event-loop time
 * when the call reads the embedded FHIR store (bench/cds.cpu.ts profile, issue 17). SQLite re-prepares a kept
 * statement itself after a schema change, so a cached one never runs against an old schema.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept (least recently used dropped first): the app's queries, not per-value SQL (values are bound). */
export const STATEMENT_CACHE_SIZE = 512;

export function withStatementCache(conn: SqliteDatabase.Database, size = STATEMENT_CACHE_SIZE): KyselySqliteDatabase {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string): SqliteStatement {
      const hit = kept.get(sql);
      // A statement still being iterated (a streamed query) cannot run again until it ends: prepare a fresh one.
      if (hit && !hit.busy) {
        kept.delete(sql); // most recently used last
        kept.set(sql, hit);
        return hit as unknown as SqliteStatement;
      }
      const stmt = conn.prepare(sql);
      if (!hit) {
        kept.set(sql, stmt);
        if (kept.size > size) kept.delete(kept.keys().next().value as string);
      }
      return stmt as unknown as SqliteStatement;
    },
    close() {
      kept.clear();
      conn.close();
    },
  };
}
