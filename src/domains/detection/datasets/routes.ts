/**
 * /api/v1/detection/datasets: list and import (a zip upload) detection datasets, page through images with their latest
 * label, fetch an image's bytes, add unlabeled images, read the training set (latest APPROVED label per image) and
 * export it as a zip in Ground Truth / YOLO / COCO. Thin: validate, call the service, map the result.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../../core/http/contentDisposition.ts';
import { consumeUpload, readMultipart, uploadToBuffer } from '../../../core/http/multipart.ts';
import { DETECTION_EXPORT_FORMATS } from '../formats/write.ts';
import type { DetectionDatasetService } from './service.ts';

/** What the detection dataset routes use. */
export interface DetectionDatasetRouteDeps {
  datasets: Pick<DetectionDatasetService, 'list' | 'get' | 'importZip' | 'listImages' | 'imageBytes' | 'addImages' | 'trainingSet' | 'exportZip'>;
  maxUploadBytes: number;
}

const tags = { tags: ['detection'] };
const nameParams = z.object({ name: z.string().min(1).max(100) });
const ZIP_FIX = 'Send multipart/form-data with an optional "name" field, then the zip in a part named "file" (a folder like metal-tags: images/ plus labels.csv, a Ground Truth manifest, YOLO labels + dataset.yaml or a COCO JSON).';
const IMAGE_FIX = 'Send multipart/form-data with an optional "source" field, then the image in a part named "file".';

export async function detectionDatasetRoutes(app: FastifyInstance, deps: DetectionDatasetRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { datasets } = deps;

  r.get('/detection/datasets', { schema: { ...tags, summary: 'List detection datasets (name, classes, image count)' } }, async () => ({ items: await datasets.list() }));

  r.post('/detection/datasets', { schema: { ...tags, summary: 'Import a detection dataset from a zip upload (field "name", then part "file"); every bad row is refused with its fix, nothing stored', consumes: ['multipart/form-data'] } }, async (req, reply) => {
    const { fields, file } = await readMultipart(req, { maxBytes: deps.maxUploadBytes, fields: ['name'], defaultFileName: 'dataset.zip', noun: 'zip', fix: ZIP_FIX, missingFileFix: ZIP_FIX });
    const dir = await mkdtemp(join(tmpdir(), 'sagebrush-upload-'));
    try {
      const path = join(dir, 'upload.zip');
      await consumeUpload(file, (f) => pipeline(f.stream, createWriteStream(path)));
      return reply.status(201).send(await datasets.importZip(path, { fileName: file.fileName, ...(fields.name ? { name: fields.name } : {}) }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  r.get('/detection/datasets/:name', { schema: { ...tags, summary: 'One detection dataset', params: nameParams } }, async (req) => datasets.get(req.params.name));

  r.get('/detection/datasets/:name/images', {
    schema: { ...tags, summary: 'Images in ref order with their latest label (any status; null when unlabeled), paginated', params: nameParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().max(4000).optional() }) },
  }, async (req) => datasets.listImages(req.params.name, req.query));

  r.get('/detection/datasets/:name/image', { schema: { ...tags, summary: "An image's bytes with its content type (?ref=images/bad/a.jpg)", params: nameParams, querystring: z.object({ ref: z.string().min(1).max(2000) }) } }, async (req, reply) => {
    const img = await datasets.imageBytes(req.params.name, req.query.ref);
    return reply.header('content-type', img.contentType).header('cache-control', 'private, max-age=3600').header('etag', `"${img.sha256}"`).header('x-content-type-options', 'nosniff').send(img.bytes);
  });

  r.post('/detection/datasets/:name/images', { schema: { ...tags, summary: 'Add an image unlabeled (field "source", then part "file"); returns its ref and size', params: nameParams, consumes: ['multipart/form-data'] } }, async (req, reply) => {
    const { fields, file } = await readMultipart(req, { maxBytes: deps.maxUploadBytes, fields: ['source'], defaultFileName: 'image', noun: 'image', fix: IMAGE_FIX, missingFileFix: IMAGE_FIX });
    const bytes = await uploadToBuffer(file);
    return reply.status(201).send({ items: await datasets.addImages(req.params.name, [{ name: file.fileName, bytes }], fields.source ? { source: fields.source } : {}) });
  });

  r.get('/detection/datasets/:name/training-set', { schema: { ...tags, summary: 'The training set: the latest APPROVED label per image (classes + images with boxes in pixels)', params: nameParams } }, async (req) => datasets.trainingSet(req.params.name));

  r.get('/detection/datasets/:name/export', {
    schema: { ...tags, summary: 'The training set as a zip: images + label files in groundtruth (output.manifest), yolo (dataset.yaml + labels/) or coco (annotations.json)', params: nameParams, querystring: z.object({ format: z.enum(DETECTION_EXPORT_FORMATS) }) },
  }, async (req, reply) => {
    const out = await datasets.exportZip(req.params.name, req.query.format);
    return reply.header('content-type', 'application/zip').header('content-disposition', contentDisposition(out.fileName)).send(out.stream);
  });
}
