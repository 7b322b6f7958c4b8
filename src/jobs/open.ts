/** Chooses the job queue from `config.queueUrl`: `embedded` or `redis://…` (BullMQ). */
import type { Kysely } from 'kysely';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../storage/schema.ts';
import { EmbeddedJobQueue } from './embedded.ts';
import type { EventBus, QueueTimings, RunHooks } from './support.ts';
import type { JobQueue } from './types.ts';

export interface OpenJobQueueDeps {
  db: Kysely<Database>;
  logger?: Logger;
  /** Overrides for tests (short leases, fast polls). */
  timings?: Partial<QueueTimings>;
  /** BullMQ queue name / Redis key prefix (tests use unique ones). */
  queueName?: string;
  prefix?: string;
  /** A worker thread's run hooks (app/jobThread.ts). */
  hooks?: RunHooks;
  /** Embedded queue only: where events go (a worker thread sends them to its host). */
  events?: EventBus;
}

export async function openJobQueue(config: Pick<Config, 'queueUrl' | 'workerConcurrency'> & Partial<Pick<Config, 'queuePrefix'>>, deps: OpenJobQueueDeps): Promise<JobQueue> {
  const common = { logger: deps.logger, timings: deps.timings, hooks: deps.hooks, concurrency: Math.max(1, config.workerConcurrency) };
  if (config.queueUrl === 'embedded') return new EmbeddedJobQueue(deps.db, { ...common, events: deps.events });
  if (config.queueUrl.startsWith('redis://') || config.queueUrl.startsWith('rediss://')) {
    // Loaded on demand: BullMQ and ioredis are only needed when scaling out.
    const { openBullMqQueue } = await import('./bullmq.ts');
    return openBullMqQueue(deps.db, { ...common, url: config.queueUrl, queueName: deps.queueName, prefix: deps.prefix ?? config.queuePrefix });
  }
  throw new AppError('CONFIG_INVALID', `Unsupported queue URL "${config.queueUrl}": use "embedded" or redis://host:port`);
}
