/**
 * The model-kind table: unknown kinds, duplicate entries, and a kind added by one `register` call served end to end
 * through the real app — endpoint create (prepareConfig, header config, warm), its invocation route (kind check,
 * metrics), the IN_USE delete guard, delete (evict) and GET /api/v1/model-kinds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { isAppError } from '../../core/errors.ts';
import { loadConfig } from '../../core/config.ts';
import { buildApp } from '../../http/app.ts';
import { ModelKindRegistry, type ModelKindDefinition, type ModelKindRuntime } from './kinds.ts';

const runtime: ModelKindRuntime = { warm: async () => undefined, evict: async () => undefined };
const kind = (name: string, paths: string[] = []): ModelKindDefinition => ({ kind: name, label: name, runtime, invocations: paths.map((path) => ({ method: 'POST', path, summary: path })) });

describe('ModelKindRegistry', () => {
  it('answers MODEL_KIND_UNKNOWN (404) naming the registered kinds for an unknown kind', () => {
    const kinds = new ModelKindRegistry().register(kind('text-classifier', ['classify'])).register(kind('llm', ['invocations']));
    expect(kinds.find('detector')).toBeUndefined();
    let err: unknown;
    try {
      kinds.get('detector');
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('MODEL_KIND_UNKNOWN');
    expect(isAppError(err) && err.status).toBe(404);
    expect((err as Error).message).toContain('text-classifier, llm');
    expect(kinds.get('llm').kind).toBe('llm');
    expect(kinds.names()).toEqual(['text-classifier', 'llm']);
  });

  it('refuses a kind twice, an invocation path two kinds claim, and paths the endpoints domain owns', () => {
    const kinds = new ModelKindRegistry().register(kind('a', ['classify']));
    expect(() => kinds.register(kind('a'))).toThrow(/registered twice/);
    expect(() => kinds.register(kind('b', ['classify']))).toThrow(/already served by kind "a"/);
    expect(() => kinds.register(kind('c', ['metrics']))).toThrow(/other than metrics/);
    expect(() => kinds.register(kind('d', ['Bad/Path']))).toThrow(/one lower-case segment/);
    expect(kinds.names()).toEqual(['a']);
  });
});

/** A kind that is none of the built-in ones: everything it is asked to do is logged. */
function echoKind(log: string[]): ModelKindDefinition {
  return {
    kind: 'echo-test',
    label: 'echo tester',
    runtime: {
      prepareConfig: async (_model, config) => ({ loud: false, ...config }),
      warm: async (model, ep) => void log.push(`warm ${model.name}:${model.version} ${ep?.name} ${JSON.stringify(ep?.config)}`),
      evict: async (model, ep) => void log.push(`evict ${model.name}:${model.version} ${ep?.name}`),
    },
    invocations: [{ method: 'POST', path: 'echo', summary: 'Echo the body' }],
    async routes(app, ctx) {
      app.post('/endpoints/:name/echo', { onResponse: ctx.onResponse }, async (req) => {
        const { endpoint, model } = await ctx.served((req.params as { name: string }).name, 'echo');
        return { endpoint: endpoint.name, model: `${model.name}:${model.version}`, config: endpoint.config, body: req.body };
      });
    },
    configFromHeaders: (headers) => (headers['x-echo-loud'] === 'yes' ? { loud: true } : undefined),
  };
}

async function readyModel(ctx: AppContext, name: string, kindName: string): Promise<void> {
  const m = await ctx.services.models.create({ name, kind: kindName, params: {} });
  await ctx.services.models.markReady(m.id, { metrics: {}, artifacts: {} });
}

