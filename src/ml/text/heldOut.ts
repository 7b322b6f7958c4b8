/**
 * The held-out evaluation's features, built on a second thread while the model trains (issue 17). Training without
 * the stacked model runs on one thread, and the test documents' tf-idf rows need only the fitted vectorizers, which
 * exist once the features are fitted — before the solver runs (~30–40 % of training). So the test texts go to a
 * worker thread when training starts (it starts meanwhile), the fitted vectorizers' look-up tables and idf when they
 * exist (`onVectorizers`, trainTextClassifier's hook), and the worker transforms the test texts while this thread
 * runs the solver. Most of a transform is hashing each text's n-grams, which needs no vocabulary: the worker does
 * that while the features are fitted, so little is left for the solver's window. `predict` then only applies the
 * linear model: the same transform and the same `predictProba` as `TextClassifierModel.predict`, so the scores are
 * identical, bit for bit (before: ~0.2 s of transform after training on jigsaw-10k's 2,000 test documents).
 *
 * It is meant for a core nothing else wants: it starts only when one looks idle (`secondCoreIdle`: training on one
 * thread, and a core measured idle while the job read its data), runs ten nice steps below the training thread (on
 * Linux, per thread), and `predict` never waits for it — a block the worker has not delivered by then (it started
 * late, was starved, failed, or there is no worker: one core, a busy machine, a small test set) is transformed here,
 * as before. Its results are read synchronously from its port (receiveMessageOnPort).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Csr } from '../sparse/csr.ts';
import { predictProba } from '../linear/logreg.ts';
import type { TextClassifierModel } from './classifier.ts';
import { isStacked, resolveTextClassifierOptions, vectorizerConfigs, type TextClassifierOptions } from './options.ts';
import type { TfidfVectorizer, VectorizerConfig } from './vocabulary.ts';

const BOOTSTRAP = fileURLToPath(new URL('./trainBootstrap.mjs', import.meta.url));
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './heldOutWorker.ts' : './heldOutWorker.js', import.meta.url).href; // dist/ runs .js

/**
 * Below this many test documents the thread is not worth starting: its start-up (~50–100 ms of CPU on the other core)
 * costs more than transforming them here (jigsaw-10k's 2,000 take ~0.15–0.2 s).
 */
export const HELD_OUT_THREAD_MIN_DOCS = 500;

/** The machine's idle CPU time so far (ms, summed over its CPUs, from os.cpus(): 10 ms ticks on Linux). */
export interface CpuSample {
  at: number;
  idleMs: number;
}

export function cpuSample(): CpuSample {
  return { at: performance.now(), idleMs: cpus().reduce((sum, c) => sum + c.times.idle, 0) };
}

/** Below this window the 10 ms ticks say too little, and the 1-minute load average decides. */
const MIN_WINDOW_MS = 40;

/**
 * Whether the thread would get a core of its own: more than one core, training on one thread (the stacked model's
 * fits take two), and at least half of the other cores idle — measured over the window from `since` (the job's
 * start: reading the data, when this job uses one core) to now, else (no or too short a window) a 1-minute load
 * average ≤ cores − 1, which lags: right after other heavy work it says busy. Measured on jigsaw-10k through the CLI
 * (8 alternating pairs, quiet machine, load 1.1–1.4): wall −0.08 s, the evaluation step 0.26 → 0.15 s, training +0.05 s; at load ~7 the
 * thread slowed training by 0.4–2.6 s instead, so there it is not started.
 */
export function secondCoreIdle(
  train: Partial<TextClassifierOptions> | undefined,
  since?: CpuSample,
  now: CpuSample = cpuSample(),
  cores = availableParallelism(),
  load = loadavg()[0]!,
): boolean {
  if (cores < 2 || isStacked(resolveTextClassifierOptions(train))) return false;
  const window = since ? now.at - since.at : 0;
  // the job's thread is busy over the window (the process's other threads a little): half the rest idle is enough
  // (a jigsaw-10k CLI run on a quiet machine: 40 ms idle in a 59 ms window; another busy process leaves ~0)
  if (since && window >= MIN_WINDOW_MS) return (now.idleMs - since.idleMs) / window >= 0.5 * (cores - 1);
  return load <= cores - 1;
}

