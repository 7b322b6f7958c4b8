/**
 * Backbone embeddings with a per-image cache in the artifact store, so a rebuild reads vectors instead of
 * decoding images (decoding limits throughput, not inference). One file per (backbone, image, view or
 * augmented copy): `images/embeddings/<backboneId>/<sha[0:2]>/<sha>/<name>.f32`, name = the view
 * (`center`, `hflip`, …) or `aug-s<seed>-c<copy>`. Each file = 8-byte header (format/preprocessing version,
 * dim) + little-endian float32 values; a header mismatch is a cache miss, so changing preprocessing
 * only needs a version bump.
 *
 * Each image is decoded once per call; the next images decode (libvips threads) while the backbone runs
 * on the current batch.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError, isAppError } from '../../../core/errors.ts';
import { createModelCache, type ModelCache } from '../../../runtimes/modelCache.ts';
import { openOnnxSession, type OnnxSession } from '../../../runtimes/onnx.ts';
import type { ArtifactStore } from '../../../storage/artifacts/types.ts';
import { multiLayerBackboneFile } from './multilayer.ts';
import { pooledBackboneFile } from './pooled.ts';
import { augmentedRgb, decodeImage, rgbToTensor, viewRgb, INPUT_SIZE, type ViewName } from './decode.ts';

export interface EmbedItem {
  /** sha256 (hex) of the image bytes. */
  key: string;
  load(): Promise<Buffer>;
}

export interface EmbedOptions {
  views: readonly ViewName[];
  augment?: { copies: number; seed: number };
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  /**
   * Called for an image that cannot be decoded (AppError IMAGE_*); the image is then left out of the result.
   * Without it the first bad image throws.
   */
  onError?(key: string, error: AppError): void;
}

export interface Embedder {
  /** sha256 of the backbone file (first 16 hex). */
  readonly backboneId: string;
  readonly dim: number;
  /** Per key: one vector per view, then one per augmented copy. Cached in the artifact store. */
  embed(items: readonly EmbedItem[], options: EmbedOptions): Promise<Map<string, Float32Array[]>>;
  /** Uncached, for predictions. */
  embedOne(bytes: Buffer, views: readonly ViewName[]): Promise<Float32Array[]>;
  /** Runs the backbone on preprocessed tensors (e.g. occlusion saliency); returns one vector per tensor. */
  embedTensors(tensors: readonly Float32Array[]): Promise<Float32Array[]>;
}

export interface EmbedderDeps {
  artifacts: ArtifactStore;
  backbonePath: string;
  /** onnxruntime intra-op threads (default 1: small shared machines). */
  threads?: number;
  batchSize?: number;
  /** Backbone output width (default 1000 for 'logits', 1280 for 'pooled', 1856 for 'multilayer': MobileNetV2's). */
  dim?: number;
  /**
   * Which layer is the feature vector: 'logits' (the backbone's own output, the ImageNet logits) or 'pooled' (the
   * classifier layer's input, cut out by pixels/pooled.ts; +0.07 balanced accuracy on the HAM10000 sample, see
   * docs/benchmarks.md), or 'multilayer' (the pooled layer + the global averages of the last 3 trunk stages,
   * pixels/multilayer.ts). Default 'logits' so heads trained on logits keep predicting. backboneId gets a
   * '-pooled' / '-multilayer' suffix, so the kinds never share cache files or a model's recorded backbone.
   */
  features?: FeatureKind;
  /** Overrides how the backbone session is obtained (tests count runs through it). */
  openSession?(): Promise<OnnxSession>;
}

/** Which backbone layer(s) an embedder outputs. */
export type FeatureKind = 'logits' | 'pooled' | 'multilayer';
/** Output width per kind for the bundled MobileNetV2 (multilayer = 1,280 + 96 + 160 + 320). */
export const FEATURE_DIMS: Record<FeatureKind, number> = { logits: 1000, pooled: 1280, multilayer: 1856 };
/** What each kind is, in words (a build's report.features.layers). */
export const FEATURE_LAYERS: Record<FeatureKind, string> = {
  logits: 'the backbone output (ImageNet logits)',
  pooled: 'the pooled penultimate layer',
  multilayer: 'the pooled penultimate layer + the global averages of the last 3 trunk stages (MobileNetV2: 96, 160, 320 channels)',
};

const TENSOR_SIZE = 3 * INPUT_SIZE * INPUT_SIZE;
/** Bump when decode/preprocessing changes: old cache files then read as misses. */
const CACHE_VERSION = 'e1p1';
const DECODE_AHEAD = 4;