describe('a kind added by one register call, through the real app', () => {
  let dir: string;
  let ctx: AppContext;
  let app: FastifyInstance;
  const log: string[] = [];

  async function appWith(...extra: ModelKindDefinition[]): Promise<{ ctx: AppContext; app: FastifyInstance }> {
    const c = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: mkdtempSync(join(dir, 'app-')), logLevel: 'silent' } }));
    for (const def of extra) c.services.kinds.register(def);
    let a: FastifyInstance | undefined;
    try {
      a = await buildApp(c, { webDist: join(dir, 'no-web-ui') });
      await a.ready();
      return { ctx: c, app: a };
    } catch (err) {
      await a?.close().catch(() => undefined);
      await c.close();
      throw err;
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-kinds-'));
    ({ ctx, app } = await appWith(echoKind(log), kind('other-test')));
    await readyModel(ctx, 'echoer', 'echo-test');
    await readyModel(ctx, 'other', 'other-test');
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, payload: object, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload, headers });

  it('creates an endpoint through the kind runtime and serves its invocation route, with metrics', async () => {
    const created = await post('/api/v1/endpoints', { name: 'echo-ep', model: 'echoer' }, { 'x-echo-loud': 'yes' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'echo-test', config: { loud: true } });
    expect(log).toEqual(['warm echoer:1 echo-ep {"loud":true}']);
    const res = await post('/api/v1/endpoints/echo-ep/echo', { hello: 'world' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ endpoint: 'echo-ep', model: 'echoer:1', config: { loud: true }, body: { hello: 'world' } });
    expect((await post('/api/v1/endpoints/nope/echo', {})).json().code).toBe('ENDPOINT_NOT_FOUND');
    const metrics = (await app.inject({ method: 'GET', url: '/api/v1/endpoints/echo-ep/metrics' })).json();
    expect(metrics.summary.requests).toBe(1);
  });

  it("answers 409 when an endpoint's model is of another kind", async () => {
    expect((await post('/api/v1/endpoints', { name: 'other-ep', model: 'other' })).statusCode).toBe(201);
    const res = await post('/api/v1/endpoints/other-ep/echo', {});
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CONFLICT', detail: 'Endpoint "other-ep" serves a other-test model; /echo is for echo testers.' });
    const classify = await post('/api/v1/endpoints/echo-ep/classify', { Text: 'hello' });
    expect(classify.json()).toMatchObject({ code: 'CONFLICT', detail: 'Endpoint "echo-ep" serves a echo-test model; /classify is for text classifiers.' });
  });

  it('refuses to delete a version an endpoint uses (the guard endpoints register), then evicts on endpoint delete', async () => {
    const refused = await app.inject({ method: 'DELETE', url: '/api/v1/models/echoer/versions/1' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'IN_USE', detail: expect.stringContaining('"echo-ep"') });
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/endpoints/echo-ep' })).statusCode).toBe(204);
    expect(log.at(-1)).toBe('evict echoer:1 echo-ep');
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/models/echoer/versions/1' })).statusCode).toBe(204);
  });

  it('lists every kind with its invocation routes at GET /api/v1/model-kinds', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/v1/model-kinds' })).json<{ items: Array<{ kind: string; invocations: Array<{ url: string }> }> }>();
    expect(list.items.map((k) => k.kind)).toEqual(['text-classifier', 'image-classifier', 'llm', 'detector', 'echo-test', 'other-test']);
    const urls = Object.fromEntries(list.items.map((k) => [k.kind, k.invocations.map((i) => i.url)]));
    expect(urls['text-classifier']).toEqual(['/api/v1/endpoints/{name}/classify']);
    expect(urls['image-classifier']).toEqual(['/api/v1/endpoints/{name}/predict-image']);
    expect(urls.llm).toEqual(['/api/v1/endpoints/{name}/invocations', '/api/v1/endpoints/{name}/infill', '/api/v1/endpoints/{name}/llm']);
    expect(urls.detector).toEqual(['/api/v1/endpoints/{name}/detect']);
    const one = await app.inject({ method: 'GET', url: '/api/v1/model-kinds/echo-test' });
    expect(one.json()).toEqual({ kind: 'echo-test', label: 'echo tester', invocations: [{ method: 'POST', path: 'echo', summary: 'Echo the body', url: '/api/v1/endpoints/{name}/echo' }] });
    const unknown = await app.inject({ method: 'GET', url: '/api/v1/model-kinds/segmenter' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('MODEL_KIND_UNKNOWN');
  });

  it('fails at start-up when a kind registers a route it does not declare, or declares one nobody serves', async () => {
    const sneaky: ModelKindDefinition = { ...kind('sneaky-test', ['one']), routes: async (a) => void a.post('/endpoints/:name/two', async () => ({})) };
    await expect(appWith(sneaky)).rejects.toThrow(/registers POST \/api\/v1\/endpoints\/:name\/two, which it does not declare/);
    await expect(appWith(kind('ghost-test', ['ghost']))).rejects.toThrow(/no handler: POST \/api\/v1\/endpoints\/:name\/ghost \(ghost-test\)/);
  });
});
