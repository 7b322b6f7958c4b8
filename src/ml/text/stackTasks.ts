/**
 * The unit of work of stacked training: one base model fitted on one inner fold's training rows, plus its logits on
 * that fold's held-out rows. A job's tasks are independent and each writes only its own slots of the job's output
 * arrays, so the main thread and worker threads may run them in any order and the result is the same, bit for
 * bit, as running them in order on one thread (parallelTrain.ts; tested in stackFit.test.ts).
 */
import { threadId } from 'node:worker_threads';
import { sliceRows, type Csr } from '../sparse/csr.ts';
import { decisionFunction, fitLogisticRegression, type LinearModel } from '../linear/logreg.ts';
import { fitNbModel, type BaseFitOptions } from './stack.ts';

/** A base model: plain logistic regression or NB-LR over a run of adjacent feature blocks. */
export interface BaseSpec {
  kind: 'lr' | 'nb';
  /** First block and the number of adjacent blocks it scores. */
  block: number;
  nBlocks: number;
}

/** Everything a task reads and writes; typed arrays over SharedArrayBuffers when threads share the job. */
export interface StackJob {
  blocks: Csr[];
  Y: Uint8Array;
  L: number;
  bases: BaseSpec[];
  /** Inner fold per row, or null: every task fits on all rows (no held-out logits). */
  folds: Int32Array | null;
  k: number;
  fit: Omit<BaseFitOptions, 'signal'>;
  /** Per task t = fold · nBases + base: the fitted weights ((features + 1) × L, interceptScaling 1). */
  weights: Float32Array[];
  /** Held-out logits, rows × (nBases · L): base m's label l at column m · L + l. */
  Z: Float32Array;
  /** Per task: epochs, converged (0/1), max violation of the solver, and the id of the thread that ran it (0 = main). */
  info: Float64Array;
}

/** Numbers per task in StackJob.info. */
export const INFO = 4;

export function baseWidth(blocks: readonly Csr[], b: BaseSpec): number {
  return blocks.slice(b.block, b.block + b.nBlocks).reduce((s, x) => s + x.nCols, 0);
}

export function baseOffset(blocks: readonly Csr[], b: BaseSpec): number {
  return blocks.slice(0, b.block).reduce((s, x) => s + x.nCols, 0);
}

export function taskCount(job: Pick<StackJob, 'bases' | 'k'>): number {
  return job.bases.length * job.k;
}

export function runStackTask(job: StackJob, t: number, signal?: AbortSignal): void {
  const M = job.bases.length, f = Math.floor(t / M), m = t % M, spec = job.bases[m]!, L = job.L;
  const own = job.blocks.slice(spec.block, spec.block + spec.nBlocks), n = own[0]!.nRows;
  const tr: number[] = [], te: number[] = [];
  if (job.folds) for (let i = 0; i < n; i++) (job.folds[i] === f ? te : tr).push(i);
  const trainBlocks = job.folds ? own.map((b) => sliceRows(b, tr)) : own;
  let Ytr = job.Y;
  if (job.folds) {
    Ytr = new Uint8Array(tr.length * L);
    tr.forEach((i, r) => Ytr.set(job.Y.subarray(i * L, (i + 1) * L), r * L));
  }
  let model: LinearModel;
  if (spec.kind === 'nb') {
    if (spec.nBlocks !== 1) throw new Error('stacking: an NB base scores exactly one block');
    model = fitNbModel(trainBlocks[0]!, Ytr, L, { ...job.fit, signal });
    job.info.set([0, 0, 0, threadId], INFO * t);
  } else {
    const fit = fitLogisticRegression(trainBlocks, Ytr, L, { ...job.fit, signal, interceptScaling: 1 });
    model = fit.model;
    job.info.set([fit.info.epochs, fit.info.converged ? 1 : 0, fit.info.maxViolation, threadId], INFO * t);
  }
  job.weights[t]!.set(model.weights);
  if (!job.folds) return;
  const z = decisionFunction(model, own.map((b) => sliceRows(b, te))), width = M * L;
  te.forEach((i, r) => job.Z.set(z.subarray(r * L, (r + 1) * L), i * width + m * L));
}
