/**
 * OpenAI-compatible routes under /v1 (`model` = the endpoint name): chat completions, completions and the
 * model list, with streaming as server-sent events (`data: {chunk}` … `data: [DONE]`) and usage counts.
 * Errors keep Sagebrush's problem+json fields and add OpenAI's `error: {message, type, code}` for clients.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { toProblem } from '../../core/http/problem.ts';
import { eulaAcceptedBy } from './eula.ts';
import type { RunOptions, RunResult } from './instance.ts';
import { fromOpenAi, openAiChatBodySchema, openAiCompletionBodySchema } from './params.ts';
import { retryAfterHook } from './routes.ts';
import { LLM_MODEL_KIND } from './runtime.ts';
import type { LlmService } from './service.ts';
import { lazySse, type SseStream } from './sse.ts';
import { nameFromBodyModel, recordInvocation } from '../endpoints/hook.ts';
import type { EndpointMetrics } from '../endpoints/metrics.ts';
import type { EndpointService } from '../endpoints/service.ts';

/** What the OpenAI-compatible routes use. */
export interface OpenAiRouteDeps {
  llm: LlmService;
  /** `GET /v1/models` lists the LLM endpoints. */
  endpoints: Pick<EndpointService, 'list'>;
  /** Invocation counts and latency per endpoint (the endpoint is the body's `model`). */
  metrics: EndpointMetrics;
}

const OPENAI_FINISH = { stop: 'stop', length: 'length', abort: 'stop' } as const;

function usage(r: RunResult) {
  return { prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens };
}

function timings(r: RunResult) {
  return { time_to_first_token: r.timeToFirstToken, tokens_per_second: r.tokensPerSecond, queue_seconds: r.queueSeconds, truncated_prompt_tokens: r.truncatedTokens };
}

/** The fields every completion object and chunk starts with. */
function headOf(prefix: string, object: string, model: string) {
  return { id: `${prefix}-${randomBytes(12).toString('hex')}`, object, created: Math.floor(Date.now() / 1000), model };
}

/** Both routes run with the body's truncation, and name OpenAI's `max_tokens` in length errors. */
const runOptions = (b: { truncate?: boolean | undefined }): RunOptions => ({ truncate: b.truncate, maxLabel: 'max_tokens' });

/**
 * Streams one generation as server-sent events: `generate` sends the chunks while it runs; then the last chunk
 * (`finalChoices`) with usage and timings, a usage-only chunk when `include_usage` asks for one, and `[DONE]`.
 */
async function streamed(
  req: FastifyRequest,
  reply: FastifyReply,
  chunk: { id: string; object: string; created: number; model: string },
  includeUsage: boolean | undefined,
  generate: (sse: SseStream) => Promise<RunResult>,
  finalChoices: (run: RunResult) => unknown[],
): Promise<FastifyReply> {
  const sse = lazySse(req, reply);
  try {
    const run = await generate(sse);
    sse.send({ ...chunk, choices: finalChoices(run), usage: usage(run), timings: timings(run) });
    if (includeUsage) sse.send({ ...chunk, choices: [], usage: usage(run) });
    sse.send('[DONE]');
    sse.end();
  } catch (err) {
    sse.fail(err);
  }
  return reply;
}

const completionSchema = { tags: ['openai'], summary: 'OpenAI-compatible text completion (model = endpoint name; stream for SSE)', body: openAiCompletionBodySchema };
const chatSchema = { tags: ['openai'], summary: 'OpenAI-compatible chat completion (model = endpoint name; stream for SSE)', body: openAiChatBodySchema };

