import type { TextDeps } from '../text/deps.ts';
import type { TextPredictor } from '../text/predictor.ts';
import type { EmbedOptions } from '../../ml/text/sentenceEncoder.ts';

/** The text domain's dependencies plus its shared model cache (scoring with, and reloading, a model version). */
export interface QualityDeps extends TextDeps {
  predictor(modelId: string): Promise<TextPredictor>;
  reload(modelId: string): Promise<void>;
  /** Sentence embeddings on every scoring core (text service `embed`), kept in this thread's encoder cache too. */
  embed(texts: readonly string[], o?: EmbedOptions): Promise<Float32Array>;
}

/**
 * Lets timers run between long synchronous steps (folds, sweep points): training blocks the event loop, and the
 * job queue notices a cancel request in a timer, so without a real yield a cancel would only land at the end.
 */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
