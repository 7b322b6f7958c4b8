/**
 * A build on multi-layer features (issue 18) through the app in-process: the model records the features it was
 * trained on (head, meta, params, report), predicts through the route with the same layers, and its ONNX export
 * gives the probabilities of our pipeline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBackbonePath } from './backbone.ts';
import { preprocessedRgb } from './pixels/decode.ts';
import { createEmbedder } from './pixels/embedder.ts';
import { predictImage, probabilities, toPredictor } from './predict.ts';
import { featuresOf, loadHead } from './store.ts';
import { HAM_DIR, HAS_HAM, hamApp, NO_HAM_MESSAGE } from './testing.ts';
import type { TestApp } from '../datasets/testing/harness.ts';

const IMAGE = join(HAM_DIR, 'mel/ISIC_0024482.jpg');

describe('featuresOf', () => {
  it('reads the recorded kind, else the backboneId suffix, else logits', () => {
    expect(featuresOf({ features: 'multilayer', backboneId: 'x' })).toBe('multilayer');
    expect(featuresOf({ backboneId: 'cc028fe6cae7bc11-multilayer' })).toBe('multilayer');
    expect(featuresOf({ backboneId: 'cc028fe6cae7bc11-pooled' })).toBe('pooled');
    expect(featuresOf({ backboneId: 'cc028fe6cae7bc11' })).toBe('logits');
  });
});

describe.skipIf(!HAS_HAM)('a build on multi-layer features (HAM10000 sample)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await hamApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models?wait=true', payload: { name: 'multi', dataset: 'ham', build: 'quick', groupColumn: 'lesion_id', features: 'multilayer', folds: 3, cvRepeats: 1 } });
    expect(res.statusCode, res.body).toBe(201);
  }, 600_000);
  afterAll(async () => t?.close());

  it('records the features everywhere and reports which layers they are', async () => {
    const model = await t.ctx.services.models.get('multi', 1);
    expect(model.meta.features).toBe('multilayer');
    expect(model.params.features).toBe('multilayer');
    const { head } = await loadHead(model, t.ctx.artifacts);
    expect(head).toMatchObject({ features: 'multilayer', nFeatures: 1856, backboneId: expect.stringMatching(/-multilayer$/) });
    const got = (await t.app.inject({ url: '/api/v1/images/models/multi/versions/1' })).json();
    expect(got.report.features).toEqual({ kind: 'multilayer', dim: 1856, backboneId: head.backboneId, layers: expect.stringMatching(/last 3 trunk stages/) });
  });

  it('predicts through the route with the same layers, and the exported ONNX file agrees', { timeout: 120_000 }, async () => {
    const model = await t.ctx.services.models.get('multi', 1);
    const { head, embeddings } = await loadHead(model, t.ctx.artifacts);
    const embedder = createEmbedder({ artifacts: t.ctx.artifacts, backbonePath: resolveBackbonePath(), features: 'multilayer' });
    const predictor = toPredictor(model, head, embeddings);
    const bytes = readFileSync(IMAGE);
    const expected = await predictImage(predictor, embedder, bytes);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models/multi/versions/1/predict', payload: { image: bytes.toString('base64') } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().probabilities).toEqual(expected.probabilities);

    const exported = await t.app.inject({ url: '/api/v1/images/models/multi/versions/1/export.onnx' });
    expect(exported.statusCode).toBe(200);
    const session = await ort.InferenceSession.create(new Uint8Array(exported.rawPayload), { intraOpNumThreads: 1 });
    const out = await session.run({ image: new ort.Tensor('uint8', await preprocessedRgb(bytes), [1, 224, 224, 3]) });
    await session.release();
    const [center] = await embedder.embedOne(bytes, ['center']);
    const { mean, scale } = predictor.standardizer;
    const ours = probabilities(predictor, center!.map((v, j) => (v - mean[j]!) / scale[j]!), 1);
    const theirs = out.probabilities!.data as Float32Array;
    for (let c = 0; c < 7; c++) expect(Math.abs(theirs[c]! - ours[c]!)).toBeLessThan(1e-4);
  });
});

// Only registered when the data is missing, so a normal run reports no skipped test.
if (!HAS_HAM) {
  describe('a build on multi-layer features', () => {
    it.skip(NO_HAM_MESSAGE, () => {});
  });
}
