/**
 * Builds the long-lived dependencies (metadata DB, artifact store, job queue) from the config, and
 * the domain services on top of them. Everything is passed explicitly: nothing reads globals.
 * The service set is every domain (services.ts, imported only when used) unless the caller names a leaner one: the
 * embedded CLI's text commands open textServices.ts, so they load and construct only the domains they use.
 */
import { mkdirSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Config } from '../core/config.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { openDatabase } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import { openArtifactStore } from '../storage/artifacts/open.ts';
import type { ArtifactStore } from '../storage/artifacts/types.ts';
import { openJobQueue, type OpenJobQueueDeps } from '../jobs/open.ts';
import type { JobQueue } from '../jobs/types.ts';
import type { Deps } from './modelServices.ts';
import type { Services } from './services.ts';

/** What every service set has: closing it releases its threads, timers and caches. */
export interface ServiceSet {
  close(): Promise<void>;
}

export interface AppContext<S extends ServiceSet = Services> {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  queue: JobQueue;
  services: S;
  close(): Promise<void>;
}

export interface AppContextOptions {
  logger?: Logger;
  /** Queue wiring of a job worker thread (jobThread.ts): run hooks, event bus, timings. */
  queue?: Pick<OpenJobQueueDeps, 'hooks' | 'events' | 'timings'>;
  /** Called when a job changes a model's decision rule (so another thread's caches can evict it). */
  onModelChanged?: (modelId: string) => void;
}

export function createAppContext(config: Config, options?: AppContextOptions): Promise<AppContext>;
/** With a lean service set: its queue registers only the job handlers of the domains it constructs. */
export function createAppContext<S extends ServiceSet>(config: Config, options: AppContextOptions & { services: (deps: Deps) => S }): Promise<AppContext<S>>;
export async function createAppContext(config: Config, options: AppContextOptions & { services?: (deps: Deps) => ServiceSet } = {}): Promise<AppContext<ServiceSet>> {
  const logger = options.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const db = await openDatabase(config.databaseUrl, { logger });
  const artifacts = await openArtifactStore(config);
  const queue = await openJobQueue(config, { db, logger, ...options.queue });
  const create = options.services ?? (await import('./services.ts')).createServices;
  const services = create({ config, logger, db, artifacts, queue, onModelChanged: options.onModelChanged });
  let closed = false;
  return {
    config,
    logger,
    db,
    artifacts,
    queue,
    services,
    async close() {
      if (closed) return;
      closed = true;
      await services.close();
      await queue.close();
      await artifacts.close();
      await db.destroy();
    },
  };
}
