/**
 * /api/v1/images/*: thin routes over the images service (docs/api.md "Images"). The endpoint route
 * /endpoints/:name/predict-image belongs to the image-classifier model kind (kind.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { DatasetService } from '../datasets/service.ts';
import { readImage } from './readImage.ts';
import type { ImagesService } from './service.ts';
import { batchRequestSchema, buildRequestSchema, columnsQuery, datasetVersionParams, imagesQuery, modelVersionParams, predictQuery } from './schema.ts';
import { contentDisposition } from '../../core/http/contentDisposition.ts';

const tags = ['images'];

const versionOf = (v: string): number | 'latest' => (v === 'latest' ? 'latest' : Number(v));

/**
 * How long a browser may keep a thumbnail (`private`: the API may sit behind a token). Dataset id + version number
 * always mean the same bytes: immutable. A name may be given to a new dataset after a delete, so by name the
 * browser revalidates daily (ETag); `latest` moves with each new version, so it revalidates every time.
 */
export function thumbnailCacheControl(idOrName: string, version: number | 'latest', datasetId: string): string {
  if (version === 'latest') return 'private, no-cache';
  return idOrName === datasetId ? 'private, max-age=31536000, immutable' : 'private, max-age=86400';
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** What the image routes use. */
export interface ImageRouteDeps {
  images: ImagesService;
  datasets: Pick<DatasetService, 'getVersion'>;
  maxUploadBytes: number;
}

export async function imageRoutes(app: FastifyInstance, deps: ImageRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { images, datasets } = deps;
  const image = (req: FastifyRequest) => readImage(req, deps.maxUploadBytes);

  r.get('/images/datasets/:idOrName/versions/:version/summary', {
    schema: { tags, summary: 'Per-label image counts (and groups), manifest columns and warnings (labels under minImagesPerLabel…)', params: datasetVersionParams, querystring: columnsQuery },
  }, async (req) => images.summary(req.params.idOrName, versionOf(req.params.version), req.query));

  r.get('/images/datasets/:idOrName/versions/:version/images', {
    schema: { tags, summary: 'A page of images (index, path, label, group, bytes), optionally of one label', params: datasetVersionParams, querystring: imagesQuery },
  }, async (req) => images.listImages(req.params.idOrName, versionOf(req.params.version), req.query));

  r.get('/images/datasets/:idOrName/versions/:version/images/:index/thumbnail', {
    schema: { tags, summary: 'A WebP thumbnail (longest side 128 px) of one image', params: datasetVersionParams.extend({ index: z.coerce.number().int().min(0) }) },
  }, async (req, reply) => {
    const { idOrName, index } = req.params;
    const version = versionOf(req.params.version);
    // A dataset version never changes, and its id is never reused: it names the thumbnail's bytes for good.
    const dv = await datasets.getVersion(idOrName, version);
    const etag = `"${dv.id}.${index}"`;
    const cache = { etag, 'cache-control': thumbnailCacheControl(idOrName, version, dv.datasetId) };
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.status(304).headers(cache).send();
    // Headers only once the thumbnail exists: a refused image's error must not be cached (or revalidated) for good.
    const body = await images.thumbnail(idOrName, dv.version, index);
    return reply.type('image/webp').headers(cache).send(body);
  });

  r.post('/images/models', {
    schema: { tags, summary: 'Build an image classifier (quick or standard) from an image dataset: 202 + job images.train; ?wait=true → 201 { model }', body: buildRequestSchema, querystring: z.object({ wait: z.enum(['true', 'false', '1', '0']).optional() }) },
  }, async (req, reply) => {
    const accepted = await images.build(req.body);
    if (req.query.wait !== 'true' && req.query.wait !== '1') return reply.status(202).send(accepted);
    const abort = new AbortController();
    const onClose = () => abort.abort(new AppError('BAD_REQUEST', 'The client went away'));
    req.raw.once('close', onClose);
    try {
      const done = await images.waitForBuild(accepted.job.id, { signal: abort.signal });
      return reply.status(201).send({ model: done.model, job: { id: accepted.job.id } });
    } finally {
      req.raw.off('close', onClose);
    }
  });

  r.get('/images/models', {
    schema: { tags, summary: 'Image classifier versions, newest first', querystring: z.object({ name: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() }) },
  }, async (req) => images.listModels(req.query));

  r.get('/images/models/:name/versions/:version', {
    schema: { tags, summary: 'A model version with its test metrics (+ grouped CV, calibration) and build report (split, candidates tried)', params: modelVersionParams },
  }, async (req) => images.getModel(req.params.name, req.params.version));

  r.post('/images/models/:name/versions/:version/predict', {
    schema: { tags, summary: 'Classify one image (multipart "file" or JSON {image: base64}); ?explain=true adds nearest training images and occlusion saliency', params: modelVersionParams, querystring: predictQuery },
  }, async (req) => images.predict(req.params.name, req.params.version, await image(req), { explain: req.query.explain }));

  r.post('/images/models/:name/versions/:version/batch', {
    schema: { tags, summary: 'Predict every image of a dataset version (202 + job images.batch; CSV at /images/batch/{jobId}/predictions.csv)', params: modelVersionParams, body: batchRequestSchema },
  }, async (req, reply) => reply.status(202).send(await images.startBatch(req.params.name, req.params.version, req.body)));

  r.get('/images/batch/:jobId/predictions.csv', {
    schema: { tags, summary: 'The batch results: path, predicted, p_<label>…, ood, error', params: z.object({ jobId: z.string().min(1) }) },
  }, async (req, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', contentDisposition('predictions.csv')).send(await images.batchCsv(req.params.jobId)),
  );

  r.get('/images/models/:name/versions/:version/export.onnx', {
    schema: { tags, summary: 'The whole model (preprocessing + backbone + head, uint8 RGB 224×224 in, probabilities out) as one ONNX file', params: modelVersionParams },
  }, async (req, reply) => {
    const out = await images.exportOnnx(req.params.name, req.params.version);
    return reply.type('application/octet-stream').header('content-disposition', contentDisposition(out.fileName)).send(out.body);
  });
}
