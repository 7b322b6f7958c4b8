/**
 * A `text.train` job's serialisation thread (issue 17): after training, the job scores its test part (~0.3 s on
 * jigsaw-10k) and serialises the model into model.bin's bytes (~0.15 s: the terms, tables, weights and the word
 * columns of wordColumns.ts), one after the other on one core, while a plain fit leaves the second core idle. The
 * thread is started when the job starts (it loads while the data is read and the model trains); once training
 * ends it is sent the model's parts (the same terms, idf, look-up tables and weights: `toParts`, as a training
 * thread sends a fitted vectorizer back) and serialises the model it rebuilds from them while the job's thread
 * scores — the same code on the same data, so the bytes are those `model.serialize()` gives here (tested).
 * Without a second core, before the thread is ready, or when it fails, the job's thread serialises as before.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TextClassifierModel } from '../../ml/index.ts';
import type { VectorizerParts } from '../../ml/text/vocabulary.ts';

const BOOTSTRAP = fileURLToPath(new URL('./serializeBootstrap.mjs', import.meta.url));
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './serializeWorker.ts' : './serializeWorker.js', import.meta.url).href; // dist/ runs .js

/** What the thread rebuilds the model from. */
export interface ModelParts {
  mode: TextClassifierModel['mode'];
  labelNames: string[];
  options: TextClassifierModel['options'];
  info: TextClassifierModel['info'];
  linear: TextClassifierModel['linear'];
  vectorizers: VectorizerParts[];
}

export function modelParts(model: TextClassifierModel): ModelParts {
  return {
    mode: model.mode, labelNames: [...model.labelNames], options: model.options, info: model.info, linear: model.linear,
    vectorizers: model.vectorizers.map((v) => v.toParts()),
  };
}

export interface ModelSerializer {
  /**
   * `model.serialize()`'s bytes: worked out on the thread when it is ready (this thread only copies the parts over
   * and goes on), else here, at once. Call it before the work it should overlap.
   */
  serialize(model: TextClassifierModel): Promise<Buffer>;
  /** Stops the thread (never needed for the process to exit: it is unref'd). */
  close(): void;
  /** Whether the thread has loaded and can take a model (tests). */
  readonly ready: boolean;
}

/** Starts the thread (on a one-core machine, none: models are serialised on the calling thread). */
export function startModelSerializer(cores = availableParallelism()): ModelSerializer {
  let worker: Worker | undefined;
  let busy = false;
  // set by the thread once loaded: read here without waiting for an event (training blocks this thread's loop)
  const loaded = new Int32Array(new SharedArrayBuffer(4));
  if (cores > 1) {
    const w = new Worker(BOOTSTRAP, { workerData: { entryUrl: ENTRY, loaded }, execArgv: [] });
    w.unref();
    worker = w;
    const gone = () => { worker = undefined; };
    w.on('error', gone);
    w.on('exit', gone);
  }
  const ready = () => worker !== undefined && !busy && Atomics.load(loaded, 0) === 1;
  return {
    get ready() {
      return ready();
    },
    serialize(model) {
      const w = ready() ? worker : undefined;
      if (!w) return Promise.resolve(model.serialize());
      busy = true; // one model at a time
      const answer = new Promise<{ bytes?: Uint8Array; error?: string } | undefined>((resolve) => {
        const onMessage = (m: { bytes?: Uint8Array; error?: string }) => { done(); resolve(m); };
        const onExit = () => { done(); resolve(undefined); };
        const done = () => { w.off('message', onMessage); w.off('exit', onExit); };
        w.on('message', onMessage);
        w.on('exit', onExit);
      });
      w.postMessage(modelParts(model));
      const bytes = answer.then((m) => {
        busy = false;
        // a failed or lost thread: the same bytes, made here
        if (!m?.bytes) return model.serialize();
        return Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      });
      bytes.catch(() => {}); // the caller may fail (scoring) before it awaits these; it still sees the error then
      return bytes;
    },
    close() {
      void worker?.terminate();
      worker = undefined;
    },
  };
}
