import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../ml/__reference__/sharedData.ts';
import { openOnnxSession, type OnnxSession } from '../../../runtimes/onnx.ts';
import { FsArtifactStore } from '../../../storage/artifacts/fs.ts';
import { augmentedTensors } from './decode.ts';
import { createEmbedder, embeddingKey, type EmbedItem } from './embedder.ts';

const BACKBONE = join(SHARED_DATA, 'onnx-models', 'mobilenetv2-12-int8.onnx');
const SAMPLE_DIR = join(SHARED_DATA, 'ham10000-sample');

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const item = (bytes: Buffer, loads?: { n: number }): EmbedItem => ({ key: sha(bytes), load: async () => { if (loads) loads.n++; return bytes; } });
const close = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= 1e-5);

describe('createEmbedder', () => {
  let dir: string;
  let store: FsArtifactStore;
  let real: OnnxSession;
  let runs = 0;
  const images = ['akiec', 'df', 'vasc'].flatMap((label) => readdirSync(join(SAMPLE_DIR, label)).slice(0, 2).map((f) => readFileSync(join(SAMPLE_DIR, label, f))));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-embed-'));
    store = new FsArtifactStore(dir);
    real = await openOnnxSession(BACKBONE);
  });
  afterAll(async () => {
    await real.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An embedder whose backbone runs are counted. */
  function embedder(batchSize = 4) {
    const counting: OnnxSession = {
      inputName: real.inputName, outputName: real.outputName, outputDim: real.outputDim,
      run: (batch, n) => { runs += n; return real.run(batch, n); },
      dispose: async () => undefined,
    };
    return createEmbedder({ artifacts: store, backbonePath: BACKBONE, batchSize, openSession: async () => counting });
  }

  it('caches vectors per image and view so a rebuild neither decodes nor runs the backbone', { timeout: 60_000 }, async () => {
    const emb = embedder();
    expect(emb.backboneId).toMatch(/^[0-9a-f]{16}$/);
    expect(emb.dim).toBe(1000);
    const loads = { n: 0 };
    const items = images.map((b) => item(b, loads));
    const progress: number[] = [];
    const options = { views: ['center', 'hflip'] as const, augment: { copies: 2, seed: 5 } };
    runs = 0;
    const first = await emb.embed(items, { ...options, onProgress: (done, total) => { expect(total).toBe(6); progress.push(done); } });
    expect(runs).toBe(6 * 4);
    expect(loads.n).toBe(6);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await store.exists(embeddingKey(emb.backboneId, items[0]!.key, 'center'))).toBe(true);

    runs = 0;
    loads.n = 0;
    const second = await embedder().embed(items, options);
    expect(runs).toBe(0);
    expect(loads.n).toBe(0);
    for (const it of items) {
      const a = first.get(it.key)!, b = second.get(it.key)!;
      expect(a).toHaveLength(4);
      expect(a.every((v, i) => close(v, b[i]!))).toBe(true);
    }

    // Cached results equal uncached ones: views via embedOne, augmented copies via augmentedTensors.
    const [center, hflip] = await emb.embedOne(images[0]!, ['center', 'hflip']);
    const got = second.get(items[0]!.key)!;
    expect(close(got[0]!, center!)).toBe(true);
    expect(close(got[1]!, hflip!)).toBe(true);
    const aug = await emb.embedTensors(await augmentedTensors(images[0]!, 2, 5));
    expect(close(got[2]!, aug[0]!)).toBe(true);
    expect(close(got[3]!, aug[1]!)).toBe(true);

    // Asking for one more view computes only that view.
    runs = 0;
    const more = await emb.embed(items.slice(0, 2), { views: ['center', 'rot90'] });
    expect(runs).toBe(2);
    expect(close(more.get(items[0]!.key)![0]!, center!)).toBe(true);
  });

  it('stops when the signal is aborted', { timeout: 60_000 }, async () => {
    const emb = embedder(2);
    const controller = new AbortController();
    const items = images.map((b) => item(b));
    const done: number[] = [];
    const run = emb.embed(items, {
      views: ['vflip', 'crop-br'],
      signal: controller.signal,
      onProgress: (d) => { done.push(d); if (d === 1) controller.abort(new Error('cancelled by test')); },
    });
    await expect(run).rejects.toThrow('cancelled by test');
    expect(done.length).toBeLessThan(items.length);
    await expect(emb.embed(items, { views: ['center'], signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('reports bad images through onError, or throws without it', { timeout: 60_000 }, async () => {
    const emb = embedder();
    const bad = Buffer.from('definitely not an image');
    const items = [item(images[0]!), item(bad)];
    const errors: string[] = [];
    const out = await emb.embed(items, { views: ['center'], onError: (key, err) => errors.push(`${key}:${err.code}`) });
    expect(errors).toEqual([`${sha(bad)}:IMAGE_UNREADABLE`]);
    expect([...out.keys()]).toEqual([items[0]!.key]);
    await expect(emb.embed(items, { views: ['center'] })).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE' });
  });

  it("features: 'pooled' embeds the 1,280-d pooled layer under its own backbone id (own cache files)", { timeout: 60_000 }, async () => {
    const pooled = createEmbedder({ artifacts: store, backbonePath: BACKBONE, features: 'pooled' });
    const logits = createEmbedder({ artifacts: store, backbonePath: BACKBONE });
    expect(pooled.dim).toBe(1280);
    expect(pooled.backboneId).toBe(`${logits.backboneId}-pooled`);
    const [v] = await pooled.embedOne(images[0]!, ['center']);
    expect(v!.length).toBe(1280);
    const got = await pooled.embed([item(images[0]!)], { views: ['center'] });
    expect(close(got.get(sha(images[0]!))![0]!, v!)).toBe(true);
    expect(await store.exists(embeddingKey(pooled.backboneId, sha(images[0]!), 'center'))).toBe(true);
  });
});
