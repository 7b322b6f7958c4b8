import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentDisposition } from '../../core/http/contentDisposition.ts';
import { AppError } from '../../core/errors.ts';
import { consumeUpload, readMultipart, uploadForm, type UploadRouteDeps } from '../../core/http/multipart.ts';
import type { TextService } from './service.ts';
import { batchInputFormatSchema, evaluateRequestSchema, trainingCheckRequestSchema, trainRequestSchema } from './schema.ts';

const accepted = { tags: ['text'] };

/** What the text routes use. */
export interface TextRouteDeps extends UploadRouteDeps {
  text: TextService;
}

export async function textRoutes(app: FastifyInstance, deps: TextRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { text } = deps;
  const batchForm = uploadForm(deps, {
    fields: ['model', 'inputFormat', 'column'], defaultFileName: 'input.txt', noun: 'input',
    missingFileFix: 'Attach the input file as the "file" part.',
  });

  r.post('/text/classifiers', {
    schema: { ...accepted, summary: 'Train a text classifier from a dataset version (202 + job; the job result names the model version)', body: trainRequestSchema },
  }, async (req, reply) => reply.status(202).send(await text.train(req.body)));

  r.post('/text/classifiers/check', {
    schema: { ...accepted, summary: "Check a dataset version against training's data rules without training (dry run: 200 with ok and the problems)", body: trainingCheckRequestSchema },
  }, async (req) => text.checkTraining(req.body));

  r.post('/text/evaluations', {
    schema: { ...accepted, summary: 'Evaluate a text classifier on another labeled dataset (202 + job)', body: evaluateRequestSchema },
  }, async (req, reply) => reply.status(202).send(await text.evaluate(req.body)));

  r.post('/text/batch-jobs', {
    schema: {
      ...accepted,
      summary: 'Start a batch analysis job (multipart: file + fields model, inputFormat, column); 202 + job',
      consumes: ['multipart/form-data'],
    },
  }, async (req, reply) => {
    const { fields, file } = await readMultipart(req, batchForm);
    return consumeUpload(file, async (f) => {
      const model = fields.model;
      if (!model) throw new AppError('VALIDATION_FAILED', 'Send the "model" field before the file part.', { problems: [{ field: 'model', problem: 'missing (or after the file part)', fix: 'Put the model, inputFormat and column fields before the file in the form.' }] });
      const format = batchInputFormatSchema.safeParse(fields.inputFormat ?? 'one-doc-per-line');
      if (!format.success) {
        throw new AppError('VALIDATION_FAILED', `inputFormat must be one of ${batchInputFormatSchema.options.join(', ')}.`, { problems: [{ field: 'inputFormat', problem: `"${fields.inputFormat}" is not allowed`, fix: `Use ${batchInputFormatSchema.options.join(' | ')}.` }] });
      }
      return reply.status(202).send(await text.startBatch({ model, fileName: f.fileName, stream: f.stream, inputFormat: format.data, column: fields.column }));
    });
  });

  r.get('/text/batch-jobs/:id/output', {
    schema: { ...accepted, summary: 'Download the batch results (JSON Lines, or Comprehend-style output.tar.gz)', params: z.object({ id: z.string() }), querystring: z.object({ format: z.enum(['jsonl', 'tar.gz']).default('jsonl') }) },
  }, async (req, reply) => {
    const out = await text.batchOutput(req.params.id, req.query.format);
    return reply
      .type(req.query.format === 'jsonl' ? 'application/x-ndjson' : 'application/gzip')
      .header('content-disposition', contentDisposition(out.fileName))
      .send(out.body);
  });
}
