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

/**
 * Runs every task of `job`; with threads ≥ 2 the job must come from shareJob. onTask is called on this thread
 * with the fraction of tasks done after each task it ran. Every task index is claimed exactly once, by this thread
 * or a worker; after a failure or an abort the remaining claims are skipped (still counted), so the wait ends.
 */
export function runStackJob(job: StackJob, threads: number, signal?: AbortSignal, onTask?: (fraction: number) => void): void {
  const n = taskCount(job);
  const control = new Int32Array(new SharedArrayBuffer(16));
  const helpers = threads > 1 ? workers.slice(0, threads - 1) : [];
  const ports = helpers.map((w) => {
    const { port1, port2 } = new MessageChannel();
    w.postMessage({ job, control, port: port2 }, [port2]);
    return port1;
  });
  let error: unknown = null;
  for (let t; (t = Atomics.add(control, NEXT, 1)) < n;) {
    if (signal?.aborted) Atomics.store(control, ABORTED, 1);
    if (error === null && !Atomics.load(control, ABORTED) && !Atomics.load(control, FAILED)) {
      try {
        runStackTask(job, t, signal);
      } catch (e) {
        error = e;
        Atomics.store(control, ABORTED, 1);
      }
    }
    Atomics.add(control, DONE, 1);
    if (error === null) onTask?.(Atomics.load(control, DONE) / n);
  }
  // the tasks the workers claimed: wait until each has finished
  for (let done; (done = Atomics.load(control, DONE)) < n;) Atomics.wait(control, DONE, done, 1000);
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void stopTrainThreads(), IDLE_MS).unref();
  const failures = ports.map((p) => receiveMessageOnPort(p)?.message).filter((m) => typeof m === 'string');
  for (const p of ports) p.close();
  if (error !== null) throw error;
  if (Atomics.load(control, FAILED)) throw new Error(`training thread failed: ${failures[0] ?? 'unknown error'}`);
  signal?.throwIfAborted();
}