export async function openAiRoutes(app: FastifyInstance, deps: OpenAiRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { llm } = deps;
  const onResponse = recordInvocation(deps.metrics, nameFromBodyModel);
  app.addHook('onError', retryAfterHook);
  app.setErrorHandler((err, request, reply) => {
    const { body, internal } = toProblem(err, request.id, request.url);
    if (internal) request.log.error({ err, requestId: request.id }, 'unhandled error');
    const type = body.status >= 500 ? 'server_error' : body.status === 429 ? 'rate_limit_error' : body.status === 401 ? 'authentication_error' : 'invalid_request_error';
    return reply.status(body.status).type('application/problem+json').send({ ...body, error: { message: body.detail, type, code: body.code, param: body.problems?.[0]?.field ?? null } });
  });

  r.get('/models', { schema: { tags: ['openai'], summary: 'OpenAI-compatible: the LLM endpoints, as models' } }, async () => {
    const page = await deps.endpoints.list({ limit: 200 });
    const data = page.items.filter((e) => e.kind === LLM_MODEL_KIND).map((e) => ({ id: e.name, object: 'model', created: Math.floor(Date.parse(e.createdAt) / 1000), owned_by: 'sagebrush', model: e.model }));
    return { object: 'list', data };
  });

  r.post('/completions', { schema: completionSchema, onResponse }, async (req, reply) => {
    const b = req.body;
    const { instance } = await llm.endpoint(b.model, eulaAcceptedBy(req));
    const prompt = typeof b.prompt === 'string' ? b.prompt : b.prompt[0]!;
    const params = fromOpenAi(b, 16);
    const input = { tokens: instance.promptTokens(prompt) };
    const head = headOf('cmpl', 'text_completion', b.model);
    if (!b.stream) {
      const run = await instance.run(input, params, runOptions(b));
      return { ...head, choices: [{ text: (b.echo ? prompt : '') + run.text, index: 0, logprobs: null, finish_reason: OPENAI_FINISH[run.finishReason] }], usage: usage(run), timings: timings(run) };
    }
    const choice = (text: string, finish: string | null) => [{ text, index: 0, logprobs: null, finish_reason: finish }];
    return streamed(req, reply, head, b.stream_options?.include_usage, async (sse) => {
      if (b.echo) sse.send({ ...head, choices: choice(prompt, null) });
      return instance.run(input, params, { ...runOptions(b), signal: sse.signal, onToken: (text) => sse.send({ ...head, choices: choice(text, null) }) });
    }, (run) => choice('', OPENAI_FINISH[run.finishReason]));
  });

  r.post('/chat/completions', { schema: chatSchema, onResponse }, async (req, reply) => {
    const b = req.body;
    const { instance } = await llm.endpoint(b.model, eulaAcceptedBy(req));
    const messages = b.messages.map((m) => ({ role: m.role, content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join('') }));
    const input = instance.chatPrompt(messages);
    const params = fromOpenAi(b);
    const head = headOf('chatcmpl', 'chat.completion', b.model);
    if (!b.stream) {
      const run = await instance.run(input, params, runOptions(b));
      return { ...head, choices: [{ index: 0, message: { role: 'assistant', content: run.text.trimStart() }, logprobs: null, finish_reason: OPENAI_FINISH[run.finishReason] }], usage: usage(run), timings: timings(run) };
    }
    const chunk = { ...head, object: 'chat.completion.chunk' };
    const delta = (d: { role?: 'assistant'; content?: string }, finish: string | null) => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];
    return streamed(req, reply, chunk, b.stream_options?.include_usage, async (sse) => {
      let leading = true;
      const run = await instance.run(input, params, {
        ...runOptions(b),
        signal: sse.signal,
        onToken: (piece) => {
          // The first chunk carries the role; leading whitespace is dropped, as in the non-streaming answer.
          const text = leading ? piece.trimStart() : piece;
          if (text === '') return;
          sse.send({ ...chunk, choices: delta(leading ? { role: 'assistant', content: text } : { content: text }, null) });
          leading = false;
        },
      });
      if (leading) sse.send({ ...chunk, choices: delta({ role: 'assistant', content: '' }, null) });
      return run;
    }, (run) => delta({}, OPENAI_FINISH[run.finishReason]));
  });
}
