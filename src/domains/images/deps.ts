import type { Logger } from '../../core/logger.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { JobQueue } from '../../jobs/types.ts';
import type { DatasetService } from '../datasets/service.ts';
import type { ModelService } from '../models/service.ts';
import type { Embedder } from './pixels/embedder.ts';
import type { ImageFeatureKind } from './schema.ts';

/** What the image-classification domain needs from the rest of the app (passed explicitly). */
export interface ImagesDeps {
  logger: Logger;
  artifacts: ArtifactStore;
  queue: JobQueue;
  datasets: DatasetService;
  models: ModelService;
  /** The frozen backbone for one feature layer (default 'logits': heads trained before issue 18 record none). */
  embedder(features?: ImageFeatureKind): Embedder;
  /** Path of the backbone ONNX file (throws IMAGE_BACKBONE_MISSING when absent). */
  backbonePath(): string;
}
