import type { TextDeps } from '../deps.ts';
import type { TextPredictor } from '../predictor.ts';

/** The text domain's dependencies plus its shared model cache (scoring with, and reloading, a model version). */
export interface QualityDeps extends TextDeps {
  predictor(modelId: string): Promise<TextPredictor>;
  reload(modelId: string): Promise<void>;
}
