/**
 * A `text.train` job's evaluation thread (issue 17). After training, the job scores its test part and serialises
 * the model into model.bin's bytes, one after the other on one core, while a plain fit leaves the second core idle;
 * and the scoring ran cold (in V8's interpreter at first): ~0.3 s of the ~0.45 s on jigsaw-10k. So the thread is
 * started with the job, loads while the data is read, and optimises its scoring code while the model trains, on a
 * tiny model fitted on a sample of the training texts (predictWarmUp.ts). When training ends it gets the trained
 * model's scoring parts (tf-idf look-up tables, idf, weights — not the term strings) and the test texts, and scores
 * them while the job's thread serialises the model. Same code on the same float32 parameters, each document's row
 * depending on that document alone: the probabilities are bit for bit those of `model.predict(texts)` here (tested).
 * A thread that is not warm yet (a short job), is on a one-core machine, or fails: the job's thread scores, as before.
 */
import { availableParallelism } from 'node:os';
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

export type EvalMessage = { kind: 'warm'; input: WarmUpInput } | { kind: 'score'; parts: ScoringParts; texts: readonly string[] };

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
   * `model.predict(texts)`, worked out on the thread when it is ready (this thread only copies the parts over and
   * goes on: `here` runs meanwhile), else here after `here`. `here`'s result comes back with the probabilities.
   */
  score<T>(model: TextClassifierModel, texts: readonly string[], here: () => T): Promise<{ scores: Float32Array; here: T }>;
  /** Stops the thread (never needed for the process to exit: it is unref'd). */
  close(): void;
}

/** Starts the thread (on a one-core machine, none). */
export function startEvalThread(cores = availableParallelism()): EvalThread {
  let worker: Worker | undefined;
  let busy = false;
  const state = new Int32Array(new SharedArrayBuffer(4));
  if (cores > 1) {
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
      const answer = new Promise<{ scores?: Float32Array; error?: string } | undefined>((resolve) => {
        const onMessage = (m: { scores?: Float32Array; error?: string }) => { done(); resolve(m); };
        const onExit = () => { done(); resolve(undefined); };
        const done = () => { w.off('message', onMessage); w.off('exit', onExit); };
        w.on('message', onMessage);
        w.on('exit', onExit);
      });
      w.postMessage({ kind: 'score', parts: scoringParts(model), texts } satisfies EvalMessage);
      try {
        const result = here();
        const m = await answer;
        // a failed or lost thread: the same probabilities, worked out here
        return { scores: m?.scores ?? model.predict(texts), here: result };
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
