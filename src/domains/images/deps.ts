import type { Logger } from '../../core/logger.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { JobQueue } from '../../jobs/types.ts';
import type { DatasetService } from '../datasets/service.ts';
import type { ModelService } from '../models/service.ts';
import type { Embedder } from './pixels/embedder.ts';

/** What the image-classification domain needs from the rest of the app (passed explicitly). */
export interface ImagesDeps {
  logger: Logger;
  artifacts: ArtifactStore;
  queue: JobQueue;
  datasets: DatasetService;
  models: ModelService;
  /** The frozen backbone (embeddings cached in the artifact store). */
  embedder(): Embedder;
  /** Path of the backbone ONNX file (throws IMAGE_BACKBONE_MISSING when absent). */
  backbonePath(): string;
}
