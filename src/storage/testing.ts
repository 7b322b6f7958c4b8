/**
 * Test helpers: fresh, isolated databases on every configured backend, so one shared suite runs on
 * SQLite always and on PostgreSQL when SAGEBRUSH_TEST_DATABASE_URL is set. Under CI a missing service
 * is a failure, never a silent skip. Not imported by production code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Kysely } from 'kysely';
import { afterEach, describe } from 'vitest';
import { openDatabase } from './db.ts';
import type { Database } from './schema.ts';

export interface TestBackend<T> {
  name: string;
  /** Set when the backend's service is not configured: the suite should skip (or fail under CI). */
  missing?: string;
  open(): Promise<T>;
}

export interface TestDatabase {
  url: string;
  db: Kysely<Database>;
  cleanup(): Promise<void>;
}

/** Message for a backend whose service is not configured. */
export function missingMessage(envName: string, what: string): string {
  return `${what} tests need ${envName} (start services with: eval "$(bash scripts/ci/services.sh)")`;
}

export const inCi = (): boolean => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * Whether a suite for `backend` should be skipped: only when its service is missing and we are not
 * in CI. Under CI the suite runs and `open()` throws, so every test fails loudly.
 */
export function skipBackend(backend: { missing?: string }): boolean {
  return !!backend.missing && !inCi();
}

/**
 * One shared suite per backend: a `describe` titled `title(backend.name)` (skipped as `skipBackend` says) in
 * which `open()` opens a fresh instance of the backend, cleaned up after that test.
 */
export function describeEachBackend<T extends { cleanup(): Promise<void> }>(
  backends: TestBackend<T>[],
  title: (name: string) => string,
  suite: (open: () => Promise<T>, backend: TestBackend<T>) => void,
): void {
  for (const backend of backends) {
    describe.skipIf(skipBackend(backend))(title(backend.name), () => {
      let opened: T | undefined;
      afterEach(async () => {
        await opened?.cleanup();
        opened = undefined;
      });
      suite(async () => (opened = await backend.open()), backend);
    });
  }
}

/** Creates a uniquely-named PostgreSQL database next to the one in `baseUrl`. */
export async function createPgDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sb_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function databaseBackends(): TestBackend<TestDatabase>[] {
  const pgUrl = process.env.SAGEBRUSH_TEST_DATABASE_URL || undefined;
  return [
    {
      name: 'sqlite',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'sb-db-'));
        const url = `sqlite:${join(dir, 'test.db')}`;
        const db = await openDatabase(url);
        return {
          url,
          db,
          async cleanup() {
            await db.destroy();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      missing: pgUrl ? undefined : missingMessage('SAGEBRUSH_TEST_DATABASE_URL', 'PostgreSQL'),
      async open() {
        if (!pgUrl) throw new Error(missingMessage('SAGEBRUSH_TEST_DATABASE_URL', 'PostgreSQL'));
        const created = await createPgDatabase(pgUrl);
        const db = await openDatabase(created.url, { poolSize: 4 });
        return {
          url: created.url,
          db,
          async cleanup() {
            await db.destroy();
            await created.drop();
          },
        };
      },
    },
  ];
}
