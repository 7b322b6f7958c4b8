/**
 * /api/v1/detection/models…: thin routes over the detection service — list, train from a detection dataset (202 +
 * job; no route or job payload names a server folder — the CLI imports a folder as a dataset first),
 * one model with its held-out metrics, the ONNX file, predict (single, batch), and an image with boxes drawn.
 * The endpoint route /endpoints/:name/detect belongs to the detector model kind (kind.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { contentDisposition } from '../../core/http/contentDisposition.ts';
import { decodeBase64, readUploadedImage } from './readUpload.ts';
import type { DetectionService } from './service.ts';

const tags = ['detection'];

export interface DetectionRouteDeps {
  detection: DetectionService;
  maxUploadBytes: number;
}

const refParams = z.object({ ref: z.string().min(1).max(200) });
const predictQuery = z.object({ minScore: z.coerce.number().min(0).max(1).optional() });
const drawQuery = predictQuery.extend({ format: z.enum(['png', 'jpeg']).optional() });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() });
const trainBody = z.object({
  dataset: z.string().min(1).describe('Detection dataset name: trains on its latest approved labels'),
  name: z.string().min(1).optional(),
  epochs: z.number().int().min(1).max(500).optional(),
  seed: z.number().int().min(0).optional(),
}).strict();
const batchBody = z.object({ images: z.array(z.object({ name: z.string().min(1).max(255), image: z.string().min(1) })).min(1).max(64) });

export async function detectionRoutes(app: FastifyInstance, deps: DetectionRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { detection } = deps;

  r.get('/detection/models', { schema: { tags, summary: 'Detector model versions (kind detector), newest first', querystring: listQuery } }, async (req) => detection.listModels(req.query));

  r.post('/detection/models', {
    schema: { tags, summary: 'Train a detector on a detection dataset: 202 + job detection.train (seeded 20 % held out); ?wait=true → 201 with the result', body: trainBody, querystring: z.object({ wait: z.enum(['true', 'false', '1', '0']).optional() }) },
  }, async (req, reply) => {
    const started = await detection.train(req.body);
    if (req.query.wait !== 'true' && req.query.wait !== '1') return reply.code(202).send(started);
    const abort = new AbortController();
    const onClose = () => abort.abort(new AppError('BAD_REQUEST', 'The client went away'));
    req.raw.once('close', onClose);
    try {
      const result = await detection.waitForTraining(started.job.id, { signal: abort.signal });
      return reply.code(201).send({ ...result, job: { id: started.job.id } });
    } finally {
      req.raw.off('close', onClose);
    }
  });

  r.get('/detection/models/:ref', { schema: { tags, summary: 'One detector version (id, NAME, NAME:VERSION or NAME@alias) with its held-out metrics', params: refParams } }, async (req) => detection.getModel(req.params.ref));

  r.get('/detection/models/:ref/metrics', { schema: { tags, summary: 'Held-out metrics: map50, map75, map50_95, per-class AP, PR curve at IoU 0.5', params: refParams } }, async (req) => {
    const model = await detection.getModel(req.params.ref);
    return { model: { id: model.id, name: model.name, version: model.version }, metrics: model.metrics, classes: model.meta.classes ?? [] };
  });

  r.get('/detection/models/:ref/onnx', { schema: { tags, summary: 'The single-file ONNX detector (uint8 image [H,W,3] → boxes, scores, class_ids)', params: refParams } }, async (req, reply) => {
    const { model, bytes } = await detection.onnx(req.params.ref);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', contentDisposition(`${model.name}-${model.version}.onnx`))
      .header('x-sha256', String(model.meta.onnxSha256 ?? ''))
      .send(bytes);
  });

  r.post('/detection/models/:ref/predict', { schema: { tags, summary: 'Detect objects in one image (multipart "file" or JSON {image: base64}); ?minScore (default 0.25)', params: refParams, querystring: predictQuery } }, async (req) => {
    const img = await readUploadedImage(req, deps.maxUploadBytes);
    return detection.predict(req.params.ref, img.bytes, { minScore: req.query.minScore, name: img.name });
  });

  r.post('/detection/models/:ref/predict-batch', { schema: { tags, summary: 'Detect objects in up to 64 images (JSON {images: [{name, image: base64}]}); a bad image is an error item', params: refParams, querystring: predictQuery, body: batchBody } }, async (req) => {
    const files = req.body.images.map((i, n) => ({ name: i.name, bytes: decodeBase64(i.image, `images[${n}].image`) }));
    return detection.predictBatch(req.params.ref, files, { minScore: req.query.minScore });
  });

  r.post('/detection/models/:ref/draw', { schema: { tags, summary: 'The image with its detections drawn (PNG, or JPEG with ?format=jpeg)', params: refParams, querystring: drawQuery } }, async (req, reply) => {
    const img = await readUploadedImage(req, deps.maxUploadBytes);
    const out = await detection.draw(req.params.ref, img.bytes, { minScore: req.query.minScore, format: req.query.format, name: img.name });
    return reply.header('content-type', out.contentType).header('x-detections', String(out.detections)).send(out.body);
  });
}