/** Process-wide backbone sessions, keyed `threads|path` (loaded once, shared by jobs and requests). */
const sharedSessions: ModelCache<OnnxSession> = createModelCache<OnnxSession>({
  load: (id) => {
    const bar = id.indexOf('|');
    return openOnnxSession(id.slice(bar + 1), { threads: Number(id.slice(0, bar)) });
  },
  dispose: (s) => s.dispose(),
  maxEntries: 4,
});

export function backboneSessions(): ModelCache<OnnxSession> {
  return sharedSessions;
}

const backboneIds = new Map<string, string>();

/** sha256 of the backbone file, first 16 hex (memoised per path). */
export function backboneIdOf(path: string): string {
  let id = backboneIds.get(path);
  if (!id) {
    id = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
    backboneIds.set(path, id);
  }
  return id;
}

export function embeddingKey(backboneId: string, sha: string, name: string): string {
  if (!/^[0-9a-f]{8,128}$/i.test(sha)) throw new AppError('INTERNAL', `embedding cache key '${sha}' is not a hex sha256`);
  return `images/embeddings/${backboneId}/${sha.slice(0, 2)}/${sha}/${name}.f32`;
}

export function augmentName(seed: number, copy: number): string {
  return `aug-s${seed}-c${copy}`;
}

function encodeVector(v: Float32Array): Buffer {
  const buf = Buffer.alloc(8 + v.byteLength);
  buf.write(CACHE_VERSION, 0, 'latin1');
  buf.writeUInt32LE(v.length, 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, 8 + i * 4);
  return buf;
}

function decodeVector(buf: Buffer, dim: number): Float32Array | null {
  if (buf.length !== 8 + dim * 4 || buf.toString('latin1', 0, 4) !== CACHE_VERSION || buf.readUInt32LE(4) !== dim) return null;
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = buf.readFloatLE(8 + i * 4);
  return out;
}

interface Prepared {
  key: string;
  vectors: (Float32Array | null)[];
  /** Tensors still to run, with the slot of `vectors` each fills. */
  todo: { slot: number; tensor: Float32Array }[];
}

