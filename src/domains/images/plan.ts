/**
 * What each build tries, chosen by grouped CV on the training part. Quick: the centre view alone or averaged
 * with its horizontal flip, C ∈ {0.03, 0.1}. Standard: 8-view test-time augmentation, 4 train-time augmented
 * copies per image (extra training rows), 4- or 8-view averages, C from 0.003 to 0.1 (5 candidates). The grids come from
 * lesion-grouped 5-fold CV on the HAM10000 sample with scikit-learn on the same embeddings (README.md): the
 * augmented copies are what lifts balanced accuracy from ≈0.42 to ≈0.48–0.50; more views alone add little.
 */
import type { Candidate } from './fit.ts';
import type { ViewName } from './pixels/decode.ts';
import type { BuildKind } from './schema.ts';

export interface BuildPlan {
  /** Views embedded for every image (candidates use a prefix-free subset). */
  views: ViewName[];
  /** Augmented copies embedded per image (0: none). */
  augment: number;
  candidates: Candidate[];
}

const TTA2: ViewName[] = ['center', 'hflip'];
const TTA4: ViewName[] = ['center', 'hflip', 'vflip', 'rot180'];
const TTA8: ViewName[] = ['center', 'hflip', 'vflip', 'rot90', 'rot180', 'rot270', 'crop-tl', 'crop-br'];

function grid(Cs: number[], views: ViewName[], augment: number, trainOn: Candidate['trainOn']): Candidate[] {
  return Cs.map((C) => ({ name: `${views.length}view${augment ? `+aug${augment}` : ''}-${trainOn}-C${C}`, C, views, augment, trainOn }));
}

export function buildPlan(build: BuildKind): BuildPlan {
  if (build === 'quick') {
    return { views: TTA2, augment: 0, candidates: [...grid([0.03, 0.1], ['center'], 0, 'mean'), ...grid([0.03, 0.1], TTA2, 0, 'mean')] };
  }
  return {
    views: TTA8,
    augment: 4,
    candidates: [...grid([0.01, 0.1], TTA8, 0, 'mean'), ...grid([0.01], TTA4, 4, 'mean'), ...grid([0.003, 0.01], TTA8, 4, 'mean')],
  };
}
