/**
 * Domain services, created once per process with explicit dependencies, and the job handlers they
 * contribute to the queue. New domains add themselves here.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../storage/schema.ts';
import type { ArtifactStore } from '../storage/artifacts/types.ts';
import type { JobQueue } from '../jobs/types.ts';
import { createDatasetService, type DatasetService } from '../domains/datasets/service.ts';

export interface Deps {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  queue: JobQueue;
}

export interface Services {
  datasets: DatasetService;
  close(): Promise<void>;
}

export function createServices(deps: Deps): Services {
  const datasets = createDatasetService(deps);
  return {
    datasets,
    async close() {},
  };
}
