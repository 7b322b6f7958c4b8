/**
 * Test helpers: job queues on every configured backend (embedded on SQLite and PostgreSQL, BullMQ on
 * Redis), each on a fresh database with unique BullMQ names, with fast timings. Not used in production.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { openDatabase } from '../storage/db.ts';
import { databaseBackends, missingMessage, type TestBackend, type TestDatabase } from '../storage/testing.ts';
import type { DbJobQueue } from './base.ts';
import { openJobQueue } from './open.ts';
import type { QueueTimings } from './support.ts';
import type { EnqueueOptions, Job, JobDefinition } from './types.ts';

/**
 * A queue whose enqueue also takes ad-hoc type names: the suites of src/jobs exercise the machinery with job types
 * no domain declares (domain code gets the typed enqueue only).
 */
export type TestQueue = DbJobQueue & { enqueue(type: string, payload: unknown, options?: EnqueueOptions): Promise<Job<any, any>> };

/** An ad-hoc job definition whose payload and result schemas accept anything. */
export function anyJob<P = any, R = any>(type: string, run: JobDefinition<P, R>['run'], extra: Partial<JobDefinition<P, R>> = {}): JobDefinition<P, R> {
  return { type, payload: z.any() as z.ZodType<P>, result: z.any() as z.ZodType<R>, run, ...extra };
}

export const FAST_TIMINGS: Partial<QueueTimings> = { watchMs: 50, waitPollMs: 50, pollMs: 50, progressIntervalMs: 250, shutdownGraceMs: 500 };

export interface QueueTestEnv {
  /** A new queue on this env's database (its own connection, like another process). */
  queue(options?: { timings?: Partial<QueueTimings> }): Promise<TestQueue>;
  cleanup(): Promise<void>;
}

async function dropRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

function backend(name: string, db: TestBackend<TestDatabase>, queueUrl: string, missing = db.missing): TestBackend<QueueTestEnv> {
  return {
    name,
    missing,
    async open() {
      if (missing) throw new Error(missing);
      const base = await db.open();
      const closers: Array<() => Promise<void>> = [];
      const names = { queueName: `q-${randomBytes(4).toString('hex')}`, prefix: `sbtest-${randomBytes(4).toString('hex')}` };
      return {
        async queue(options = {}) {
          const conn = await openDatabase(base.url);
          const q = (await openJobQueue({ queueUrl, workerConcurrency: 2 }, { db: conn, timings: { ...FAST_TIMINGS, ...options.timings }, ...names })) as TestQueue;
          closers.push(async () => {
            await q.close();
            await conn.destroy();
          });
          return q;
        },
        async cleanup() {
          for (const close of closers.reverse()) await close();
          await base.cleanup();
          if (queueUrl !== 'embedded') await dropRedisKeys(queueUrl, `${names.prefix}:*`);
        },
      };
    },
  };
}

export function queueBackends(): TestBackend<QueueTestEnv>[] {
  const [sqlite, postgres] = databaseBackends() as [TestBackend<TestDatabase>, TestBackend<TestDatabase>];
  const redisUrl = process.env.SAGEBRUSH_TEST_REDIS_URL || undefined;
  return [
    backend('embedded on sqlite', sqlite, 'embedded'),
    backend('embedded on postgres', postgres, 'embedded'),
    backend('bullmq on sqlite', sqlite, redisUrl ?? 'redis://missing', redisUrl ? undefined : missingMessage('SAGEBRUSH_TEST_REDIS_URL', 'BullMQ')),
  ];
}
