/**
 * The `llm` model kind: its runtime (runtime.ts: one loaded GGUF per process, a context and queue per endpoint),
 * the JumpStart licence header on endpoint create/update, and its invocation routes under /endpoints/:name/ —
 * TGI / JumpStart `invocations` (TGI's generate_stream SSE when `stream: true`), `infill`, and `GET llm` (the
 * endpoint as loaded, for the playground). 429 answers carry Retry-After.
 *
 * Unlike text and images, the routes find their endpoint with `llm.endpoint` rather than `ctx.served`: it also
 * checks the licence (accept_eula) and loads the instance, and its CONFLICT message for a non-LLM endpoint is the
 * one the OpenAI routes and summarization give too.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { InvocationContext, ModelKindDefinition } from '../models/kinds.ts';
import { eulaAcceptedBy, eulaAcceptedInRequest } from './eula.ts';
import { fromTgi, infillBodySchema, invocationBodySchema } from './params.ts';
import { retryAfterHook } from './routes.ts';
import { LLM_MODEL_KIND } from './runtime.ts';
import { classifyInputs, tgiFinishReason, type LlmService } from './service.ts';
import { lazySse } from './sse.ts';

type KindLlm = Pick<LlmService, 'runtime' | 'endpoint' | 'invoke' | 'infill'>;

const nameParam = z.object({ name: z.string().min(1) });

async function llmInvocationRoutes(app: FastifyInstance, ctx: InvocationContext, llm: KindLlm): Promise<void> {
  app.addHook('onError', retryAfterHook);
  const r = app.withTypeProvider<ZodTypeProvider>();
  /** The named endpoint's model, after the licence check (accept_eula in the body, the SageMaker header or the query). */
  const instanceFor = async (req: Parameters<typeof eulaAcceptedBy>[0] & { params: { name: string } }) => (await llm.endpoint(req.params.name, eulaAcceptedBy(req))).instance;

  r.get('/endpoints/:name/llm', { schema: { tags: ['llm'], summary: 'An LLM endpoint as loaded: context size, threads, chat and FIM templates, queue', params: nameParam } }, async (req) => {
    const { instance, model } = await llm.endpoint(req.params.name, true);
    return { ...instance.info(), gguf: (model.meta as { gguf?: unknown }).gguf ?? null, license: (model.meta as { license?: unknown }).license ?? null, requiresEula: (model.meta as { requiresEula?: unknown }).requiresEula ?? false };
  });

  r.post('/endpoints/:name/invocations', {
    schema: { tags: ['llm'], summary: 'TGI / JumpStart text generation ({"inputs": "…"} → [{"generated_text"}]) or Llama-2 chat ({"inputs": [[{role, content}]]} → [{"generation"}])', params: nameParam, body: invocationBodySchema },
    onResponse: ctx.onResponse,
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
    onResponse: ctx.onResponse,
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
}

/** The model-kind table's entry for LLMs (registered in app/services.ts); the OpenAI routes (openai.ts, keyed by body `model`) serve them too. */
export function llmKind(llm: KindLlm): ModelKindDefinition {
  return {
    kind: LLM_MODEL_KIND,
    label: 'LLM',
    runtime: llm.runtime,
    invocations: [
      { method: 'POST', path: 'invocations', summary: 'TGI / JumpStart text generation or Llama-2 chat; stream: true for SSE' },
      { method: 'POST', path: 'infill', summary: "Fill in the middle between prefix and suffix with the model's FIM template" },
      { method: 'GET', path: 'llm', summary: 'The endpoint as loaded: context size, threads, chat and FIM templates, queue' },
    ],
    routes: (app, ctx) => llmInvocationRoutes(app, ctx, llm),
    // JumpStart: `X-Amzn-SageMaker-Custom-Attributes: accept_eula=true` on create/update accepts the model's licence.
    configFromHeaders: (headers) => (eulaAcceptedInRequest(headers) ? { acceptEula: true } : undefined),
  };
}
