/**
 * Fits the stacked model of stack.ts: every base model on every inner fold (independent tasks, run on `threads`
 * threads by parallelTrain.ts), the per-label combiner on their held-out logits, and the bases' final weights —
 * the inner folds' models averaged (bagging) or, with stackRefit, refitted on all rows — folded into one model.
 */
import { csrFromDense, type Csr } from '../sparse/csr.ts';
import { fitLogisticRegression, type FitInfo, type LinearModel } from '../linear/logreg.ts';
import { addScaledInto, foldBases, innerFolds, scaledModel, type BaseFitOptions, type PlacedModel } from './stack.ts';
import { baseOffset, baseWidth, INFO, taskCount, type BaseSpec, type StackJob } from './stackTasks.ts';
import { runStackJob, shareJob } from './parallelTrain.ts';

export interface StackOptions extends BaseFitOptions {
  /** Index of the word block in `blocks` (the NB model's features), or -1 for no NB model. */
  nbBlock: number;
  /** Word-only and char-only models (blocks 0 and 1) as bases instead of one model over both: a per-label blend. */
  splitBlocks?: boolean;
  /** Inner folds for the combiner's training scores; 0 = no combiner (base logits are averaged). */
  stackFolds: number;
  /** Inverse regularisation of the combiner. */
  stackC: number;
  /**
   * true: refit the base models on all rows after the inner folds (about stackFolds + 1 fits); false: the base
   * models are the average of the inner folds' models (bagging; stackFolds − 1 data-equivalents of fitting).
   */
  stackRefit: boolean;
  /** Threads (this one included) that run the fits; the model does not depend on it. Default 1. */
  threads?: number;
  onProgress?: (fraction: number) => void;
}

export function baseSpecs(nBlocks: number, o: Pick<StackOptions, 'nbBlock' | 'splitBlocks'>): BaseSpec[] {
  const specs: BaseSpec[] = o.splitBlocks && nBlocks === 2
    ? [{ kind: 'lr', block: 0, nBlocks: 1 }, { kind: 'lr', block: 1, nBlocks: 1 }]
    : [{ kind: 'lr', block: 0, nBlocks }];
  if (o.nbBlock >= 0) specs.push({ kind: 'nb', block: o.nbBlock, nBlocks: 1 });
  return specs;
}

function newJob(blocks: readonly Csr[], Y: Uint8Array, L: number, bases: BaseSpec[], folds: Int32Array | null, k: number, o: StackOptions): StackJob {
  const weights = Array.from({ length: bases.length * k }, (_, t) => new Float32Array((baseWidth(blocks, bases[t % bases.length]!) + 1) * L));
  const job: StackJob = {
    blocks: [...blocks], Y, L, bases, folds, k, fit: { C: o.C, classWeight: o.classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed },
    weights, Z: new Float32Array(folds ? blocks[0]!.nRows * bases.length * L : 0), info: new Float64Array(INFO * taskCount({ bases, k })),
  };
  return (o.threads ?? 1) > 1 ? shareJob(job) : job;
}

const modelOf = (w: Float32Array, nFeatures: number, L: number): LinearModel => ({ nFeatures, nLabels: L, weights: w, interceptScaling: 1 });

/** The base models (and, with stackFolds ≥ 2, the combiner fitted on their inner out-of-fold logits) as one model. */
export function fitStackedModel(blocks: readonly Csr[], Y: Uint8Array, L: number, o: StackOptions): { model: LinearModel; info: FitInfo; taskThreads: number[] } {
  const n = blocks[0]!.nRows, k = o.stackFolds, bases = baseSpecs(blocks.length, o), M = bases.length, threads = o.threads ?? 1;
  const d = blocks.reduce((s, b) => s + b.nCols, 0);
  const phases = k >= 2 && o.stackRefit ? 2 : 1;
  let phase = 0;
  const onTask = (f: number) => o.onProgress?.((phase + f) / phases);
  let A: Float32Array | null = null, final: StackJob, finalK = 1;
  const ran: StackJob[] = [];
  if (k >= 2) {
    const job = newJob(blocks, Y, L, bases, innerFolds(n, k, o.seed), k, o);
    runStackJob(job, threads, o.signal, onTask);
    ran.push(job);
    const fit = fitLogisticRegression(csrFromDense(job.Z, n, M * L), Y, L, { C: o.stackC, maxEpochs: 15, tol: 0.05, seed: o.seed, signal: o.signal });
    A = fit.model.weights; // (M·L + 1) × L, bias row last with interceptScaling 1
    final = job;
    finalK = k;
    phase++;
  }
  if (k < 2 || o.stackRefit) {
    final = newJob(blocks, Y, L, bases, null, 1, o);
    finalK = 1;
    runStackJob(final, threads, o.signal, onTask);
    ran.push(final);
  }
  const placed: PlacedModel[] = bases.map((b, m) => {
    const width = baseWidth(blocks, b);
    let acc: LinearModel | null = null;
    for (let f = 0; f < finalK; f++) {
      const x = modelOf(final!.weights[f * M + m]!, width, L);
      if (!acc) acc = scaledModel(x, 1 / finalK);
      else addScaledInto(acc, x, 1 / finalK);
    }
    return { model: acc!, from: baseOffset(blocks, b) };
  });
  const t = (finalK - 1) * M, info = final!.info; // the fit info of the last fit of the first base
  const taskThreads = ran.flatMap((j) => Array.from({ length: taskCount(j) }, (_, i) => j.info[INFO * i + 3]!));
  return { taskThreads, model: foldBases(placed, d, A), info: { epochs: info[INFO * t]!, converged: info[INFO * t + 1] === 1, maxViolation: info[INFO * t + 2]! } };
}
