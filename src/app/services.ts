/**
 * Domain services, created once per process with explicit dependencies; each registers the job
 * handlers it owns on the queue. New domains add themselves here.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../storage/schema.ts';
import type { ArtifactStore } from '../storage/artifacts/types.ts';
import type { JobQueue } from '../jobs/types.ts';
import { createDatasetService, type DatasetService } from '../domains/datasets/service.ts';
import { createEndpointService, type EndpointService } from '../domains/endpoints/service.ts';
import { createModelService, type ModelService } from '../domains/models/service.ts';
import { createTextService, TEXT_MODEL_KIND, type TextService } from '../domains/text/service.ts';

export interface Deps {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  artifacts: ArtifactStore;
  queue: JobQueue;
}

export interface Services {
  datasets: DatasetService;
  models: ModelService;
  text: TextService;
  endpoints: EndpointService;
  close(): Promise<void>;
}

export function createServices(deps: Deps): Services {
  const datasets = createDatasetService(deps);
  const models = createModelService(deps);
  const text = createTextService({ ...deps, datasets, models });
  const endpoints = createEndpointService({ db: deps.db, models, runtimes: { [TEXT_MODEL_KIND]: text.runtime } });
  return {
    datasets,
    models,
    text,
    endpoints,
    async close() {
      await text.close();
    },
  };
}
