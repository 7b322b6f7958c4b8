/**
 * /api/v1 routes of the LLM domain: the GGUF catalog, TGI/JumpStart invocations (with TGI's
 * generate_stream SSE when `stream: true`), infill, and endpoint info for the playground.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, isAppError } from '../../core/errors.ts';
import { consumeUpload, readMultipart } from '../../core/http/multipart.ts';
import { eulaAcceptedBy } from './eula.ts';
import { fromTgi, infillBodySchema, invocationBodySchema } from './params.ts';
import { classifyInputs, tgiFinishReason, type LlmService } from './service.ts';
import { lazySse } from './sse.ts';
import { nameFromParams, recordInvocation } from '../endpoints/hook.ts';
import type { EndpointMetrics } from '../endpoints/metrics.ts';

/** What the /api/v1 LLM routes use. */
export interface LlmRouteDeps {
  llm: LlmService;
  /** Invocation counts and latency per endpoint (invocations and infill). */
  metrics: EndpointMetrics;
  /** The GGUF upload limit (config maxUploadBytes), for the multipart reader's 413. */
  maxUploadBytes: number;
}

const nameParam = z.object({ name: z.string().min(1) });
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

/** 429 answers carry Retry-After (seconds), as the queue estimated it. */
export async function retryAfterHook(_req: FastifyRequest, reply: FastifyReply, err: Error): Promise<void> {
  if (isAppError(err) && err.code === 'RATE_LIMITED' && typeof err.extra?.retryAfter === 'number') reply.header('retry-after', String(err.extra.retryAfter));
}

export async function llmRoutes(app: FastifyInstance, deps: LlmRouteDeps): Promise<void> {
  await app.register(async (sub) => {
    sub.addHook('onError', retryAfterHook);
    const r = sub.withTypeProvider<ZodTypeProvider>();
    const { llm } = deps;
    const onResponse = recordInvocation(deps.metrics, nameFromParams);
    /** The named endpoint's model, after the licence check (accept_eula in the body, the SageMaker header or the query). */
    const instanceFor = async (req: Parameters<typeof eulaAcceptedBy>[0] & { params: { name: string } }) => (await llm.endpoint(req.params.name, eulaAcceptedBy(req))).instance;

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

    r.get('/endpoints/:name/llm', { schema: { tags: ['llm'], summary: 'An LLM endpoint as loaded: context size, threads, chat and FIM templates, queue', params: nameParam } }, async (req) => {
      const { instance, model } = await llm.endpoint(req.params.name, true);
      return { ...instance.info(), gguf: (model.meta as { gguf?: unknown }).gguf ?? null, license: (model.meta as { license?: unknown }).license ?? null, requiresEula: (model.meta as { requiresEula?: unknown }).requiresEula ?? false };
    });

    r.post('/endpoints/:name/invocations', {
      schema: { tags: ['llm'], summary: 'TGI / JumpStart text generation ({"inputs": "…"} → [{"generated_text"}]) or Llama-2 chat ({"inputs": [[{role, content}]]} → [{"generation"}])', params: nameParam, body: invocationBodySchema },
      onResponse,
    }, async (req, reply) => {
      const instance = await instanceFor(req);
      if (!req.body.stream) return llm.invoke(instance, req.body);
      const inputs = classifyInputs(req.body.inputs);
      if (inputs.kind !== 'text' || inputs.texts.length !== 1) {
        throw new AppError('VALIDATION_FAILED', 'Streaming takes one text input.', { problems: [{ field: 'stream', problem: 'stream with several inputs or a dialog', fix: 'Stream one "inputs" string, or use /v1/chat/completions with stream for dialogs.' }] });
      }
      const p = req.body.parameters;
      const sse = lazySse(req, reply);
      let index = 0;
      try {
        const run = await instance.run({ tokens: instance.promptTokens(inputs.texts[0]!) }, fromTgi(p), {
          truncate: p?.truncate,
          signal: sse.signal,
          onToken: (text, tokens) => sse.send({ index: ++index, token: { id: tokens.length === 1 ? tokens[0] : null, text, logprob: null, special: false }, generated_text: null, details: null }),
        });
        const text = p?.return_full_text ? inputs.texts[0] + run.text : run.text;
        sse.send({ index: ++index, token: { id: null, text: '', logprob: null, special: true }, generated_text: text, details: { finish_reason: tgiFinishReason(run.finishReason), generated_tokens: run.completionTokens, prompt_tokens: run.promptTokens, seed: p?.seed ?? null, time_to_first_token: run.timeToFirstToken, tokens_per_second: run.tokensPerSecond } });
        sse.end();
      } catch (err) {
        sse.fail(err);
      }
      return reply;
    });

    r.post('/endpoints/:name/infill', {
      schema: { tags: ['llm'], summary: 'Fill in the middle between prefix and suffix with the model\'s FIM template (Code Llama <PRE> <SUF> <MID>, StarCoder, DeepSeek, Qwen-coder)', params: nameParam, body: infillBodySchema },
      onResponse,
    }, async (req, reply) => {
      const instance = await instanceFor(req);
      const shape = (prompt: { template: string; display: string; native: boolean }, run: { text: string; finishReason: string; promptTokens: number; completionTokens: number; timeToFirstToken: number; tokensPerSecond: number }) => ({
        generated_text: run.text,
        prefix: req.body.prefix,
        suffix: req.body.suffix,
        template: prompt.template,
        native_tokens: prompt.native,
        prompt: prompt.display,
        finish_reason: run.finishReason,
        usage: { prompt_tokens: run.promptTokens, completion_tokens: run.completionTokens, total_tokens: run.promptTokens + run.completionTokens },
        timings: { time_to_first_token: run.timeToFirstToken, tokens_per_second: run.tokensPerSecond },
      });
      if (!req.body.stream) {
        const { prompt, result } = await llm.infill(instance, req.body);
        return shape(prompt, result);
      }
      const sse = lazySse(req, reply);
      try {
        const { prompt, result } = await llm.infill(instance, req.body, { signal: sse.signal, onToken: (text) => sse.send({ text }) });
        sse.send({ done: true, ...shape(prompt, result) });
        sse.end();
      } catch (err) {
        sse.fail(err);
      }
      return reply;
    });
  });
}
