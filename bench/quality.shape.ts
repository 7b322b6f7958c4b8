/**
 * Per-document shape features as combiner inputs for the ablation scripts (issue 18; bench/quality.case.ts,
 * bench/quality.steady.ts): the product's definition (src/ml/text/shape.ts, what `text.tune` stackShape stores as a
 * model block), standardised over the texts given, rows × SHAPE_FEATURES.length.
 */
import { SHAPE_FEATURES, ShapeBlock } from '../src/ml/text/shape.ts';

export { SHAPE_FEATURES };
export { withColumns as appendColumns } from '../src/ml/text/stackCombiner.ts';

/** rows × SHAPE_FEATURES.length, each column standardised over `texts` (mean 0, sd 1; a constant column stays 0). */
export function shapeFeatures(texts: readonly string[]): Float32Array {
  return ShapeBlock.fit(texts).transform(texts).data;
}
