import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../core/errors.ts';
import { consumeUpload, readMultipart, uploadForm, type UploadRouteDeps } from '../../core/http/multipart.ts';
import { defaultsQuery, fileParams, jobIdParams, summarizeRequestSchema } from './schema.ts';
import { formFieldsToBody, type SummarizeService } from './service.ts';
import { contentDisposition } from '../../core/http/contentDisposition.ts';

const tags = { tags: ['summarize'] };
const MISSING_FILE_FIX = 'Attach the document as the "file" part (after the option fields), or send JSON with "text".';

/** What the summarize routes use. */
export interface SummarizeRouteDeps extends UploadRouteDeps {
  summarize: SummarizeService;
}

export async function summarizeRoutes(app: FastifyInstance, deps: SummarizeRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { summarize } = deps;
  // Option fields are checked by the service (the same schema as the JSON body); the file comes last.
  const documentForm = uploadForm(deps, { defaultFileName: 'document.txt', noun: 'document', fileOptional: true as const, missingFileFix: MISSING_FILE_FIX });

  r.post('/summarize', {
    schema: {
      ...tags,
      summary: 'Summarize a document: JSON {text | dataset, engine, mode, …} or multipart (option fields, then the file) → 202 + job (summarize.run)',
      consumes: ['application/json', 'multipart/form-data'],
      // Optional so a multipart request (no parsed body) passes; its fields are validated by the service.
      body: summarizeRequestSchema.nullish(),
    },
  }, async (req, reply) => {
    if (!req.isMultipart()) return reply.status(202).send(await summarize.start(req.body ?? {}));
    const { fields, file } = await readMultipart(req, documentForm);
    if (file) return reply.status(202).send(await consumeUpload(file, (f) => summarize.startUpload(fields, { fileName: f.fileName, stream: f.stream })));
    // A form without a file may carry the text (or a dataset) as a field.
    if (fields.text !== undefined || fields.dataset !== undefined) return reply.status(202).send(await summarize.start(formFieldsToBody(fields)));
    throw new AppError('VALIDATION_FAILED', 'The form has no "file" part.', { problems: [{ field: 'file', problem: 'missing', fix: MISSING_FILE_FIX }] });
  });

  r.get('/summarize/defaults', {
    schema: { ...tags, summary: 'Default prompts and settings; with ?endpoint=NAME the chunk size, output budget and token_max derived from its context window', querystring: defaultsQuery },
  }, async (req) => summarize.defaults(req.query));

  r.get('/summarize/:jobId', {
    schema: { ...tags, summary: 'A summarization job with its result (or, when it failed or was cancelled, the intermediate summaries kept)', params: jobIdParams },
  }, async (req) => summarize.get(req.params.jobId));

  r.get('/summarize/:jobId/files/:file', {
    schema: { ...tags, summary: 'Download summary.md, result.json (everything, with intermediate summaries) or partial.json', params: fileParams },
  }, async (req, reply) => {
    const body = await summarize.file(req.params.jobId, req.params.file);
    return reply
      .type(req.params.file.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'application/json')
      .header('content-disposition', contentDisposition(req.params.file))
      .send(body);
  });
}