/** How a block splits texts into n-grams: all the worker needs to hash them before the vocabulary exists. */
export type Analysis = Pick<VectorizerConfig, 'analyzer' | 'lowercase' | 'ngramRange'>;

/** The analyses trainTextClassifier's blocks will use with these options (word block first, as it fits them). */
export function analysesOf(options?: Partial<TextClassifierOptions>): Analysis[] {
  return vectorizerConfigs(resolveTextClassifierOptions(options)).map(({ analyzer, lowercase, ngramRange }) => ({ analyzer, lowercase, ngramRange }));
}

/**
 * What the worker receives (heldOutWorker.ts): the texts, the port for its results and the expected analyses first
 * (it hashes the texts' n-grams while the vocabulary is fitted), then the vectorizers.
 */
export type HeldOutMessage =
  | { kind: 'texts'; texts: readonly string[]; port: MessagePort; analyses: Analysis[] }
  | { kind: 'blocks'; blocks: HeldOutBlock[] };

/** A fitted vectorizer as transform needs it: settings, idf and the look-up table's slots (not the terms). */
export interface HeldOutBlock {
  config: VectorizerConfig;
  idf: Float32Array;
  slots: { hot: Int32Array; cold: Int32Array; hotCap: number; size: number };
}

/** What the worker posts back per block (the matrix's arrays transferred). */
export type HeldOutResult = { t: number; matrix: Csr } | { t: number; error: string };

export interface HeldOutScoring {
  /** trainTextClassifier's `onVectorizers`: hands the fitted vectorizers to the worker (copies a few MB). */
  onVectorizers(vectorizers: readonly TfidfVectorizer[]): void;
  /** The test texts' probabilities under `model` (= model.predict(texts)); stops the worker. */
  predict(model: TextClassifierModel): Float32Array;
  /** Stops the worker (training failed or was cancelled); idempotent. */
  close(): void;
  /** How many blocks' matrices the worker has delivered (and `predict` has not yet taken): tests. */
  delivered(): number;
}

/**
 * Starts the held-out featurization of `texts` (on a worker thread when a second core is idle and there are enough
 * texts). Call `onVectorizers` from training, then `predict` with the trained model, or `close` when training fails.
 */
export function heldOutScoring(texts: readonly string[], options: { thread?: boolean; train?: Partial<TextClassifierOptions>; since?: CpuSample } = {}): HeldOutScoring {
  const useThread = options.thread ?? (texts.length >= HELD_OUT_THREAD_MIN_DOCS && secondCoreIdle(options.train, options.since));
  let worker: Worker | undefined;
  let port: MessagePort | undefined;
  let posted = false;
  const matrices = new Map<number, Csr>();
  if (useThread) {
    const channel = new MessageChannel();
    port = channel.port1;
    worker = new Worker(BOOTSTRAP, { workerData: { entryUrl: ENTRY }, execArgv: [] });
    worker.unref();
    worker.on('error', () => close()); // its blocks are transformed here
    worker.postMessage({ kind: 'texts', texts, port: channel.port2, analyses: analysesOf(options.train) } satisfies HeldOutMessage, [channel.port2]);
  }
  /** Takes what the worker has posted so far. */
  const drain = () => {
    if (!port || !posted) return;
    for (let m; (m = receiveMessageOnPort(port));) {
      const r = m.message as HeldOutResult;
      if ('matrix' in r) matrices.set(r.t, r.matrix);
    }
  };
  const close = () => {
    const w = worker;
    worker = undefined;
    port?.close();
    port = undefined;
    if (w) void w.terminate();
  };
  return {
    onVectorizers(vectorizers) {
      if (!worker) return;
      const blocks = vectorizers.map((v): HeldOutBlock => {
        const { hot, cold, hotCap, size } = v.lookupTable.slots();
        return { config: v.config, idf: v.idf, slots: { hot, cold, hotCap, size } };
      });
      // structured clone copies the arrays: this thread keeps using its own
      worker.postMessage({ kind: 'blocks', blocks } satisfies HeldOutMessage);
      posted = true;
    },
    predict(model) {
      drain();
      close();
      // the blocks the worker delivered, the rest (and a shape block) transformed here: the columns predict scores
      const out = model.blocks(texts, matrices);
      matrices.clear();
      return predictProba(model.linear, out, model.mode);
    },
    close,
    delivered() {
      drain();
      return matrices.size;
    },
  };
}