export function createEmbedder(deps: EmbedderDeps): Embedder {
  const threads = Math.max(1, Math.floor(deps.threads ?? 1));
  const batchSize = Math.max(1, Math.floor(deps.batchSize ?? 16));
  const kind: FeatureKind = deps.features ?? 'logits';
  const dim = deps.dim ?? FEATURE_DIMS[kind];
  let cutPath: Promise<string> | undefined;
  const cutFile = kind === 'pooled' ? pooledBackboneFile : multiLayerBackboneFile;
  const openSession = deps.openSession ?? (kind !== 'logits'
    ? async () => sharedSessions.get(`${threads}|${await (cutPath ??= cutFile(deps.backbonePath))}`)
    : () => sharedSessions.get(`${threads}|${deps.backbonePath}`));
  let backboneId: string | undefined;
  const getBackboneId = () => (backboneId ??= `${backboneIdOf(deps.backbonePath)}${kind === 'logits' ? '' : `-${kind}`}`);

  async function runTensors(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    const session = await openSession();
    const out: Float32Array[] = [];
    for (let start = 0; start < tensors.length; start += batchSize) {
      const chunk = tensors.slice(start, start + batchSize);
      const batch = new Float32Array(chunk.length * TENSOR_SIZE);
      chunk.forEach((t, i) => batch.set(t, i * TENSOR_SIZE));
      const result = await session.run(batch, chunk.length);
      if (result.length !== chunk.length * dim) throw new AppError('INTERNAL', `backbone returned ${result.length / chunk.length} values per image; expected ${dim}`);
      for (let i = 0; i < chunk.length; i++) out.push(result.slice(i * dim, (i + 1) * dim));
    }
    return out;
  }

  async function readCached(key: string): Promise<Float32Array | null> {
    try {
      return decodeVector(await deps.artifacts.get(key), dim);
    } catch (err) {
      if (isAppError(err) && err.code === 'ARTIFACT_NOT_FOUND') return null;
      throw err;
    }
  }

  async function prepare(item: EmbedItem, names: string[], views: readonly ViewName[], augment: { copies: number; seed: number } | undefined): Promise<Prepared> {
    const id = getBackboneId();
    const vectors = await Promise.all(names.map((n) => readCached(embeddingKey(id, item.key, n))));
    const missingViews: number[] = [];
    const missingCopies: number[] = [];
    vectors.forEach((v, slot) => {
      if (v) return;
      if (slot < views.length) missingViews.push(slot);
      else missingCopies.push(slot - views.length);
    });
    if (!missingViews.length && !missingCopies.length) return { key: item.key, vectors, todo: [] };
    const img = await decodeImage(await item.load(), item.key);
    const [viewPixels, augPixels] = await Promise.all([
      viewRgb(img, missingViews.map((s) => views[s]!)),
      augment ? augmentedRgb(img, augment.seed, missingCopies) : Promise.resolve([]),
    ]);
    const todo = [
      ...missingViews.map((slot, i) => ({ slot, tensor: rgbToTensor(viewPixels[i]!) })),
      ...missingCopies.map((copy, i) => ({ slot: views.length + copy, tensor: rgbToTensor(augPixels[i]!) })),
    ];
    return { key: item.key, vectors, todo };
  }

  return {
    get backboneId() {
      return getBackboneId();
    },
    dim,

    async embed(items, options) {
      const { views, augment, signal, onProgress, onError } = options;
      const copies = augment ? Math.max(0, Math.floor(augment.copies)) : 0;
      const names = [...views, ...Array.from({ length: copies }, (_, c) => augmentName(augment!.seed, c))];
      const unique = [...new Map(items.map((it) => [it.key, it])).values()];
      const total = unique.length;
      const results = new Map<string, Float32Array[]>();
      if (!names.length) {
        for (const it of unique) results.set(it.key, []);
        return results;
      }
      signal?.throwIfAborted();
      const id = getBackboneId();
      const decodeAhead = Math.max(DECODE_AHEAD, batchSize);
      let done = 0;
      const finish = (p: Prepared) => {
        results.set(p.key, p.vectors as Float32Array[]);
        done++;
        if (!signal?.aborted) onProgress?.(done, total); // a batch finishing after cancellation stays silent
      };
      // Items whose tensors are queued, with how many of their tensors are still unrun.
      const waiting = new Map<string, { prepared: Prepared; left: number }>();
      let queue: { key: string; slot: number; tensor: Float32Array }[] = [];

      async function runBatch(batch: typeof queue): Promise<void> {
        const vectors = await runTensors(batch.map((b) => b.tensor));
        const writes: Promise<unknown>[] = [];
        batch.forEach((b, i) => {
          const w = waiting.get(b.key)!;
          w.prepared.vectors[b.slot] = vectors[i]!;
          writes.push(deps.artifacts.put(embeddingKey(id, b.key, names[b.slot]!), encodeVector(vectors[i]!), { contentType: 'application/octet-stream' }));
          if (--w.left === 0) {
            waiting.delete(b.key);
            finish(w.prepared);
          }
        });
        await Promise.all(writes);
      }

      // One backbone run at a time, but not awaited: the next images decode while it runs.
      let running: Promise<void> = Promise.resolve();
      async function flush(): Promise<void> {
        await running; // also surfaces the previous run's error
        if (!queue.length) return;
        const batch = queue;
        queue = [];
        signal?.throwIfAborted();
        running = runBatch(batch);
        running.catch(() => undefined); // awaited by the next flush
      }

      // Decode ahead (a batch's worth) so libvips works while onnxruntime runs.
      const ahead: { key: string; prepared: Promise<Prepared | AppError> }[] = [];
      let next = 0;
      const launch = () => {
        while (ahead.length < decodeAhead && next < unique.length) {
          const item = unique[next++]!;
          const p = prepare(item, names, views, augment).catch((err: unknown) => {
            if (onError && isAppError(err) && err.code.startsWith('IMAGE_')) return err;
            throw err;
          });
          p.catch(() => undefined); // surfaced when awaited in order; never unhandled if we bail out early
          ahead.push({ key: item.key, prepared: p });
        }
      };
      launch();
      while (ahead.length) {
        signal?.throwIfAborted();
        const { key, prepared } = ahead.shift()!;
        const got = await prepared;
        launch();
        if (got instanceof AppError) {
          onError!(key, got);
          done++;
          onProgress?.(done, total);
          continue;
        }
        if (!got.todo.length) {
          finish(got);
          continue;
        }
        waiting.set(got.key, { prepared: got, left: got.todo.length });
        for (const t of got.todo) queue.push({ key: got.key, ...t });
        if (queue.length >= batchSize) await flush();
      }
      await flush();
      await running;
      signal?.throwIfAborted();
      return results;
    },

    async embedOne(bytes, views) {
      const img = await decodeImage(bytes);
      const pixels = await viewRgb(img, views);
      return runTensors(pixels.map((p) => rgbToTensor(p)));
    },

    embedTensors: (tensors) => runTensors(tensors),
  };
}
