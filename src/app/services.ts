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
import { createLlmService, LLM_MODEL_KIND, type LlmService } from '../domains/llm/service.ts';
import { createTextQualityService, type TextQualityService } from '../domains/text/quality/service.ts';
import { createSummarizeService, type SummarizeService } from '../domains/summarize/service.ts';

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
  textQuality: TextQualityService;
  endpoints: EndpointService;
  /** LLM endpoints (C4/C5); implements LlmProvider: `llm.handle(endpointName)`. */
  llm: LlmService;
  /** Long-document summarization (C6): extractive, or map-reduce / refine on an LLM endpoint. */
  summarize: SummarizeService;
  close(): Promise<void>;
}

export function createServices(deps: Deps): Services {
  const datasets = createDatasetService(deps);
  const models = createModelService(deps);
  const text = createTextService({ ...deps, datasets, models });
  const textQuality = createTextQualityService({ ...deps, datasets, models, text });
  const llm = createLlmService({ models, artifacts: deps.artifacts, logger: deps.logger, maxUploadBytes: deps.config.maxUploadBytes, endpoints: () => endpoints });
  const endpoints = createEndpointService({ db: deps.db, models, runtimes: { [TEXT_MODEL_KIND]: text.runtime, [LLM_MODEL_KIND]: llm.runtime } });
  const summarize = createSummarizeService({ logger: deps.logger, artifacts: deps.artifacts, queue: deps.queue, datasets, llm });
  return {
    datasets,
    models,
    text,
    textQuality,
    endpoints,
    llm,
    summarize,
    async close() {
      await llm.close();
      await text.close();
    },
  };
}
