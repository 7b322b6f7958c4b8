/**
 * OpenAI-compatible routes under /v1 (`model` = the endpoint name): chat completions, completions and the
 * model list, with streaming as server-sent events (`data: {chunk}` … `data: [DONE]`) and usage counts.
 * Errors keep Sagebrush's problem+json fields and add OpenAI's `error: {message, type, code}` for clients.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app/context.ts';
import { toProblem } from '../../core/http/problem.ts';
import { eulaAcceptedInRequest } from './eula.ts';
import type { RunResult } from './instance.ts';
import { fromOpenAi, openAiChatBodySchema, openAiCompletionBodySchema } from './params.ts';
import { retryAfterHook } from './routes.ts';
import { LLM_MODEL_KIND } from './runtime.ts';
import { lazySse } from './sse.ts';
import { nameFromBodyModel, recordInvocation } from '../endpoints/hook.ts';

const OPENAI_FINISH = { stop: 'stop', length: 'length', abort: 'stop' } as const;

function usage(r: RunResult) {
  return { prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens };
}

function timings(r: RunResult) {
  return { time_to_first_token: r.timeToFirstToken, tokens_per_second: r.tokensPerSecond, queue_seconds: r.queueSeconds, truncated_prompt_tokens: r.truncatedTokens };
}

const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;

export async function openAiRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const llm = ctx.services.llm;
  const onResponse = recordInvocation(ctx.services.endpoints.metrics, nameFromBodyModel);
  app.addHook('onError', retryAfterHook);
  app.setErrorHandler((err, request, reply) => {
    const { body, internal } = toProblem(err, request.id, request.url);
    if (internal) request.log.error({ err, requestId: request.id }, 'unhandled error');
    const type = body.status >= 500 ? 'server_error' : body.status === 429 ? 'rate_limit_error' : body.status === 401 ? 'authentication_error' : 'invalid_request_error';
    return reply.status(body.status).type('application/problem+json').send({ ...body, error: { message: body.detail, type, code: body.code, param: body.problems?.[0]?.field ?? null } });
  });

  r.get('/models', { schema: { tags: ['openai'], summary: 'OpenAI-compatible: the LLM endpoints, as models' } }, async () => {
    const page = await ctx.services.endpoints.list({ limit: 200 });
    const data = page.items.filter((e) => e.kind === LLM_MODEL_KIND).map((e) => ({ id: e.name, object: 'model', created: Math.floor(Date.parse(e.createdAt) / 1000), owned_by: 'sagebrush', model: e.model }));
    return { object: 'list', data };
  });

  r.post('/completions', {
    schema: { tags: ['openai'], summary: 'OpenAI-compatible text completion (model = endpoint name; stream for SSE)', body: openAiCompletionBodySchema },
    onResponse,
  }, async (req, reply) => {
    const b = req.body;
    const { instance } = await llm.endpoint(b.model, b.accept_eula === true || eulaAcceptedInRequest(req.headers, req.query));
    const prompt = typeof b.prompt === 'string' ? b.prompt : b.prompt[0]!;
    const params = fromOpenAi(b, 16);
    const input = { tokens: instance.promptTokens(prompt) };
    const id = newId('cmpl');
    const created = Math.floor(Date.now() / 1000);
    const head = { id, object: 'text_completion', created, model: b.model };
    if (!b.stream) {
      const run = await instance.run(input, params, { truncate: b.truncate, maxLabel: 'max_tokens' });
      return { ...head, choices: [{ text: (b.echo ? prompt : '') + run.text, index: 0, logprobs: null, finish_reason: OPENAI_FINISH[run.finishReason] }], usage: usage(run), timings: timings(run) };
    }
    const sse = lazySse(req, reply);
    try {
      if (b.echo) sse.send({ ...head, choices: [{ text: prompt, index: 0, logprobs: null, finish_reason: null }] });
      const run = await instance.run(input, params, {
        truncate: b.truncate,
        maxLabel: 'max_tokens',
        signal: sse.signal,
        onToken: (text) => sse.send({ ...head, choices: [{ text, index: 0, logprobs: null, finish_reason: null }] }),
      });
      sse.send({ ...head, choices: [{ text: '', index: 0, logprobs: null, finish_reason: OPENAI_FINISH[run.finishReason] }], usage: usage(run), timings: timings(run) });
      if (b.stream_options?.include_usage) sse.send({ ...head, choices: [], usage: usage(run) });
      sse.send('[DONE]');
      sse.end();
    } catch (err) {
      sse.fail(err);
    }
    return reply;
  });

  r.post('/chat/completions', {
    schema: { tags: ['openai'], summary: 'OpenAI-compatible chat completion (model = endpoint name; stream for SSE)', body: openAiChatBodySchema },
    onResponse,
  }, async (req, reply) => {
    const b = req.body;
    const { instance } = await llm.endpoint(b.model, b.accept_eula === true || eulaAcceptedInRequest(req.headers, req.query));
    const messages = b.messages.map((m) => ({ role: m.role, content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join('') }));
    const input = instance.chatPrompt(messages);
    const params = fromOpenAi(b);
    const id = newId('chatcmpl');
    const created = Math.floor(Date.now() / 1000);
    const head = { id, object: 'chat.completion', created, model: b.model };
    if (!b.stream) {
      const run = await instance.run(input, params, { truncate: b.truncate, maxLabel: 'max_tokens' });
      return { ...head, choices: [{ index: 0, message: { role: 'assistant', content: run.text.trimStart() }, logprobs: null, finish_reason: OPENAI_FINISH[run.finishReason] }], usage: usage(run), timings: timings(run) };
    }
    const chunk = { ...head, object: 'chat.completion.chunk' };
    const sse = lazySse(req, reply);
    try {
      let leading = true;
      const run = await instance.run(input, params, {
        truncate: b.truncate,
        maxLabel: 'max_tokens',
        signal: sse.signal,
        onToken: (piece) => {
          // The first chunk carries the role; leading whitespace is dropped, as in the non-streaming answer.
          const text = leading ? piece.trimStart() : piece;
          if (text === '') return;
          sse.send({ ...chunk, choices: [{ index: 0, delta: leading ? { role: 'assistant', content: text } : { content: text }, logprobs: null, finish_reason: null }] });
          leading = false;
        },
      });
      if (leading) sse.send({ ...chunk, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
      sse.send({ ...chunk, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: OPENAI_FINISH[run.finishReason] }], usage: usage(run), timings: timings(run) });
      if (b.stream_options?.include_usage) sse.send({ ...chunk, choices: [], usage: usage(run) });
      sse.send('[DONE]');
      sse.end();
    } catch (err) {
      sse.fail(err);
    }
    return reply;
  });
}

