/**
 * The head and its model selection, on backbone embeddings (pure: no I/O). A candidate = a regularisation C,
 * the test-time views whose embeddings are averaged, augmented copies added as extra training rows, and
 * whether training uses one averaged row per image or one row per view. With a linear head, averaging the
 * features of the views equals averaging their logits. Features are standardised (fitted on the training rows
 * only), and the softmax head is class-weighted 'balanced' for the imbalanced labels.
 */
import { fitSoftmax, softmaxLogits, type SoftmaxModel } from '../../ml/linear/softmax.ts';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../../ml/preprocess/standardize.ts';
import type { ViewName } from './pixels/decode.ts';

export interface Candidate {
  name: string;
  C: number;
  views: ViewName[];
  augment: number;
  trainOn: 'mean' | 'each';
}

/** One image's embeddings: one vector per embedded view (in `ImageFeatures.viewNames` order), then the augmented copies. */
export interface ImageFeatures {
  viewNames: ViewName[];
  dim: number;
  items: Array<{ views: Float32Array[]; aug: Float32Array[] }>;
}

export interface Head {
  standardizer: Standardizer;
  model: SoftmaxModel;
}

export function meanOf(vectors: readonly Float32Array[], dim: number, out: Float32Array = new Float32Array(dim), offset = 0): Float32Array {
  for (const v of vectors) for (let j = 0; j < dim; j++) out[offset + j]! += v[j]! / vectors.length;
  return out;
}

function pickViews(f: ImageFeatures, i: number, views: readonly ViewName[]): Float32Array[] {
  return views.map((v) => {
    const at = f.viewNames.indexOf(v);
    if (at < 0) throw new Error(`view ${v} was not embedded`);
    return f.items[i]!.views[at]!;
  });
}

/** Prediction rows: the mean of the candidate's views, one row per image. */
export function evalRows(f: ImageFeatures, idx: ArrayLike<number>, views: readonly ViewName[]): Float32Array {
  const X = new Float32Array(idx.length * f.dim);
  for (let r = 0; r < idx.length; r++) meanOf(pickViews(f, idx[r]!, views), f.dim, X, r * f.dim);
  return X;
}

/** Training rows and labels for a candidate. */
export function trainRows(f: ImageFeatures, idx: ArrayLike<number>, y: ArrayLike<number>, c: Pick<Candidate, 'views' | 'augment' | 'trainOn'>): { X: Float32Array; y: Int32Array; n: number } {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    const views = pickViews(f, i, c.views);
    if (c.trainOn === 'mean') rows.push(meanOf(views, f.dim));
    else rows.push(...views);
    const aug = f.items[i]!.aug.slice(0, c.augment);
    rows.push(...aug);
    const added = (c.trainOn === 'mean' ? 1 : views.length) + aug.length;
    for (let a = 0; a < added; a++) labels.push(y[i]!);
  }
  const X = new Float32Array(rows.length * f.dim);
  rows.forEach((row, r) => X.set(row, r * f.dim));
  return { X, y: Int32Array.from(labels), n: rows.length };
}

export function fitHead(X: Float32Array, y: Int32Array, n: number, d: number, k: number, C: number): Head {
  const standardizer = fitStandardizer(X, n, d);
  const model = fitSoftmax(applyStandardizer(standardizer, X, n), y, n, d, k, { C, classWeight: 'balanced', maxIter: 300 });
  return { standardizer, model };
}

export function headLogits(head: Head, X: Float32Array, n: number): Float64Array {
  return softmaxLogits(head.model, applyStandardizer(head.standardizer, X, n), n);
}

/**
 * Out-of-fold logits over `idx` (positions into the feature list) for the given fold assignment (one fold per
 * entry of idx): each fold is predicted by a head trained on the others.
 */
export function oofLogits(f: ImageFeatures, idx: Int32Array, y: ArrayLike<number>, folds: Int32Array, k: number, c: Candidate, signal?: AbortSignal): Float64Array {
  const nFolds = Math.max(...folds) + 1;
  const out = new Float64Array(idx.length * k);
  for (let fold = 0; fold < nFolds; fold++) {
    signal?.throwIfAborted();
    const trainIdx: number[] = [];
    const testPos: number[] = [];
    for (let r = 0; r < idx.length; r++) (folds[r] === fold ? testPos : trainIdx).push(r);
    if (testPos.length === 0) continue;
    const t = trainRows(f, trainIdx.map((r) => idx[r]!), y, c);
    const head = fitHead(t.X, t.y, t.n, f.dim, k, c.C);
    const logits = headLogits(head, evalRows(f, testPos.map((r) => idx[r]!), c.views), testPos.length);
    testPos.forEach((r, j) => out.set(logits.subarray(j * k, (j + 1) * k), r * k));
  }
  return out;
}
