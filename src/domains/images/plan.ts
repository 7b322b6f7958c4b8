/**
 * What each build tries. Quick: centre + horizontal flip, a small C grid, one row per image or per view —
 * chosen by grouped CV. Standard: 4- and 8-view test-time augmentation, train-time augmented copies, a wider
 * C grid. Grids were set from lesion-grouped CV on the HAM10000 sample (see README.md).
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
    return { views: TTA2, augment: 0, candidates: [...grid([0.01, 0.03, 0.1], TTA2, 0, 'mean'), ...grid([0.01, 0.03, 0.1], TTA2, 0, 'each')] };
  }
  const Cs = [0.003, 0.01, 0.03, 0.1, 0.3];
  return {
    views: TTA8,
    augment: 4,
    candidates: [...grid(Cs, TTA4, 0, 'mean'), ...grid(Cs, TTA8, 0, 'mean'), ...grid(Cs, TTA4, 4, 'mean'), ...grid(Cs, TTA8, 4, 'mean')],
  };
}
