import type { Logger } from '../../core/logger.ts';
import type { JobQueue } from '../../jobs/types.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { ModelService } from '../models/service.ts';
import type { DetectionSet } from './formats/types.ts';

/** What detector training needs from detection datasets (D1's service satisfies it). */
export interface TrainingSetPort {
  /** Latest approved label per image (unlabeled images are not in it). */
  trainingSet(name: string): Promise<DetectionSet>;
  readImage(name: string, ref: string): Promise<Buffer>;
}

/** What the detection domain needs from the rest of the app (passed explicitly). */
export interface DetectionServiceDeps {
  logger: Logger;
  artifacts: ArtifactStore;
  queue: JobQueue;
  models: ModelService;
  datasets?: TrainingSetPort;
}
