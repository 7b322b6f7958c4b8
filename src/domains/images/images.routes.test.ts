/**
 * The image-classification HTTP contract on the real HAM10000 sample (170 images, 7 labels) through the app
 * in-process: one quick build (grouped by lesion_id) reused by every test; a second build grouped by a coarse
 * column reuses the cached embeddings to check that no group spans train and test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip } from '../datasets/formats/zip-write.ts';
import { multipart, upload, type TestApp } from '../datasets/testing/harness.ts';
import { parseCsv } from '../../ml/__reference__/sharedData.ts';
import { resolveBackbonePath } from './backbone.ts';
import { preprocessedRgb } from './pixels/decode.ts';
import { createEmbedder } from './pixels/embedder.ts';
import { predictImage, probabilities, toPredictor } from './predict.ts';
import { loadHead } from './store.ts';
import { HAM_DIR, HAS_HAM, hamApp, NO_HAM_MESSAGE } from './testing.ts';

const LABELS = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'];
const manifest = HAS_HAM ? parseCsv(readFileSync(join(HAM_DIR, 'images_manifest.csv'), 'utf8')) : [];
const header = manifest[0] ?? [];
const rows = manifest.slice(1).filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
const imagePath = (i: number) => join(HAM_DIR, rows[i]!.path!);

describe.skipIf(!HAS_HAM)('images routes (HAM10000 sample)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await hamApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models?wait=true', payload: { name: 'skin', dataset: 'ham', build: 'quick', groupColumn: 'lesion_id' } });
    expect(res.statusCode, res.body).toBe(201);
  }, 600_000);
  afterAll(async () => t?.close());

  it('summarises the dataset: per-label counts and groups, manifest columns, Canvas warnings', async () => {
    const res = await t.app.inject({ url: '/api/v1/images/datasets/ham/versions/1/summary?groupColumn=lesion_id' });
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    expect(s.imageCount).toBe(170);
    expect(s.labels).toContainEqual({ label: 'mel', count: 60, groups: 60 });
    expect(s.columns).toEqual(expect.arrayContaining(['lesion_id', 'dx', 'localization']));
    const akiec = s.problems.find((p: { field?: string }) => p.field === 'akiec');
    expect(akiec).toMatchObject({ severity: 'warning' });
    expect(akiec.problem).toMatch(/10 images; Canvas asks for at least 25/);
    expect(akiec.fix).toMatch(/Add 15 or more images of "akiec"/);
    const bad = await t.app.inject({ url: '/api/v1/images/datasets/ham/versions/1/summary?groupColumn=patient' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'IMAGE_COLUMN_MISSING' });
    expect(bad.json().problems[0].fix).toMatch(/lesion_id/);
  });

  it('pages images by label and serves WebP thumbnails', async () => {
    const page = (await t.app.inject({ url: '/api/v1/images/datasets/ham/versions/latest/images?label=df&limit=4&groupColumn=lesion_id' })).json();
    expect(page.items).toHaveLength(4);
    expect(page.items[0]).toMatchObject({ label: 'df', path: expect.stringMatching(/^df\//), group: expect.stringMatching(/^HAM_/) });
    const next = (await t.app.inject({ url: `/api/v1/images/datasets/ham/versions/1/images?label=df&limit=10&cursor=${page.nextCursor}` })).json();
    expect(next.items).toHaveLength(6);
    expect(next.nextCursor).toBeNull();
    const thumb = await t.app.inject({ url: `/api/v1/images/datasets/ham/versions/1/images/${page.items[0].index}/thumbnail` });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(thumb.rawPayload.subarray(8, 12).toString('latin1')).toBe('WEBP');
  });

  it('reports honest metrics: test split, grouped CV, calibration and every candidate tried', async () => {
    const res = await t.app.inject({ url: '/api/v1/images/models/skin/versions/1' });
    expect(res.statusCode).toBe(200);
    const { model, metrics, report } = res.json();
    expect(model).toMatchObject({ kind: 'image-classifier', status: 'ready' });
    expect(metrics.balanced_accuracy).toBeGreaterThan(0.2);
    expect(metrics.balanced_accuracy).toBeLessThan(0.7);
    expect(metrics.cv.folds).toBe(5);
    expect(metrics.cv.balanced_accuracy_mean).toBeGreaterThan(0.2);
    expect(metrics.cv.balanced_accuracy_mean).toBeLessThan(0.7);
    expect(Object.keys(metrics.per_label).sort()).toEqual(LABELS);
    expect(metrics.confusion_matrix.labels).toEqual(LABELS);
    const total = metrics.confusion_matrix.matrix.flat().reduce((a: number, b: number) => a + b, 0);
    expect(total).toBe(report.split.test);
    expect(metrics.calibration.temperature).toBeGreaterThan(0);
    expect(report).toMatchObject({ build: 'quick', features: { kind: 'pooled', dim: 1280, backboneId: expect.stringMatching(/-pooled$/) }, split: { kind: 'stratified-group', groupColumn: 'lesion_id', train: 136, test: 34 } });
    expect(report.tried.length).toBeGreaterThan(1);
    expect(report.tried.map((c: { name: string }) => c.name)).toContain(report.chosen);
    // which head the build used, in words (issue 18): the quick build's single C, its views, no test-time copies
    const chosen = report.tried.find((c: { name: string }) => c.name === report.chosen);
    expect(report.head).toMatchObject({ model: expect.stringMatching(/^standardise \+ class-balanced multinomial logistic regression$/), C: chosen.C, ensembleC: null, predictRows: 'mean of center, hflip' });
    expect(chosen.test_copies).toBe(0);
    expect(report.warnings.map((w: { field?: string }) => w.field)).toEqual(expect.arrayContaining(['akiec', 'vasc']));
    const list = (await t.app.inject({ url: '/api/v1/images/models' })).json();
    expect(list.items.map((m: { name: string }) => m.name)).toContain('skin');
  });

  it('never puts one group on both sides of the split', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models?wait=true', payload: { name: 'by-site', dataset: 'ham', groupColumn: 'localization', folds: 3 } });
    expect(res.statusCode, res.body).toBe(201);
    const head = (await t.app.inject({ url: '/api/v1/models/by-site/versions/1/artifacts/head.json' })).json();
    const trainPaths = new Set(head.train.map((x: { path: string }) => x.path));
    const site = new Map(rows.map((r) => [r.path!, r.localization!]));
    const trainSites = new Set([...trainPaths].map((p) => site.get(p as string)));
    const testSites = new Set(rows.filter((r) => !trainPaths.has(r.path)).map((r) => r.localization));
    expect(trainPaths.size).toBeGreaterThan(0);
    expect(testSites.size).toBeGreaterThan(0);
    expect([...testSites].filter((s) => trainSites.has(s))).toEqual([]);
    const detail = (await t.app.inject({ url: '/api/v1/images/models/by-site/versions/1' })).json();
    expect(detail.report.split).toMatchObject({ kind: 'stratified-group', groupColumn: 'localization' });
    expect(detail.report.split.groupsTrain + detail.report.split.groupsTest).toBe(new Set(rows.map((r) => r.localization)).size);
  }, 300_000);

  it('cancels a build: the job and the version end cancelled (not failed)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models', payload: { name: 'cancel-me', dataset: 'ham:1', build: 'standard' } });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().model).toMatchObject({ name: 'cancel-me', version: 1 });
    await t.ctx.queue.cancel(res.json().job.id);
    const job = await t.ctx.queue.wait(res.json().job.id);
    expect(job.status).toBe('cancelled');
    await expect.poll(async () => (await t.app.inject({ url: '/api/v1/images/models/cancel-me/versions/1' })).json().model.status, { timeout: 30_000 }).toBe('cancelled');
  }, 60_000);

  it('predicts one image with calibrated probabilities, OOD flag and an explanation; bad images get a clear error', async () => {
    const form = await multipart([{ name: 'file', fileName: 'x.jpg', content: readFileSync(imagePath(0)), type: 'image/jpeg' }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models/skin/versions/1/predict?explain=true', ...form });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(LABELS).toContain(p.predicted);
    expect(p.probabilities).toHaveLength(7);
    expect(p.probabilities[0].label).toBe(p.predicted);
    expect(p.probabilities.reduce((a: number, x: { score: number }) => a + x.score, 0)).toBeCloseTo(1, 4);
    expect(p.outOfDistribution).toMatchObject({ flag: expect.any(Boolean), distance: expect.any(Number), threshold: expect.any(Number) });
    expect(p.explanation.neighbors).toHaveLength(5);
    expect(p.explanation.saliency.values).toHaveLength(p.explanation.saliency.grid ** 2);
    const thumb = await t.app.inject({ url: p.explanation.neighbors[0].thumbnailUrl });
    expect(thumb.statusCode).toBe(200);
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/images/models/skin/versions/1/predict', payload: { image: readFileSync(imagePath(0)).toString('base64') } });
    expect(json.json().probabilities).toEqual(p.probabilities);
    expect(json.json().explanation).toBeUndefined();
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/images/models/skin/versions/1/predict', payload: { image: Buffer.from('not an image at all').toString('base64') } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toMatch(/^IMAGE_/);
    expect(bad.json().problems[0].fix).toBeTruthy();
  });

  it('applies a stored minimum confidence: below it, no prediction and a reason', async () => {
    const model = await t.ctx.services.models.get('skin', 1);
    await t.ctx.services.models.update(model.id, { meta: { decision: { abstainBelow: 0.999 } } });
    await t.ctx.services.images.reload(model.id);
    try {
      const p = (await t.app.inject({ method: 'POST', url: '/api/v1/images/models/skin/versions/1/predict', payload: { image: readFileSync(imagePath(1)).toString('base64') } })).json();
      expect(p.predicted).toBeNull();
      expect(p.decision.reason).toMatch(/below the minimum confidence 0.999/);
      expect(p.probabilities).toHaveLength(7);
    } finally {
      await t.ctx.services.models.update(model.id, { meta: { decision: undefined } });
      await t.ctx.services.images.reload(model.id);
    }
  });

  it('serves a real-time endpoint: POST /endpoints/:name/predict-image (multipart or base64)', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'skin-ep', model: 'skin:1' } });
    expect(created.statusCode, created.body).toBe(201);
    const form = await multipart([{ name: 'file', fileName: 'x.jpg', content: readFileSync(imagePath(2)) }]);
    const a = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/skin-ep/predict-image', ...form });
    expect(a.statusCode, a.body).toBe(200);
    const b = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/skin-ep/predict-image', payload: { image: `data:image/jpeg;base64,${readFileSync(imagePath(2)).toString('base64')}` } });
    expect(b.json().predicted).toBe(a.json().predicted);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/endpoints/skin-ep' })).statusCode).toBe(204);
  });

  it('runs a batch over a dataset: one CSV row per image, bad images as rows with an error', async () => {
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 1)]);
    const zip = makeZip([
      { name: 'mel/a.jpg', data: readFileSync(imagePath(100)), method: 0 },
      { name: 'nv/b.jpg', data: readFileSync(imagePath(150)), method: 0 },
      { name: 'nv/broken.jpg', data: corrupt },
    ]);
    const up = await upload(t.app, 'batch.zip', zip, { name: 'batch-in' });
    expect(up.statusCode, up.body).toBe(201);
    const started = await t.app.inject({ method: 'POST', url: '/api/v1/images/models/skin/versions/1/batch', payload: { dataset: 'batch-in' } });
    expect(started.statusCode, started.body).toBe(202);
    const job = await t.ctx.queue.wait(started.json().job.id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result).toMatchObject({ images: 3, errors: 1 });
    const csv = await t.app.inject({ url: `/api/v1/images/batch/${job.id}/predictions.csv` });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = parseCsv(csv.body);
    expect(lines[0]).toEqual(['path', 'predicted', ...LABELS.map((l) => `p_${l}`), 'ood', 'error']);
    expect(lines).toHaveLength(4);
    const broken = lines.find((l) => l[0] === 'nv/broken.jpg')!;
    expect(broken[1]).toBe('');
    expect(broken[broken.length - 1]).toMatch(/^IMAGE_/);
    expect(LABELS).toContain(lines.find((l) => l[0] === 'mel/a.jpg')![1]);
  });

  it('exports one ONNX file that another runtime loads and that gives probabilities', async () => {
    const res = await t.app.inject({ url: '/api/v1/images/models/skin/versions/1/export.onnx' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/skin-v1\.onnx/);
    const session = await ort.InferenceSession.create(new Uint8Array(res.rawPayload));
    const rgb = await preprocessedRgb(readFileSync(imagePath(0)));
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('uint8', rgb, [1, 224, 224, 3]) });
    const probs = out[session.outputNames[0]!]!.data as Float32Array;
    expect(probs).toHaveLength(7);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await session.release();
  });

  it('trains on the pooled 1,280 features by default and records it; the export (onnxruntime-web) matches our pipeline', async () => {
    const model = await t.ctx.services.models.get('skin', 1);
    expect(model.meta.features).toBe('pooled');
    expect(model.params.features).toBe('pooled');
    const { head, embeddings } = await loadHead(model, t.ctx.artifacts);
    expect(head).toMatchObject({ features: 'pooled', nFeatures: 1280 });
    const res = await t.app.inject({ url: '/api/v1/images/models/skin/versions/1/export.onnx' });
    ortWeb.env.wasm.numThreads = 1;
    const web = await ortWeb.InferenceSession.create(new Uint8Array(res.rawPayload));
    const pooled = createEmbedder({ artifacts: t.ctx.artifacts, backbonePath: resolveBackbonePath(), features: 'pooled' });
    const predictor = toPredictor(model, head, embeddings);
    for (const i of [0, 100]) {
      const bytes = readFileSync(imagePath(i));
      const out = await web.run({ image: new ortWeb.Tensor('uint8', await preprocessedRgb(bytes), [1, 224, 224, 3]) });
      const [center] = await pooled.embedOne(bytes, ['center']);
      const mean = predictor.standardizer.mean, scale = predictor.standardizer.scale;
      const ours = probabilities(predictor, center!.map((v, j) => (v - mean[j]!) / scale[j]!), 1);
      const theirs = out.probabilities!.data as Float32Array;
      for (let c = 0; c < 7; c++) expect(Math.abs(theirs[c]! - ours[c]!)).toBeLessThan(1e-4);
    }
    await web.release();
  });

  it('rejects an unknown features option with VALIDATION_FAILED naming the field and the choices', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models', payload: { name: 'bad-features', dataset: 'ham', features: 'penultimate' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.json().problems[0]).toMatchObject({ field: 'body.features', problem: expect.stringMatching(/"pooled".*"multilayer".*"logits"/) });
  });

  it('a logits model, and one trained before features were recorded, predict with the logits exactly as before', async () => {
    const built = await t.app.inject({ method: 'POST', url: '/api/v1/images/models?wait=true', payload: { name: 'old', dataset: 'ham', groupColumn: 'lesion_id', features: 'logits', folds: 2, cvRepeats: 1 } });
    expect(built.statusCode, built.body).toBe(201);
    const model = await t.ctx.services.models.get('old', 1);
    expect(model.meta.features).toBe('logits');
    const { head, embeddings } = await loadHead(model, t.ctx.artifacts);
    expect(head).toMatchObject({ features: 'logits', nFeatures: 1000 });
    // An old-style head: no `features`, the logits backboneId (what builds wrote before issue 18).
    const { features: _f, ...old } = head;
    await t.ctx.artifacts.put(model.artifacts['head.json']!, JSON.stringify(old));
    await t.ctx.services.images.reload(model.id);
    // The code path before this change: the default (logits) embedder and the same head.
    const logits = createEmbedder({ artifacts: t.ctx.artifacts, backbonePath: resolveBackbonePath() });
    const bytes = readFileSync(imagePath(3));
    const expected = await predictImage(toPredictor(model, old, embeddings), logits, bytes);
    const got = (await t.app.inject({ method: 'POST', url: '/api/v1/images/models/old/versions/1/predict', payload: { image: bytes.toString('base64') } })).json();
    expect(got.probabilities).toEqual(expected.probabilities);
    expect(got.outOfDistribution).toEqual(expected.outOfDistribution);
    const exported = await t.app.inject({ url: '/api/v1/images/models/old/versions/1/export.onnx' });
    const session = await ort.InferenceSession.create(new Uint8Array(exported.rawPayload));
    expect(session.outputNames).toEqual(['probabilities']);
    await session.release();
  }, 300_000);
});

// Only registered when the data is missing, so a normal run reports no skipped test.
if (!HAS_HAM) {
  describe('images routes', () => {
    it.skip(NO_HAM_MESSAGE, () => {});
  });
}
