/**
 * /api/v1 routes of the LLM domain: the GGUF catalog (register, list, licence). The endpoint routes (TGI/JumpStart
 * invocations, infill, endpoint info) belong to the llm model kind (kind.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, isAppError } from '../../core/errors.ts';
import { consumeUpload, readMultipart } from '../../core/http/multipart.ts';
import type { LlmService } from './service.ts';

/** What the /api/v1 LLM routes use. */
export interface LlmRouteDeps {
  llm: Pick<LlmService, 'registerStream' | 'registerPath' | 'catalog'>;
  /** The GGUF upload limit (config maxUploadBytes), for the multipart reader's 413. */
  maxUploadBytes: number;
}

const versionParams = z.object({ name: z.string().min(1), version: z.coerce.number().int().positive() });

const registerBody = z
  .object({
    path: z.string().min(1).describe('a GGUF file on the server; referenced in place unless copy is true'),
    name: z.string().min(1).optional(),
    license: z.string().optional().describe('licence id, e.g. llama2, apache-2.0, mit (default: general.license from the file)'),
    requiresEula: z.boolean().optional().describe('override: whether deploying/answering needs accept_eula=true (default: true for Llama-family licences)'),
    copy: z.boolean().optional().describe('store a copy in the artifact store'),
    description: z.string().optional(),
  })
  .strict();

const REGISTER_FIELDS = ['name', 'license', 'requiresEula', 'description'] as const;

/** 429 answers carry Retry-After (seconds), as the queue estimated it (the llm kind's routes and the OpenAI routes). */
export async function retryAfterHook(_req: FastifyRequest, reply: FastifyReply, err: Error): Promise<void> {
  if (isAppError(err) && err.code === 'RATE_LIMITED' && typeof err.extra?.retryAfter === 'number') reply.header('retry-after', String(err.extra.retryAfter));
}

export async function llmRoutes(app: FastifyInstance, deps: LlmRouteDeps): Promise<void> {
  await app.register(async (sub) => {
    sub.addHook('onError', retryAfterHook);
    const r = sub.withTypeProvider<ZodTypeProvider>();
    const { llm } = deps;

    r.post('/llm/models', {
      schema: { tags: ['llm'], summary: 'Register a GGUF model: JSON {path} (file on the server) or multipart upload (fields, then "file")', body: registerBody.nullish() },
    }, async (req, reply) => {
      if (req.isMultipart()) {
        const { fields: f, file } = await readMultipart(req, {
          maxBytes: deps.maxUploadBytes, fields: REGISTER_FIELDS, defaultFileName: 'model.gguf',
          missingFileFix: 'Send the GGUF in a part named "file" (curl -F file=@model.gguf), or JSON {"path": …}.',
        });
        const model = await consumeUpload(file, (u) => llm.registerStream(
          { name: f.name || undefined, license: f.license || undefined, requiresEula: f.requiresEula === undefined || f.requiresEula === '' ? undefined : /^(true|1|yes)$/i.test(f.requiresEula), description: f.description },
          u.fileName,
          u.stream,
        ));
        return reply.status(201).send(model);
      }
      if (!req.body) throw new AppError('VALIDATION_FAILED', 'Send JSON {"path": …} or a multipart upload with a "file" part.', { problems: [{ field: 'body', problem: 'empty body', fix: 'Send {"path": "/models/x.gguf"} or upload the file.' }] });
      return reply.status(201).send(await llm.registerPath(req.body));
    });

    r.get('/llm/models', {
      schema: { tags: ['llm'], summary: 'LLM model versions with their GGUF metadata', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().optional() }) },
    }, async (req) => llm.catalog.list(req.query));

    r.patch('/llm/models/:name/versions/:version', {
      schema: { tags: ['llm'], summary: 'Change the licence or EULA flag of an LLM model version', params: versionParams, body: z.object({ license: z.string().nullable().optional(), requiresEula: z.boolean().optional() }).strict() },
    }, async (req) => llm.catalog.updateLicense(req.params.name, req.params.version, req.body));
  });
}
