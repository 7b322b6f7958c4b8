import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { JobQueue } from '../../jobs/types.ts';
import type { DatasetService } from '../datasets/service.ts';
import type { ModelService } from '../models/service.ts';

/** What the text-classification domain needs from the rest of the app (passed explicitly). */
export interface TextDeps {
  logger: Logger;
  artifacts: ArtifactStore;
  queue: JobQueue;
  datasets: DatasetService;
  models: ModelService;
  /** Scoring threads and queue (SAGEBRUSH_SCORING_THREADS / _QUEUE); absent: the defaults. */
  config?: Partial<Pick<Config, 'scoringThreads' | 'scoringQueue'>>;
}
