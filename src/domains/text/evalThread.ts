/**
 * A `text.train` job's evaluation thread (issue 17). After training, the job scores its test part and serialises
 * the model into model.bin's bytes, one after the other on one core, while a plain fit leaves the second core idle;
 * and the scoring ran cold (in V8's interpreter at first): ~0.3 s of the ~0.45 s on jigsaw-10k. So the thread is
 * started with the job, loads while the data is read, and optimises its scoring code while the model trains, on a
 * tiny model fitted on a sample of the training texts (predictWarmUp.ts). When training ends it gets the trained
 * model's scoring parts (tf-idf look-up tables, idf, weights — not the term strings) and the test texts, and scores
 * them in chunks it claims from a shared counter while the job's thread serialises the model; the job's thread then
 * claims what is left (on a busy machine the thread may get little time). Same code on the same float32 parameters,
 * each document's row depending on that document alone: the probabilities are bit for bit those of
 * `model.predict(texts)` here (tested). A thread that is not warm yet (a short job), a one-core or busy machine
 * (no thread), or a failed thread: the job's thread scores, as before.
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TextClassifierModel } from '../../ml/index.ts';
import type { VectorizerParts } from '../../ml/text/vocabulary.ts';
import type { WarmUpInput } from './predictWarmUp.ts';

const BOOTSTRAP = fileURLToPath(new URL('./evalBootstrap.mjs', import.meta.url));
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './evalWorker.ts' : './evalWorker.js', import.meta.url).href; // dist/ runs .js
/** The thread's state word: loaded, then warm (the job's thread reads it while training blocks its event loop). */
export const LOADED = 1, WARM = 2;
/** Training texts the warm-up model is fitted on and scores. */
export const WARM_UP_TEXTS = 128;

/** What the thread needs to score: the model without its term strings (scoring never reads them). */
export interface ScoringParts {
  mode: TextClassifierModel['mode'];
  labelNames: string[];
  options: TextClassifierModel['options'];
  info: TextClassifierModel['info'];
  linear: TextClassifierModel['linear'];
  blocks: Omit<VectorizerParts, 'terms'>[];
}

/** One evaluation, shared by both threads: the texts, the chunk claim counter, per-chunk done flags, the probabilities. */
export interface ScoreTask {
  texts: readonly string[];
  next: Int32Array;
  done: Uint8Array;
  scores: Float32Array;
}

export type EvalMessage = { kind: 'warm'; input: WarmUpInput } | ({ kind: 'score'; parts: ScoringParts } & ScoreTask);

/** Documents per claimed chunk: small enough that neither thread waits long for the other's last one. */
export const CHUNK = 64;

/**
 * Scores the chunks of `t.texts` this thread claims until none is left (both threads run this). Each document's
 * row depends on that document alone, so any split gives `model.predict(texts)`'s rows.
 */
export function scoreClaimedChunks(model: Pick<TextClassifierModel, 'predict' | 'nLabels'>, t: ScoreTask): void {
  const n = t.texts.length, L = model.nLabels, chunks = Math.ceil(n / CHUNK);
  for (let c; (c = Atomics.add(t.next, 0, 1)) < chunks;) {
    const a = c * CHUNK;
    t.scores.set(model.predict(t.texts.slice(a, Math.min(n, a + CHUNK))), a * L);
    Atomics.store(t.done, c, 1);
  }
}

export function scoringParts(model: TextClassifierModel): ScoringParts {
  return {
    mode: model.mode, labelNames: [...model.labelNames], options: model.options, info: model.info, linear: model.linear,
    blocks: model.vectorizers.map((v) => ({ config: v.config, idf: v.idf, slots: v.lookupTable.slots() })),
  };
}

export interface EvalThread {
  /** Starts the warm-up on a sample of the training texts (call once, before training). */
  warm(trainTexts: readonly string[], nLabels: number, mode: TextClassifierModel['mode']): void;
  /** Loaded, warm and idle: `score` would hand the texts over. */
  readonly ready: boolean;
  /**
   * `model.predict(texts)`: when the thread is ready, it scores chunks of the texts while `here` runs on this thread,
   * which then scores the chunks the thread has not claimed yet; else all here, after `here`. `here`'s result comes
   * back with the probabilities.
   */
  score<T>(model: TextClassifierModel, texts: readonly string[], here: () => T): Promise<{ scores: Float32Array; here: T }>;
  /** Stops the thread (never needed for the process to exit: it is unref'd). */
  close(): void;
}

/**
 * Starts the thread unless no core is likely free for it: a one-core machine, or a last-minute load average of at
 * least the number of cores (every core busy: the thread's warm-up and scoring would only compete with the job).
 */
export function startEvalThread(cores = availableParallelism(), load = loadavg()[0]!): EvalThread {
  let worker: Worker | undefined;
  let busy = false;
  const state = new Int32Array(new SharedArrayBuffer(4));
  if (cores > 1 && load < cores) {
    const w = new Worker(BOOTSTRAP, { workerData: { entryUrl: ENTRY, state }, execArgv: [] });
    w.unref();
    worker = w;
    const gone = () => { worker = undefined; };
    w.on('error', gone);
    w.on('exit', gone);
  }
  const ready = () => worker !== undefined && !busy && Atomics.load(state, 0) === WARM;
  return {
    warm(trainTexts, nLabels, mode) {
      const texts = trainTexts.slice(0, WARM_UP_TEXTS);
      worker?.postMessage({ kind: 'warm', input: { texts, nLabels, mode } } satisfies EvalMessage);
    },
    get ready() {
      return ready();
    },
    async score(model, texts, here) {
      const w = ready() ? worker : undefined;
      if (!w) {
        const result = here();
        return { scores: model.predict(texts), here: result };
      }
      busy = true; // one evaluation at a time
      const n = texts.length, L = model.nLabels, chunks = Math.ceil(n / CHUNK);
      const task: ScoreTask = {
        texts, next: new Int32Array(new SharedArrayBuffer(4)), done: new Uint8Array(new SharedArrayBuffer(Math.max(1, chunks))),
        scores: new Float32Array(new SharedArrayBuffer(Math.max(1, n * L) * 4)),
      };
      const ended = new Promise<void>((resolve) => {
        const finish = () => { w.off('message', finish); w.off('exit', finish); resolve(); };
        w.on('message', finish);
        w.on('exit', finish);
      });
      w.postMessage({ kind: 'score', parts: scoringParts(model), ...task } satisfies EvalMessage);
      try {
        const result = here();
        // what the thread has not claimed yet is scored here too (a busy machine may give the thread little time)
        scoreClaimedChunks(model, task);
        await ended;
        // chunks the thread claimed but did not finish (it failed or stopped): scored here
        for (let c = 0; c < chunks; c++) {
          if (task.done[c]) continue;
          const a = c * CHUNK;
          task.scores.set(model.predict(texts.slice(a, Math.min(n, a + CHUNK))), a * L);
        }
        return { scores: n * L === 0 ? new Float32Array(0) : new Float32Array(task.scores), here: result };
      } finally {
        busy = false;
      }
    },
    close() {
      void worker?.terminate();
      worker = undefined;
    },
  };
}
