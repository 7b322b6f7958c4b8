/**
 * Runs a stacked-training job's tasks (stackTasks.ts) on the calling thread and `threads − 1` worker threads at
 * once, and returns when all are done — synchronously, so trainTextClassifier keeps its synchronous API: the
 * caller claims tasks from a shared counter like the workers do, then blocks in Atomics.wait until the workers'
 * tasks are done. A worker that is slow to start simply claims nothing (the caller runs every task), so thread
 * start-up never adds to training time. Workers are started on first use (startTrainThreads, called before the
 * vectorizers run so they boot meanwhile), unref'd, and stopped after IDLE_MS without work.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Csr } from '../sparse/csr.ts';
import { runStackTask, taskCount, type StackJob } from './stackTasks.ts';
import { TfidfVectorizer, type FitHooks, type VectorizerConfig, type VectorizerParts } from './vocabulary.ts';

const BOOTSTRAP = fileURLToPath(new URL('./trainBootstrap.mjs', import.meta.url));
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './trainWorker.ts' : './trainWorker.js', import.meta.url).href; // dist/ runs .js
const IDLE_MS = 30_000;

/** Control words shared with the workers (Int32Array over a SharedArrayBuffer). */
export const NEXT = 0, DONE = 1, FAILED = 2, ABORTED = 3;

/** Threads training uses unless told: two (as the fastText peer), or one on a one-core machine. */
export function defaultTrainThreads(): number {
  return Math.min(2, availableParallelism());
}

let workers: Worker[] = [];
let ready: Promise<unknown>[] = [];
let idleTimer: NodeJS.Timeout | undefined;

/** Starts (or keeps) `threads − 1` worker threads; cheap when they already run. */
export function startTrainThreads(threads: number): void {
  clearTimeout(idleTimer);
  while (workers.length < threads - 1) {
    const w = new Worker(BOOTSTRAP, { workerData: { entryUrl: ENTRY }, execArgv: [] });
    w.unref();
    // a worker that cannot start or dies leaves the pool; the caller runs the tasks it does not claim
    const drop = () => { workers = workers.filter((x) => x !== w); };
    w.on('error', drop);
    w.on('exit', drop);
    workers.push(w);
    ready.push(new Promise((resolve) => { w.once('message', resolve); w.once('error', resolve); }));
  }
}

/** Resolves when every started worker has loaded (or failed to): tests use it to be sure the workers take tasks. */
export async function trainThreadsReady(): Promise<void> {
  await Promise.all(ready);
}

/** Stops the worker threads now (tests; a server stops them by itself after IDLE_MS). */
export async function stopTrainThreads(): Promise<void> {
  clearTimeout(idleTimer);
  const all = workers;
  workers = [];
  ready = [];
  await Promise.all(all.map((w) => w.terminate()));
}

function shareArray<T extends Int32Array | Float32Array | Uint8Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const C = a.constructor as new (b: SharedArrayBuffer) => T;
  const s = new C(new SharedArrayBuffer(a.byteLength));
  s.set(a as never);
  return s;
}

function shareCsr(m: Csr): Csr {
  return { nRows: m.nRows, nCols: m.nCols, indptr: shareArray(m.indptr), indices: shareArray(m.indices), data: shareArray(m.data) };
}

/** A job whose arrays live in SharedArrayBuffers (the outputs included), so threads read and write them in place. */
export function shareJob(job: StackJob): StackJob {
  return {
    ...job, blocks: job.blocks.map(shareCsr), Y: shareArray(job.Y), folds: job.folds && shareArray(job.folds),
    weights: job.weights.map(shareArray), Z: shareArray(job.Z), info: new Float64Array(new SharedArrayBuffer(job.info.byteLength)),
  };
}

/** A job as the workers receive it (trainWorker.ts runs the same task functions as this thread). */
export type WorkerJob = { kind: 'stack'; job: StackJob } | { kind: 'vectorize'; texts: readonly string[]; configs: VectorizerConfig[] };

/** What a worker posts back for a vectorize task (stack tasks write into the job's shared arrays instead). */
export interface VectorizeResult {
  t: number;
  parts: VectorizerParts;
  matrix: Csr;
}

