/**
 * Builds the long-lived dependencies (metadata DB, artifact store, job queue) from the config, and
 * the domain services on top of them. Everything is passed explicitly: nothing reads globals.
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
import { createServices, type Services } from './services.ts';

export interface AppContext {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  queue: JobQueue;
  services: Services;
  close(): Promise<void>;
}

export interface AppContextOptions {
  logger?: Logger;
  /** Queue wiring of a job worker thread (jobThread.ts): run hooks, event bus, timings. */
  queue?: Pick<OpenJobQueueDeps, 'hooks' | 'events' | 'timings'>;
  /** Called when a job changes a model's decision rule (so another thread's caches can evict it). */
  onModelChanged?: (modelId: string) => void;
}

export async function createAppContext(config: Config, options: AppContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const db = await openDatabase(config.databaseUrl, { logger });
  const artifacts = await openArtifactStore(config);
  const queue = await openJobQueue(config, { db, logger, ...options.queue });
  const services = createServices({ config, logger, db, artifacts, queue, onModelChanged: options.onModelChanged });
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
