/**
 * The worker-thread pool that scores text (piscina): CPU-bound analysis and scoring run off the event loop, which
 * keeps only I/O. Threads start on first use and load each model once (scoringWorker.ts). The pool's own queue is
 * never used for back-pressure: the dispatcher in front of it (batcher.ts) keeps at most `threads` batches in
 * flight and bounds what waits.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { warmUpTextScoring } from '../../ml/text/warmUp.ts';
import type { TextPredictor } from './predictor.ts';
import { warmUpResultLines } from './resultLines.ts';
import type { ScoreTask } from './scoringWorker.ts';

const BOOTSTRAP = fileURLToPath(new URL('./scoringBootstrap.mjs', import.meta.url));
/** piscina loads with the first pool (~15 ms of start-up): a one-shot `text train` never starts one (issue 17). */
const loadPiscina = () => (createRequire(import.meta.url)('piscina') as { Piscina: typeof Piscina }).Piscina;
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './scoringWorker.ts' : './scoringWorker.js', import.meta.url).href; // dist/ runs .js

export interface ScoringPool {
  readonly threads: number;
  /**
   * Probabilities, texts × labels, scored on a pool thread; with `p.chunks` (a batch's shared work) the thread scores
   * the chunks of `texts` it claims into `p.chunks.scores` and answers an empty array.
   */
  score(p: TextPredictor, texts: string[]): Promise<Float32Array>;
  /** The texts' sentence embeddings (texts × ENCODER_DIM), computed on a pool thread (sentenceEncoder.ts). */
  embed(texts: string[]): Promise<Float32Array>;
  /** Starts the pool (`start`, once) and loads the model on every thread (a request then never pays the load). */
  warm(p: TextPredictor): Promise<void>;
  /**
   * Starts every thread and waits until each can take a task (what the first request would otherwise wait for);
   * each thread also runs its scoring code once on a tiny built-in model, so its first real documents are scored by
   * optimised code (scoringWorker.ts, warmUp.ts). This thread, which scores a batch job's chunks too and writes its
   * lines, warms its scorer and line writer meanwhile (resultLines.ts `warmUpResultLines`). Once per pool; later
   * calls wait for the first.
   */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** `SAGEBRUSH_SCORING_THREADS` unset: one thread per core but the one the event loop needs, at least one. */
export function defaultScoringThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * `onError` takes what piscina reports outside any task (an answer arriving after close(), a thread that failed
 * while idle and was replaced); without a listener such an 'error' event would end the process.
 */
export function createScoringPool(threads: number, onError: (err: Error) => void = (e) => process.emitWarning(e)): ScoringPool {
  let pool: Piscina | undefined;
  const get = () =>
    (pool ??= new (loadPiscina())({
      filename: BOOTSTRAP,
      workerData: { entryUrl: ENTRY },
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // more tasks wait in the thread's own port: the next starts the moment one ends, not a main-thread turn later
      // (the real-time batcher keeps one per thread; a batch's shared task or a warm-up may overlap with it)
      concurrentTasksPerWorker: 3,
      // no execArgv: the parent's loader flags (tsx, vitest) do not belong in the thread; the bootstrap registers tsx
      execArgv: [],
    }).on('error', onError));
  // the checked look-up filters go with the tasks that load a model on a thread (a batch's, warm()'s), not with every
  // real-time request's: a thread loads a model once, and posting shared memory costs a little each time
  const run = (p: TextPredictor, texts: string[], load = p.chunks !== undefined) =>
    get().run({ modelId: p.modelId, key: p.key, bytes: p.bytes, texts, ...(load ? { filters: p.classifier.lookupFilters() } : {}), ...(p.chunks ? { chunks: p.chunks } : {}) } satisfies ScoreTask) as Promise<Float32Array>;
  let started: Promise<void> | undefined;
  const start = () =>
    (started ??= (async () => {
      const ping = { modelId: '', key: '', bytes: new SharedArrayBuffer(0), texts: [] } satisfies ScoreTask;
      const pings = Promise.all(Array.from({ length: threads }, () => get().run(ping)));
      warmUpThisThread(); // while the threads warm up
      await pings;
    })().catch((err: unknown) => {
      started = undefined; // a failed start is tried again by the next call
      throw err;
    }));
  return {
    threads,
    score: (p, texts) => run(p, texts),
    embed: (texts) => get().run({ modelId: '', key: '', bytes: new SharedArrayBuffer(0), texts, embed: true } satisfies ScoreTask) as Promise<Float32Array>,
    async warm(p) {
      await start();
      // with every thread idle, piscina hands one task to each
      await Promise.all(Array.from({ length: threads }, () => run(p, ['warm up'], true)));
    },
    start,
    async close() {
      const p = pool;
      pool = undefined;
      started = undefined;
      await p?.destroy();
    },
  };
}

let thisThreadWarm = false;

/** Whether this thread's scorer and line writer have been warmed (`warmUpThisThread`). */
export const thisThreadWarmed = (): boolean => thisThreadWarm;

/** The scorer's and the line writer's JIT warm-up on this thread, once per thread (see `ScoringPool.start`). */
export function warmUpThisThread(): void {
  if (thisThreadWarm) return;
  thisThreadWarm = true;
  warmUpTextScoring();
  warmUpResultLines();
}
