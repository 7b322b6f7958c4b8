/**
 * /api/v1/detection/models… and /endpoints/:name/detect through the real app: a detector trained by the real
 * `detection.train` job (2 epochs on 14 metal-tags images — the full run is in bench/detection.bench.ts), then
 * metrics, predict (multipart, base64, batch with a bad item), an image with boxes drawn, the ONNX download, the
 * endpoint through the model-kind table, and the documented errors (not an image, unknown model, cancel).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, multipart, problem, type TestApp } from '../datasets/testing/harness.ts';
import { packDetectionFolder } from './formats/pack.ts';
import { HAS_METAL_TAGS, HAS_TORCH, metalTagsSubset } from './testing.ts';

const IMAGE = 'images/bad/image-2020-04-22-11-07-29-26-cropped-left-top.jpg';

describe.skipIf(!HAS_TORCH || !HAS_METAL_TAGS)('/api/v1/detection/models (real training job)', () => {
  let t: TestApp;
  let folder: string;
  let jpeg: Buffer;
  beforeAll(async () => {
    t = await createTestApp({ workerMode: 'inline' });
    folder = metalTagsSubset(14);
    jpeg = readFileSync(join(folder, IMAGE));
    const packed = await packDetectionFolder(folder);
    const { payload, headers } = await multipart([{ name: 'name', value: 'tags' }, { name: 'file', fileName: 'tags.zip', content: readFileSync(packed.zipPath) }]);
    await packed.cleanup();
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/detection/datasets', payload, headers });
    expect(imported.statusCode, imported.body).toBe(201);
  }, 120_000);
  afterAll(async () => t?.close());

  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => t.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
  async function upload(url: string, content: Buffer, fileName = 'tag.jpg') {
    const { payload, headers } = await multipart([{ name: 'file', fileName, content }]);
    return t.app.inject({ method: 'POST', url, payload, headers });
  }

  it('trains through the detection.train job: held-out split of the labeled images, metrics on the version, ONNX artifact', async () => {
    const res = await inject('POST', '/api/v1/detection/models?wait=true', { dataset: 'tags', name: 'det', epochs: 2, seed: 7 });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    // 14 labeled images: round(20 %) = 3 held out, 11 trained on.
    expect(body).toMatchObject({ model: { name: 'det', version: 1 }, n_train: 11, n_test: 3 });
    for (const k of ['map50', 'map50_95', 'train_seconds']) expect(body[k]).toBeTypeOf('number');
    const listed = (await inject('GET', '/api/v1/detection/models')).json();
    expect(listed.items.map((m: { name: string; kind: string; status: string }) => [m.name, m.kind, m.status])).toEqual([['det', 'detector', 'ready']]);
    const metrics = (await inject('GET', '/api/v1/detection/models/det/metrics')).json();
    expect(metrics.classes).toEqual(['scratch']);
    expect(metrics.metrics.perClass[0]).toMatchObject({ classId: 0 });
    expect(metrics.metrics.prCurve[0]).toHaveLength(101);
    const onnx = await inject('GET', '/api/v1/detection/models/det:1/onnx');
    expect(onnx.statusCode).toBe(200);
    expect(onnx.headers['x-sha256']).toMatch(/^[0-9a-f]{64}$/);
  }, 900_000);

  it('predicts one image (multipart or base64): boxes in the image\'s pixels, scores, classes', async () => {
    const a = await upload('/api/v1/detection/models/det/predict?minScore=0', jpeg);
    expect(a.statusCode, a.body).toBe(200);
    const body = a.json();
    expect(body).toMatchObject({ model: { name: 'det', version: 1 }, width: 450, height: 300 });
    expect(body.detections.length).toBeGreaterThan(0);
    for (const d of body.detections) {
      expect(d.class).toBe('scratch');
      expect(d.x1).toBeGreaterThanOrEqual(0);
      expect(d.x2).toBeLessThanOrEqual(450);
      expect(d.y2).toBeLessThanOrEqual(300);
    }
    const b = await inject('POST', '/api/v1/detection/models/det/predict?minScore=0', { image: `data:image/jpeg;base64,${jpeg.toString('base64')}` });
    expect(b.json().detections).toEqual(body.detections);
  });

  it('predicts a batch; a file that is not an image is an error item, the others still answer', async () => {
    const res = await inject('POST', '/api/v1/detection/models/det/predict-batch?minScore=0', { images: [{ name: 'a.jpg', image: jpeg.toString('base64') }, { name: 'notes.txt', image: Buffer.from('not an image').toString('base64') }] });
    expect(res.statusCode, res.body).toBe(200);
    const [ok, bad] = res.json().items;
    expect(ok).toMatchObject({ name: 'a.jpg', width: 450, height: 300 });
    expect(bad).toMatchObject({ name: 'notes.txt', error: { code: 'IMAGE_UNREADABLE' } });
  });

  it('draws the boxes: a PNG (or JPEG) of the image\'s size', async () => {
    const png = await upload('/api/v1/detection/models/det/draw?minScore=0', jpeg);
    expect(png.statusCode, png.body).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(Number(png.headers['x-detections'])).toBeGreaterThan(0);
    expect(await sharp(png.rawPayload).metadata()).toMatchObject({ format: 'png', width: 450, height: 300 });
    const jpg = await upload('/api/v1/detection/models/det/draw?format=jpeg', jpeg);
    expect(jpg.headers['content-type']).toBe('image/jpeg');
    // The drawn image differs from the plain decode where boxes are.
    const plain = await sharp(jpeg).raw().toBuffer();
    const drawn = await sharp(png.rawPayload).removeAlpha().raw().toBuffer();
    expect(drawn.equals(plain)).toBe(false);
  });

  it('serves an endpoint through the model-kind table: POST /endpoints/:name/detect', async () => {
    const kinds = (await inject('GET', '/api/v1/model-kinds')).json();
    expect(JSON.stringify(kinds)).toContain('/endpoints/{name}/detect');
    const created = await inject('POST', '/api/v1/endpoints', { name: 'tags-ep', model: 'det:1' });
    expect(created.statusCode, created.body).toBe(201);
    const res = await upload('/api/v1/endpoints/tags-ep/detect?minScore=0', jpeg);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ model: { name: 'det', version: 1 }, width: 450, height: 300 });
    expect((await inject('DELETE', '/api/v1/endpoints/tags-ep')).statusCode).toBe(204);
  });

  it('cancel kills the Python trainer: the job ends cancelled, the version cancelled, no train.py left', async () => {
    const trainers = (): number[] => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('detection/python/train.py');
      } catch {
        return false;
      }
    }).map(Number);
    const before = new Set(trainers());
    const res = await inject('POST', '/api/v1/detection/models', { dataset: 'tags', name: 'cancelled', epochs: 50 });
    expect(res.statusCode, res.body).toBe(202);
    const { job } = res.json();
    // Wait until the trainer reports (its progress comes from the Python process's JSON lines).
    let mine: number[] = [];
    await vi.waitFor(async () => {
      mine = trainers().filter((pid) => !before.has(pid));
      expect(mine.length).toBeGreaterThan(0);
      expect((await inject('GET', `/api/v1/jobs/${job.id}`)).json().message).toMatch(/features|epoch/);
    }, { timeout: 300_000, interval: 250 });
    expect((await inject('POST', `/api/v1/jobs/${job.id}/cancel`)).statusCode).toBe(200);
    await vi.waitFor(async () => expect((await inject('GET', `/api/v1/jobs/${job.id}`)).json().status).toBe('cancelled'), { timeout: 30_000, interval: 200 });
    await vi.waitFor(() => expect(trainers().filter((pid) => mine.includes(pid))).toEqual([]), { timeout: 10_000, interval: 100 });
    expect((await inject('GET', '/api/v1/models?name=cancelled')).json().items[0].status).toBe('cancelled');
  }, 400_000);

  it('documented errors: not an image (400 IMAGE_UNREADABLE), unknown model (404 DETECTION_MODEL_NOT_FOUND), folder over HTTP (400)', async () => {
    const notImage = await upload('/api/v1/detection/models/det/predict', Buffer.from('%PDF-1.4 not an image'), 'doc.pdf');
    expect(notImage.statusCode).toBe(400);
    expect(problem(notImage)).toMatchObject({ code: 'IMAGE_UNREADABLE' });
    expect(problem(notImage).problems?.[0]?.fix).toMatch(/JPEG, PNG or WebP/);
    const truncated = await upload('/api/v1/detection/models/det/predict', jpeg.subarray(0, 2000));
    expect(problem(truncated)).toMatchObject({ code: 'IMAGE_UNREADABLE' });
    for (const url of ['/api/v1/detection/models/nope/predict', '/api/v1/detection/models/det:9/predict']) {
      const res = await upload(url, jpeg);
      expect(res.statusCode).toBe(404);
      expect(problem(res)).toMatchObject({ code: 'DETECTION_MODEL_NOT_FOUND' });
    }
    expect(problem(await inject('GET', '/api/v1/detection/models/nope')).code).toBe('DETECTION_MODEL_NOT_FOUND');
    // Training reads server folders only from the CLI: a `folder` field is refused over HTTP.
    const folderOverHttp = await inject('POST', '/api/v1/detection/models', { dataset: 'tags', folder: '/etc' });
    expect(folderOverHttp.statusCode).toBe(400);
    const unknownDataset = await inject('POST', '/api/v1/detection/models?wait=true', { dataset: 'missing' });
    expect(problem(unknownDataset).code).toBe('DETECTION_DATASET_NOT_FOUND');
  });
});
