/**
 * The head and its model selection, on backbone embeddings (pure: no I/O). A candidate = a regularisation C,
 * the test-time views whose embeddings are averaged, augmented copies added as extra training rows, and
 * whether training uses one averaged row per image or one row per view. With a linear head, averaging the
 * features of the views equals averaging their logits. Features are standardised (fitted on the training rows
 * only), and the softmax head is class-weighted 'balanced' for the imbalanced labels.
 *
 * Issue 18: a candidate may average heads fitted at several C on the same rows (`Cs`; averaging their coefficients
 * equals averaging their logits, so the result is still one linear head that predict.ts and the ONNX export use
 * unchanged) instead of betting on one C picked by a noisy inner CV, and may average the augmented copies into the
 * test-time rows too (`testAugment`: prediction then embeds the same seeded copies of the query image).
 */
import { fitSoftmaxPath, softmaxLogits, type SoftmaxModel } from '../../ml/linear/softmax.ts';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../../ml/preprocess/standardize.ts';
import type { ViewName } from './pixels/decode.ts';

export interface Candidate {
  name: string;
  /** Regularisation (with `Cs`: the middle member, for reports). */
  C: number;
  /** C ensemble: one head per C on the same rows, coefficients and intercepts averaged. */
  Cs?: readonly number[];
  views: ViewName[];
  augment: number;
  trainOn: 'mean' | 'each';
  /** Prediction rows average the first `augment` augmented copies with the views (test-time augmentation). */
  testAugment?: boolean;
}

/** Augmented copies a candidate averages into its prediction rows. */
export function testCopies(c: Pick<Candidate, 'augment' | 'testAugment'>): number {
  return c.testAugment ? c.augment : 0;
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

/** Prediction rows: the mean of the candidate's views (and of the first `copies` augmented copies), one row per image. */
export function evalRows(f: ImageFeatures, idx: ArrayLike<number>, views: readonly ViewName[], copies = 0): Float32Array {
  const X = new Float32Array(idx.length * f.dim);
  for (let r = 0; r < idx.length; r++) {
    const item = f.items[idx[r]!]!;
    if (item.aug.length < copies) throw new Error(`only ${item.aug.length} augmented copies were embedded, ${copies} asked`);
    meanOf([...pickViews(f, idx[r]!, views), ...item.aug.slice(0, copies)], f.dim, X, r * f.dim);
  }
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

/** Standardise + class-balanced softmax at C, or at each C of a list with the models averaged (one linear head). */
export function fitHead(X: Float32Array, y: Int32Array, n: number, d: number, k: number, C: number | readonly number[]): Head {
  const standardizer = fitStandardizer(X, n, d);
  const models = fitSoftmaxPath(applyStandardizer(standardizer, X, n), y, n, d, k, typeof C === 'number' ? [C] : C, { classWeight: 'balanced', maxIter: 300 });
  return { standardizer, model: averageModels(models) };
}

/** The model whose logits are the mean of the models' logits: coefficients and intercepts averaged. */
export function averageModels(models: readonly SoftmaxModel[]): SoftmaxModel {
  if (models.length === 1) return models[0]!;
  const first = models[0]!;
  const coef = new Float64Array(first.coef.length), intercept = new Float64Array(first.intercept.length);
  for (const m of models) {
    for (let j = 0; j < coef.length; j++) coef[j]! += m.coef[j]! / models.length;
    for (let c = 0; c < intercept.length; c++) intercept[c]! += m.intercept[c]! / models.length;
  }
  return { nFeatures: first.nFeatures, nClasses: first.nClasses, coef, intercept, iterations: Math.max(...models.map((m) => m.iterations)), converged: models.every((m) => m.converged) };
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
    const head = fitHead(t.X, t.y, t.n, f.dim, k, c.Cs ?? c.C);
    const logits = headLogits(head, evalRows(f, testPos.map((r) => idx[r]!), c.views, testCopies(c)), testPos.length);
    testPos.forEach((r, j) => out.set(logits.subarray(j * k, (j + 1) * k), r * k));
  }
  return out;
}
