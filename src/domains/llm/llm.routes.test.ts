/**
 * LLM endpoints through the real app (in-process) on the tiny stories260K GGUF: catalog, TGI / Llama-2 /
 * OpenAI payloads field by field (streaming included), licence gating, context overflow, queue-full 429,
 * infill, and the LlmHandle contract used by summarization.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { loadConfig } from '../../core/config.ts';
import { buildApp } from '../../http/app.ts';
import { multipart, sseEvents, TINY_GGUF, tinyModelMissing } from './testing/tinyModel.ts';

const missing = tinyModelMissing();
const EP = 'tiny';
const tgi = (payload: unknown, headers: Record<string, string> = {}, name = EP) => ({ method: 'POST' as const, url: `/api/v1/endpoints/${name}/invocations`, payload: payload as object, headers });

describe.skipIf(missing !== null)(`LLM endpoints on stories260K${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let dir: string;
  let ctx: AppContext;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-llm-'));
    ctx = await createAppContext(loadConfig({ overrides: { dataDir: dir, logLevel: 'warn' }, env: {} }));
    app = await buildApp(ctx);
    const reg = await app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: { path: TINY_GGUF, name: 'stories', license: 'mit' } });
    expect(reg.statusCode, reg.body).toBe(201);
    const ep = await app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: EP, model: 'stories', config: { threads: 1, contextSize: 256, maxQueue: 2 } } });
    expect(ep.statusCode, ep.body).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('catalog', () => {
    it('registers a GGUF by path with its metadata (referenced in place)', async () => {
      const m = (await app.inject({ method: 'GET', url: '/api/v1/models/stories/versions/1' })).json();
      expect(m).toMatchObject({ name: 'stories', version: 1, kind: 'llm', status: 'ready', artifacts: {} });
      expect(m.meta.gguf).toMatchObject({
        ggufVersion: 3,
        architecture: 'llama',
        name: 'stories260K (karpathy/tinyllamas)',
        contextLength: 512,
        layers: 5,
        vocabSize: 512,
        tokenizer: 'llama',
        chatTemplate: null,
        fileType: 0,
        quantization: 'F32',
        tensorTypes: { F32: 1 },
        sizeBytes: 1185472,
        specialTokens: { bos: { id: 1, text: '<s>' }, eos: { id: 2, text: '</s>' }, unk: { id: 0, text: '<unk>' }, addBos: true, fim: null },
      });
      // dim 64, hidden 172, 5 layers, 8 heads / 4 KV heads, vocab 512, untied output: 292,800 weights.
      expect(m.meta.gguf.parameterCount).toBe(292_800);
      expect(m.meta).toMatchObject({ license: 'mit', requiresEula: false, source: { type: 'path', path: TINY_GGUF, sizeBytes: 1185472 } });
      const list = (await app.inject({ method: 'GET', url: '/api/v1/llm/models' })).json();
      expect(list.items.map((x: { name: string }) => x.name)).toContain('stories');
    });

    it('registers an upload into the artifact store (sha256 recorded, downloadable)', async () => {
      const { body, contentType } = multipart({ name: 'stories-upload', license: 'llama2' }, { name: 'stories260K.gguf', content: readFileSync(TINY_GGUF) });
      const res = await app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: body, headers: { 'content-type': contentType } });
      expect(res.statusCode, res.body).toBe(201);
      const m = res.json();
      expect(m).toMatchObject({ name: 'stories-upload', kind: 'llm', status: 'ready', artifacts: { 'model.gguf': `models/${m.id}/model.gguf` } });
      expect(m.meta).toMatchObject({ license: 'llama2', requiresEula: true, source: { type: 'artifact', sizeBytes: 1185472, sha256: '74ca6a001630a87f06c1abe7a51aa9d7c07e3ad38478bc4747cb6a42292057db' } });
      const dl = await app.inject({ method: 'GET', url: '/api/v1/models/stories-upload/versions/1/artifacts/model.gguf' });
      expect(dl.rawPayload.length).toBe(1185472);
    });

    it('refuses files that are not GGUF, and missing paths, leaving nothing behind', async () => {
      const bad = join(dir, 'not-a-model.gguf');
      writeFileSync(bad, 'hello, I am text');
      const res = await app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: { path: bad } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'LLM_GGUF_INVALID' });
      const { body, contentType } = multipart({ name: 'junk' }, { name: 'junk.gguf', content: Buffer.from('GGUF but truncated') });
      const up = await app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: body, headers: { 'content-type': contentType } });
      expect(up.json()).toMatchObject({ code: 'LLM_GGUF_INVALID' });
      expect((await app.inject({ method: 'GET', url: '/api/v1/models/junk' })).statusCode).toBe(404);
      const gone = await app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: { path: join(dir, 'nope.gguf') } });
      expect(gone.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'path' }] });
    });
  });

  describe('TGI / JumpStart payloads', () => {
    it('{"inputs": text} → [{"generated_text"}], greedy by default', async () => {
      const res = await app.inject(tgi({ inputs: 'Once upon a time', parameters: { max_new_tokens: 12 } }));
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(Array.isArray(body)).toBe(true);
      expect(body).toHaveLength(1);
      expect(Object.keys(body[0])).toEqual(['generated_text']);
      expect(body[0].generated_text).toMatch(/^, there was a little girl/);
      const again = (await app.inject(tgi({ inputs: 'Once upon a time', parameters: { max_new_tokens: 12 } }))).json();
      expect(again[0].generated_text).toBe(body[0].generated_text);
    });

    it('return_full_text, details, stop, batches of inputs', async () => {
      const body = (await app.inject(tgi({ inputs: ['Once upon a time', 'One day'], parameters: { max_new_tokens: 30, return_full_text: true, stop: ['.'], details: true } }))).json();
      expect(body).toHaveLength(2);
      expect(body[0].generated_text).toMatch(/^Once upon a time, there was a little girl named Lily$/);
      expect(body[0].details).toMatchObject({ finish_reason: 'eos_token', prompt_tokens: 5, seed: null });
      expect(body[0].details.generated_tokens).toBeGreaterThan(3);
      expect(body[1].generated_text.startsWith('One day')).toBe(true);
      const long = (await app.inject(tgi({ inputs: 'Once upon a time', parameters: { max_new_tokens: 4, details: true } }))).json();
      expect(long[0].details).toMatchObject({ finish_reason: 'length', generated_tokens: 4 });
    });

    it('sampling is reproducible with a seed', async () => {
      const p = { inputs: 'Once upon a time', parameters: { max_new_tokens: 16, temperature: 1.2, top_k: 40, top_p: 0.95, seed: 42, repetition_penalty: 1.1 } };
      const a = (await app.inject(tgi(p))).json()[0].generated_text;
      const b = (await app.inject(tgi(p))).json()[0].generated_text;
      expect(a).toBe(b);
      expect(a.length).toBeGreaterThan(0);
    });

    it('Llama-2 chat dialogs → [{"generation": {role, content}}] with the dialog rules checked', async () => {
      const res = await app.inject(tgi({ inputs: [[{ role: 'system', content: 'Tell stories.' }, { role: 'user', content: 'A story about a cat' }]], parameters: { max_new_tokens: 10 } }));
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toHaveLength(1);
      expect(Object.keys(body[0])).toEqual(['generation']);
      expect(Object.keys(body[0].generation)).toEqual(['role', 'content']);
      expect(body[0].generation.role).toBe('assistant');
      expect(typeof body[0].generation.content).toBe('string');
      const bad = await app.inject(tgi({ inputs: [[{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }]] }));
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'inputs[0][1].role' }] });
    });

    it('stream: true answers TGI generate_stream events, the last with generated_text and details', async () => {
      const res = await app.inject(tgi({ inputs: 'Once upon a time', parameters: { max_new_tokens: 8 }, stream: true }));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const events = sseEvents(res.body).map((e) => e.data);
      const tokens = events.slice(0, -1);
      expect(tokens.length).toBeGreaterThan(0);
      for (const [i, e] of tokens.entries()) {
        expect(e).toMatchObject({ index: i + 1, generated_text: null, details: null, token: { logprob: null, special: false } });
        expect(typeof e.token.text).toBe('string');
      }
      const last = events.at(-1);
      expect(last.generated_text).toBe(tokens.map((e) => e.token.text).join(''));
      expect(last.details).toMatchObject({ finish_reason: 'length', generated_tokens: 8, prompt_tokens: 5 });
    });

    it('rejects unknown parameters with the field named', async () => {
      const res = await app.inject(tgi({ inputs: 'x', parameters: { max_tokens: 5 } }));
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    });
  });

  describe('OpenAI-compatible API', () => {
    it('GET /v1/models lists LLM endpoints', async () => {
      const body = (await app.inject({ method: 'GET', url: '/v1/models' })).json();
      expect(body.object).toBe('list');
      expect(body.data.find((m: { id: string }) => m.id === EP)).toMatchObject({ id: EP, object: 'model', owned_by: 'sagebrush' });
    });

    it('POST /v1/completions', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: EP, prompt: 'Once upon a time', max_tokens: 6, temperature: 0 } });
      expect(res.statusCode, res.body).toBe(200);
      const b = res.json();
      expect(b).toMatchObject({ object: 'text_completion', model: EP, usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } });
      expect(b.id).toMatch(/^cmpl-/);
      expect(typeof b.created).toBe('number');
      expect(b.choices).toHaveLength(1);
      expect(b.choices[0]).toMatchObject({ index: 0, logprobs: null, finish_reason: 'length' });
      expect(b.choices[0].text).toMatch(/^, there was/);
    });

    it('POST /v1/completions with stream: chunks, a finish chunk with usage, then [DONE]', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: EP, prompt: 'Once upon a time', max_tokens: 6, temperature: 0, stream: true, stream_options: { include_usage: true } } });
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const events = sseEvents(res.body).map((e) => e.data);
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1);
      const usageChunk = chunks.at(-1);
      expect(usageChunk).toMatchObject({ object: 'text_completion', choices: [], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } });
      const finish = chunks.at(-2);
      expect(finish.choices[0]).toMatchObject({ text: '', finish_reason: 'length' });
      const text = chunks.slice(0, -2).map((c) => {
        expect(c.choices[0]).toMatchObject({ index: 0, finish_reason: null });
        return c.choices[0].text;
      });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      const whole = (await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: EP, prompt: 'Once upon a time', max_tokens: 6, temperature: 0 } })).json();
      expect(text.join('')).toBe(whole.choices[0].text);
    });

    it('POST /v1/chat/completions (and streamed: role first, deltas, finish_reason, usage, [DONE])', async () => {
      const messages = [{ role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'Tell me about a dog.' }];
      const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: EP, messages, max_tokens: 8, temperature: 0 } });
      expect(res.statusCode, res.body).toBe(200);
      const b = res.json();
      expect(b.id).toMatch(/^chatcmpl-/);
      expect(b).toMatchObject({ object: 'chat.completion', model: EP, choices: [{ index: 0, message: { role: 'assistant' }, logprobs: null, finish_reason: 'length' }] });
      expect(b.usage.completion_tokens).toBe(8);
      expect(b.usage.total_tokens).toBe(b.usage.prompt_tokens + 8);

      const s = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: EP, messages, max_tokens: 8, temperature: 0, stream: true } });
      const events = sseEvents(s.body).map((e) => e.data);
      expect(events.at(-1)).toBe('[DONE]');
      const chunks = events.slice(0, -1);
      for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      const finish = chunks.at(-1);
      expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'length' });
      expect(finish.usage).toEqual(b.usage);
      const streamed = chunks.slice(0, -1).map((c) => c.choices[0].delta.content).join('');
      expect(streamed).toBe(b.choices[0].message.content);
    });

    it('errors carry OpenAI\'s error object beside problem+json', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'no-such-endpoint', messages: [{ role: 'user', content: 'x' }] } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'ENDPOINT_NOT_FOUND', error: { type: 'invalid_request_error', code: 'ENDPOINT_NOT_FOUND' } });
    });
  });

  describe('context window', () => {
    it('a prompt that does not fit is an error saying by how much; truncate: true drops the oldest tokens', async () => {
      const prompt = 'Once upon a time there was a cat. '.repeat(30);
      const res = await app.inject(tgi({ inputs: prompt, parameters: { max_new_tokens: 20 } }));
      expect(res.statusCode).toBe(400);
      const b = res.json();
      expect(b.code).toBe('LLM_CONTEXT_OVERFLOW');
      expect(b.contextSize).toBe(256);
      expect(b.detail).toBe(`The prompt does not fit the context window: prompt is ${b.promptTokens} tokens + max_new_tokens 20 = ${b.promptTokens + 20} > context 256, ${b.promptTokens + 20 - 256} too many.`);
      const ok = await app.inject(tgi({ inputs: prompt, parameters: { max_new_tokens: 20, truncate: true, details: true } }));
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()[0].details.prompt_tokens).toBe(236);
      const oa = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: EP, prompt, max_tokens: 20 } });
      expect(oa.json().detail).toMatch(/max_tokens 20/);
    });
  });

  describe('queue', () => {
    it('answers 429 with Retry-After when the queue is full, and serves the rest', async () => {
      const all = await Promise.all(Array.from({ length: 8 }, () => app.inject(tgi({ inputs: 'Once upon a time', parameters: { max_new_tokens: 30 } }))));
      const codes = all.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 200)).toHaveLength(3); // 1 running + maxQueue 2
      const limited = all.filter((r) => r.statusCode === 429);
      expect(limited).toHaveLength(5);
      expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited[0]!.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
      const info = (await app.inject({ method: 'GET', url: `/api/v1/endpoints/${EP}/llm` })).json();
      expect(info).toMatchObject({ contextSize: 256, threads: 1, chatTemplate: 'Llama2Chat', fimTemplate: null, queue: { slots: 1, maxQueue: 2, running: 0, waiting: 0 } });
      expect(info.queue.rejected).toBeGreaterThanOrEqual(5);
    });
  });

  describe('licence gating (EULA)', () => {
    it('refuses to deploy a Llama-licensed model until accept_eula, by config or by header', async () => {
      const denied = await app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'gated', model: 'stories-upload', config: { threads: 1, contextSize: 128 } } });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({ code: 'LLM_EULA_REQUIRED', license: 'llama2', problems: [{ field: 'accept_eula' }] });
      expect((await app.inject({ method: 'GET', url: '/api/v1/endpoints/gated' })).statusCode).toBe(404);
      const ok = await app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'gated', model: 'stories-upload', config: { threads: 1, contextSize: 128 } }, headers: { 'X-Amzn-SageMaker-Custom-Attributes': 'accept_eula=true' } });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json().config.acceptEula).toBe(true);
      const answer = await app.inject(tgi({ inputs: 'Once', parameters: { max_new_tokens: 2 } }, {}, 'gated'));
      expect(answer.statusCode).toBe(200);
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/endpoints/gated' })).statusCode).toBe(204);
    });

    it('refuses to answer when the licence was never accepted for the endpoint, unless the request accepts it', async () => {
      await app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'later', model: 'stories', config: { threads: 1, contextSize: 128 } } });
      const flag = await app.inject({ method: 'PATCH', url: '/api/v1/llm/models/stories/versions/1', payload: { requiresEula: true } });
      expect(flag.json().meta.requiresEula).toBe(true);
      try {
        const denied = await app.inject(tgi({ inputs: 'Once', parameters: { max_new_tokens: 2 } }, {}, 'later'));
        expect(denied.statusCode).toBe(403);
        expect(denied.json().code).toBe('LLM_EULA_REQUIRED');
        expect((await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'later', prompt: 'Once', max_tokens: 2 } })).statusCode).toBe(403);
        const viaHeader = await app.inject(tgi({ inputs: 'Once', parameters: { max_new_tokens: 2 } }, { 'x-amzn-sagemaker-custom-attributes': 'accept_eula=true' }, 'later'));
        expect(viaHeader.statusCode).toBe(200);
        const viaBody = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'later', prompt: 'Once', max_tokens: 2, accept_eula: true } });
        expect(viaBody.statusCode).toBe(200);
      } finally {
        await app.inject({ method: 'PATCH', url: '/api/v1/llm/models/stories/versions/1', payload: { requiresEula: false } });
        await app.inject({ method: 'DELETE', url: '/api/v1/endpoints/later' });
      }
    });
  });

  describe('infill (C5)', () => {
    it('a model without FIM tokens gets a clear error', async () => {
      const res = await app.inject({ method: 'POST', url: `/api/v1/endpoints/${EP}/infill`, payload: { prefix: 'def f(x):\n    ', suffix: '\n    return y\n' } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'LLM_FIM_UNSUPPORTED' });
    });

    it('a forced template builds its prompt (markers as text here) and generates the middle', async () => {
      const res = await app.inject({ method: 'POST', url: `/api/v1/endpoints/${EP}/infill`, payload: { prefix: 'Once upon a time', suffix: 'happily ever after.', parameters: { template: 'codellama', max_new_tokens: 5 } } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ template: 'codellama', native_tokens: false, prompt: '<PRE> Once upon a time <SUF>happily ever after. <MID>', prefix: 'Once upon a time', suffix: 'happily ever after.', finish_reason: 'length', usage: { completion_tokens: 5 } });
      expect(typeof res.json().generated_text).toBe('string');
    });
  });

  describe('LlmHandle (the contract summarization uses)', () => {
    it('handle(endpoint) counts tokens, generates with streaming pieces, and reports overflow', async () => {
      const h = await ctx.services.llm.handle(EP);
      expect(h.endpointName).toBe(EP);
      expect(h.contextSize).toBe(256);
      expect(await h.countTokens('Once upon a time')).toBe(4);
      const pieces: string[] = [];
      const r = await h.generate('Once upon a time', { maxNewTokens: 10 }, { onToken: (t) => pieces.push(t) });
      expect(r).toMatchObject({ promptTokens: 5, completionTokens: 10, finishReason: 'length' });
      expect(pieces.join('')).toBe(r.text);
      expect(r.timeToFirstToken).toBeGreaterThan(0);
      expect(r.tokensPerSecond).toBeGreaterThan(0);
      await expect(h.generate('Once upon a time. '.repeat(80), { maxNewTokens: 50 })).rejects.toMatchObject({ code: 'LLM_CONTEXT_OVERFLOW' });
      const t = await h.generate('Once upon a time. '.repeat(80), { maxNewTokens: 5 }, { truncate: true });
      expect(t.promptTokens).toBe(251);
      await expect(ctx.services.llm.handle('nope')).rejects.toMatchObject({ code: 'ENDPOINT_NOT_FOUND' });
    });

    it('an aborted generation stops early with finishReason abort', async () => {
      const h = await ctx.services.llm.handle(EP);
      const ac = new AbortController();
      let n = 0;
      const r = await h.generate('Once upon a time', { maxNewTokens: 200 }, { signal: ac.signal, onToken: () => ++n === 3 && ac.abort() });
      expect(r.finishReason).toBe('abort');
      expect(r.completionTokens).toBeLessThan(200);
    });
  });

  describe('endpoint lifecycle', () => {
    it('validates the config, redeploys on PATCH, unloads on delete, and never deletes a referenced file', async () => {
      const bad = await app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'bad', model: 'stories', config: { contextSize: 4096, threads: 0, nope: 1 } } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('VALIDATION_FAILED');
      const copy = join(dir, 'copy.gguf');
      copyFileSync(TINY_GGUF, copy);
      expect((await app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: { path: copy, name: 'copy' } })).statusCode).toBe(201);
      expect((await app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'life', model: 'copy', config: { threads: 1, contextSize: 64 } } })).statusCode).toBe(201);
      const patched = await app.inject({ method: 'PATCH', url: '/api/v1/endpoints/life', payload: { config: { contextSize: 128 } } });
      expect(patched.json().config).toMatchObject({ contextSize: 128, threads: 1 });
      expect((await app.inject({ method: 'GET', url: '/api/v1/endpoints/life/llm' })).json().contextSize).toBe(128);
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/models/copy' })).statusCode).toBe(409);
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/endpoints/life' })).statusCode).toBe(204);
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/models/copy' })).statusCode).toBe(204);
      expect(readFileSync(copy).length).toBe(1185472);
      rmSync(copy);
    });

    it('a model file that disappeared is a clear error at load', async () => {
      const gone = join(dir, 'gone.gguf');
      copyFileSync(TINY_GGUF, gone);
      await app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: { path: gone, name: 'gone' } });
      rmSync(gone);
      const res = await app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'gone', model: 'gone', config: { threads: 1 } } });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('LLM_MODEL_FILE_MISSING');
    });
  });
});
