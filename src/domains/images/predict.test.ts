/**
 * Prediction with test-time augmentation (issue 18): a head built with `testAugment` averages the same seeded
 * augmented copies of the query image that the build averaged into its test rows. The expected value comes from the
 * build's path (the cached `embed` with `augment`), the actual from predictImage (uncached views + augmentedTensors).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsArtifactStore } from '../../storage/artifacts/fs.ts';
import { resolveBackbonePath } from './backbone.ts';
import { meanOf } from './fit.ts';
import { createEmbedder } from './pixels/embedder.ts';
import { predictImage, probabilities, type ImagePredictor } from './predict.ts';
import type { StoredHead } from './store.ts';
import { HAM_DIR, HAS_HAM, NO_HAM_MESSAGE } from './testing.ts';

describe.skipIf(!HAS_HAM)('predictImage with test-time augmentation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-img-predict-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('averages the build\'s seeded augmented copies with the views', { timeout: 120_000 }, async () => {
    const embedder = createEmbedder({ artifacts: new FsArtifactStore(dir), backbonePath: resolveBackbonePath(), features: 'pooled' });
    const d = embedder.dim, k = 3;
    const bytes = readFileSync(join(HAM_DIR, 'mel/ISIC_0024482.jpg'));
    // a fixed head: deterministic coefficients, identity standardiser, two training rows for the OOD model
    const coef = Array.from({ length: k * d }, (_, i) => Math.sin(i) * 0.05);
    const head: StoredHead = {
      format: 'sagebrush-image-head/1', labels: ['a', 'b', 'c'], nFeatures: d, coef, intercept: [0.1, 0, -0.1],
      standardizer: { mean: new Array(d).fill(0), scale: new Array(d).fill(1) }, temperature: 1.5,
      views: ['center', 'hflip'], testAugment: { copies: 2, seed: 17 }, backboneId: embedder.backboneId, features: 'pooled',
      ood: { kind: 'knn-cosine', k: 1, threshold: 1, quantile: 0.99, trainDistances: [0.5, 0.5] },
      dataset: { id: 'x', name: 'x', version: 1 }, train: [],
    };
    const p: ImagePredictor = {
      modelId: 'm', head, coef: Float64Array.from(coef), intercept: Float64Array.from(head.intercept),
      standardizer: { mean: new Float64Array(d), scale: new Float64Array(d).fill(1) }, embeddings: new Float32Array(2 * d).fill(1), decision: null,
    };
    const built = (await embedder.embed([{ key: 'ab'.repeat(32), load: async () => bytes }], { views: ['center', 'hflip'], augment: { copies: 2, seed: 17 } })).get('ab'.repeat(32))!;
    expect(built).toHaveLength(4);
    const expected = probabilities(p, meanOf(built, d), 1);
    const got = await predictImage(p, embedder, bytes);
    for (const { label, score } of got.probabilities) expect(Math.abs(score - expected[head.labels.indexOf(label)]!)).toBeLessThan(1e-5);
    // without the copies the same head predicts something else (the copies really are used)
    const viewsOnly = probabilities(p, meanOf(built.slice(0, 2), d), 1);
    expect(Math.max(...Array.from(viewsOnly, (v, c) => Math.abs(v - expected[c]!)))).toBeGreaterThan(1e-4);
  });
});

if (!HAS_HAM) {
  describe('predictImage with test-time augmentation', () => {
    it.skip(NO_HAM_MESSAGE, () => {});
  });
}
