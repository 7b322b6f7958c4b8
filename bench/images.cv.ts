/**
 * Lesion-grouped cross-validation of our head (StandardScaler + class-balanced multinomial logistic regression from
 * src/ml) on precomputed embeddings, and the scikit-learn peer on the same embeddings and folds.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fitSoftmax, softmaxProba } from '../src/ml/linear/softmax.ts';
import { applyStandardizer, fitStandardizer } from '../src/ml/preprocess/standardize.ts';
import { argmaxRows } from '../src/ml/metrics/classification.ts';
import { balancedAccuracyScore, macroF1Score } from '../src/ml/metrics/multiclass.ts';
import { REPO_ROOT } from './images.data.ts';

/** n × views × d float32, view 0 = centre. */
export interface Embeddings {
  n: number;
  views: number;
  d: number;
  data: Float32Array;
}

export interface Variant {
  name: string;
  /** 'center': one row per image; 'each': one row per view (the views as train-time augmentation). */
  train: 'center' | 'each';
  /** 'center': the centre view; 'mean-proba': probabilities averaged over the views. */
  test: 'center' | 'mean-proba';
  /** Peer only (images.peer.py): training rows / averaged prediction rows as view indices, and a C ensemble. */
  trainViews?: number[];
  testViews?: number[];
  Cs?: number[];
}

export interface CvResult {
  proba: Float64Array;
  fitSeconds: number;
  balancedAccuracy: number;
  macroF1: number;
  /** Balanced accuracy of each fold's own test part. */
  perFold: number[];
  iterations: number[];
  notConverged: number;
}

function rowsOf(E: Embeddings, idx: readonly number[], view: number | 'each'): Float32Array {
  const { d, views } = E;
  const nv = view === 'each' ? views : 1;
  const X = new Float32Array(idx.length * nv * d);
  idx.forEach((i, r) => {
    for (let v = 0; v < nv; v++) {
      const src = (i * views + (view === 'each' ? v : view)) * d;
      X.set(E.data.subarray(src, src + d), (r * nv + v) * d);
    }
  });
  return X;
}

export function scores(truth: ArrayLike<number>, proba: Float64Array, k: number): { balancedAccuracy: number; macroF1: number } {
  const pred = argmaxRows(proba, k);
  return { balancedAccuracy: balancedAccuracyScore(truth, pred, k), macroF1: macroF1Score(truth, pred, k) };
}

/** Out-of-fold probabilities of our head for one variant. */
export function crossValidate(E: Embeddings, y: ArrayLike<number>, folds: Int32Array, k: number, C: number, variant: Variant): CvResult {
  const { n, d, views } = E;
  const proba = new Float64Array(n * k);
  const nFolds = Math.max(...folds) + 1;
  let fitSeconds = 0, notConverged = 0;
  const perFold: number[] = [], iterations: number[] = [];
  for (let f = 0; f < nFolds; f++) {
    const tr: number[] = [], te: number[] = [];
    for (let i = 0; i < n; i++) (folds[i] === f ? te : tr).push(i);
    const Xtr = rowsOf(E, tr, variant.train === 'each' ? 'each' : 0);
    const rep = variant.train === 'each' ? views : 1;
    const ytr = new Int32Array(tr.length * rep);
    tr.forEach((i, r) => ytr.fill(y[i], r * rep, (r + 1) * rep));
    const t0 = performance.now();
    const st = fitStandardizer(Xtr, ytr.length, d);
    const model = fitSoftmax(applyStandardizer(st, Xtr, ytr.length), ytr, ytr.length, d, k, { C, classWeight: 'balanced' });
    fitSeconds += (performance.now() - t0) / 1000;
    iterations.push(model.iterations);
    if (!model.converged) notConverged++;
    const testViews = variant.test === 'center' ? [0] : Array.from({ length: views }, (_, v) => v);
    const P = new Float64Array(te.length * k);
    for (const v of testViews) {
      const pv = softmaxProba(model, applyStandardizer(st, rowsOf(E, te, v), te.length), te.length);
      for (let q = 0; q < P.length; q++) P[q] += pv[q] / testViews.length;
    }
    te.forEach((i, r) => proba.set(P.subarray(r * k, (r + 1) * k), i * k));
    perFold.push(balancedAccuracyScore(te.map((i) => y[i]), argmaxRows(P, k), k));
  }
  return { proba, fitSeconds, ...scores(y, proba, k), perFold, iterations, notConverged };
}

export interface PeerVariant {
  proba: number[];
  fit_seconds: number;
  n_iter: number[];
  balanced_accuracy: number;
  macro_f1: number;
}

export interface PeerResult {
  sklearn: string;
  variants: Record<string, PeerVariant>;
}

export const PYTHON = '/usr/bin/python3';

export function peerAvailable(): boolean {
  return existsSync(PYTHON);
}

/** Runs bench/images.peer.py on the same embeddings and folds. */
export async function runPeer(dir: string, E: Embeddings, y: ArrayLike<number>, folds: Int32Array, k: number, C: number, maxIter: number, variants: Variant[]): Promise<PeerResult> {
  const embFile = join(dir, 'embeddings.f32'), specFile = join(dir, 'spec.json');
  writeFileSync(embFile, Buffer.from(E.data.buffer, E.data.byteOffset, E.data.byteLength));
  writeFileSync(specFile, JSON.stringify({ n: E.n, views: E.views, d: E.d, k, labels: Array.from(y), folds: Array.from(folds), C, maxIter, variants }));
  const { stdout } = await promisify(execFile)(PYTHON, [join(REPO_ROOT, 'bench', 'images.peer.py'), embFile, specFile], {
    maxBuffer: 64 << 20, timeout: 20 * 60_000, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  return JSON.parse(stdout) as PeerResult;
}
