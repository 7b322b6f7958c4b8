/** /api/v1/datasets: thin routes over the datasets service (see docs/CONTRACTS.md). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../core/errors.ts';
import { consumeUpload, readMultipart, uploadForm, type UploadRouteDeps } from '../../core/http/multipart.ts';
import type { DatasetService } from './service.ts';
import {
  datasetWithVersionsSchema,
  datasetVersionSchema,
  idParamsSchema,
  listQuerySchema,
  listSchema,
  previewQuerySchema,
  previewSchema,
  uploadAcceptedSchema,
  uploadDoneSchema,
  uploadFieldsSchema,
  uploadQuerySchema,
  UPLOAD_FIELDS,
  versionParamsSchema,
} from './schema.ts';
import { contentDisposition } from '../../core/http/contentDisposition.ts';

const tags = ['datasets'];

/** What the dataset routes use. */
export interface DatasetRouteDeps extends UploadRouteDeps {
  datasets: DatasetService;
}

export async function datasetRoutes(app: FastifyInstance, deps: DatasetRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { datasets } = deps;
  // Fields first, then the file; a field after the file fails the upload instead of being ignored.
  const form = uploadForm(deps, { fields: UPLOAD_FIELDS, defaultFileName: 'upload', missingFileFix: 'Add the file in a part named "file" (curl: -F file=@data.csv).' });

  r.post('/datasets', {
    schema: {
      tags,
      summary: 'Upload a dataset file (multipart: file + name, description, format, header); a known name adds a version',
      consumes: ['multipart/form-data'],
      querystring: uploadQuerySchema,
      response: { 201: uploadDoneSchema, 202: uploadAcceptedSchema },
    },
  }, async (req, reply) => {
    const { fields: raw, file } = await readMultipart(req, form);
    const fields = uploadFieldsSchema.safeParse(raw);
    if (!fields.success) {
      file.discard();
      const problems = fields.error.issues.map((i) => ({ field: i.path.join('.'), problem: i.message, fix: 'format: auto|csv|tsv|jsonl|zip; header: auto|true|false; name: 1-100 characters.' }));
      throw new AppError('VALIDATION_FAILED', `Invalid upload form: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
    }
    const accepted = await consumeUpload(file, (f) => datasets.upload({ stream: f.stream, fileName: f.fileName, ...fields.data }));
    if (!req.query.wait) return reply.status(202).send(accepted);
    const abort = new AbortController();
    const onClose = () => abort.abort(new AppError('BAD_REQUEST', 'The client went away'));
    req.raw.once('close', onClose);
    try {
      return reply.status(201).send(await datasets.waitForImport(accepted.job.id, { signal: abort.signal }));
    } finally {
      req.raw.off('close', onClose);
    }
  });

  r.get('/datasets', {
    schema: { tags, summary: 'List datasets, newest first', querystring: listQuerySchema, response: { 200: listSchema } },
  }, async (req) => datasets.list(req.query));

  r.get('/datasets/:idOrName', {
    schema: { tags, summary: 'A dataset and its versions', params: idParamsSchema, response: { 200: datasetWithVersionsSchema } },
  }, async (req) => datasets.get(req.params.idOrName));

  r.get('/datasets/:idOrName/versions/:n', {
    schema: { tags, summary: 'One version: schema, stats, warnings', params: versionParamsSchema, response: { 200: datasetVersionSchema } },
  }, async (req) => datasets.getVersion(req.params.idOrName, req.params.n));

  r.get('/datasets/:idOrName/versions/:n/preview', {
    schema: { tags, summary: 'A page of rows (or images: path, label, bytes)', params: versionParamsSchema, querystring: previewQuerySchema, response: { 200: previewSchema } },
  }, async (req) => datasets.preview(req.params.idOrName, req.params.n, req.query));

  r.get('/datasets/:idOrName/versions/:n/file', {
    schema: { tags, summary: 'The original file as uploaded', params: versionParamsSchema },
  }, async (req, reply) => {
    const file = await datasets.openFile(req.params.idOrName, req.params.n);
    return reply
      .type(file.contentType)
      .header('content-length', file.sizeBytes)
      .header('content-disposition', contentDisposition(file.fileName))
      .header('etag', `"${file.sha256}"`)
      .send(file.stream);
  });

  r.delete('/datasets/:idOrName', {
    schema: { tags, summary: 'Delete a dataset with all versions and files', params: idParamsSchema },
  }, async (req, reply) => {
    await datasets.delete(req.params.idOrName);
    return reply.status(204).send();
  });
}