export function taskTotal(w: WorkerJob): number {
  return w.kind === 'stack' ? taskCount(w.job) : w.configs.length;
}

/**
 * Runs every task of `w` here and on the workers: task indices are claimed from a shared counter, each exactly
 * once; after a failure or an abort the remaining claims are skipped (still counted), so the wait ends. Returns
 * the messages the workers posted (their results and failures), read synchronously from their ports.
 */
function runShared(w: WorkerJob, threads: number, runLocal: (t: number) => void, signal?: AbortSignal): unknown[] {
  const n = taskTotal(w);
  const control = new Int32Array(new SharedArrayBuffer(16));
  const helpers = threads > 1 ? workers.slice(0, threads - 1) : [];
  const ports = helpers.map((worker) => {
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ w, control, port: port2 }, [port2]);
    return port1;
  });
  let error: unknown = null;
  for (let t; (t = Atomics.add(control, NEXT, 1)) < n;) {
    if (signal?.aborted) Atomics.store(control, ABORTED, 1);
    if (error === null && !Atomics.load(control, ABORTED) && !Atomics.load(control, FAILED)) {
      try {
        runLocal(t);
      } catch (e) {
        error = e;
        Atomics.store(control, ABORTED, 1);
      }
    }
    Atomics.add(control, DONE, 1);
  }
  // the tasks the workers claimed: wait until each has finished (a worker posts its result before counting it done)
  for (let done; (done = Atomics.load(control, DONE)) < n;) Atomics.wait(control, DONE, done, 1000);
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void stopTrainThreads(), IDLE_MS).unref();
  const messages: unknown[] = [];
  for (const p of ports) {
    for (let m; (m = receiveMessageOnPort(p));) messages.push(m.message);
    p.close();
  }
  if (error !== null) throw error;
  if (Atomics.load(control, FAILED)) {
    const failure = messages.find((m) => typeof m === 'string');
    throw new Error(`training thread failed: ${typeof failure === 'string' ? failure : 'unknown error'}`);
  }
  signal?.throwIfAborted();
  return messages;
}

/** Runs every task of a stack job; with threads ≥ 2 the job must come from shareJob. */
export function runStackJob(job: StackJob, threads: number, signal?: AbortSignal, onTask?: (fraction: number) => void): void {
  let done = 0;
  const n = taskCount(job);
  runShared({ kind: 'stack', job }, threads, (t) => {
    runStackTask(job, t, signal);
    onTask?.(++done / n);
  }, signal);
}

/**
 * Fits one vectorizer per config on `texts` (sklearn's fit_transform), the configs side by side on the threads: a
 * worker sends its vectorizer back as parts (the same terms, idf and lookup table), so the result does not depend
 * on which thread fitted which block. hooks apply to the blocks fitted on this thread.
 */
export function fitVectorizers(texts: readonly string[], configs: VectorizerConfig[], threads: number, hooks: (b: number) => FitHooks): { vectorizer: TfidfVectorizer; matrix: Csr }[] {
  const out: ({ vectorizer: TfidfVectorizer; matrix: Csr } | undefined)[] = configs.map(() => undefined);
  // the costly char block first: this thread starts on it, a worker that arrives meanwhile takes the word block
  const order = configs.map((_, b) => b).sort((a, b) => Number(configs[b]!.analyzer === 'char_wb') - Number(configs[a]!.analyzer === 'char_wb'));
  const ordered = order.map((b) => configs[b]!);
  const useWorkers = threads > 1 && configs.length > 1 && workers.length > 0;
  const messages = runShared({ kind: 'vectorize', texts: useWorkers ? texts : [], configs: ordered }, useWorkers ? threads : 1, (t) => {
    out[order[t]!] = TfidfVectorizer.fitTransform(texts, ordered[t]!, hooks(order[t]!));
  }, hooks(0).signal);
  for (const m of messages) {
    if (typeof m === 'string') continue;
    const r = m as VectorizeResult;
    out[order[r.t]!] = { vectorizer: TfidfVectorizer.fromParts(r.parts), matrix: r.matrix };
  }
  return out.map((r, b) => {
    if (!r) throw new Error(`training thread failed: block ${b} was not fitted`);
    return r;
  });
}
