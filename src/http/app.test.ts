import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../app/context.ts';
import { loadConfig } from '../core/config.ts';
import { createTestApp, type TestApp } from '../domains/datasets/testing/harness.ts';
import { buildApp } from './app.ts';

const TOKEN = 'test-token-0123456789abcdef';

describe('HTTP app', () => {
  let open: TestApp;
  let secured: { app: FastifyInstance; ctx: AppContext; dir: string };
  beforeAll(async () => {
    open = await createTestApp({}, { worker: false });
    const dir = mkdtempSync(join(tmpdir(), 'sb-http-'));
    const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent', apiTokens: [TOKEN] } }));
    const app = await buildApp(ctx, { webDist: join(dir, 'none') });
    // A route that throws a plain Error, to see the generic 500.
    app.get('/api/v1/__boom', async () => {
      throw new Error('secret internal detail');
    });
    await app.ready();
    secured = { app, ctx, dir };
  });
  afterAll(async () => {
    await open?.close();
    await secured?.app.close();
    await secured?.ctx.close();
    if (secured) rmSync(secured.dir, { recursive: true, force: true });
  });

  it('serves health and an OpenAPI 3.1 document generated from the route schemas', async () => {
    expect((await open.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const doc = (await open.app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/datasets', '/api/v1/jobs', '/api/v1/models', '/api/v1/endpoints', '/api/v1/text/classifiers', '/api/v1/endpoints/{name}/classify']));
  });

  it('answers unknown routes with problem+json and echoes the request id', async () => {
    const res = await open.app.inject({ url: '/api/v1/nothing-here', headers: { 'x-request-id': 'req-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', status: 404, requestId: 'req-123', type: expect.stringContaining('ROUTE_NOT_FOUND') });
  });

  it('turns schema violations into VALIDATION_FAILED with a field per problem', async () => {
    const res = await open.app.inject({ url: '/api/v1/jobs?limit=9999' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.problems[0].field).toContain('limit');
    const json = await open.app.inject({ method: 'POST', url: '/api/v1/endpoints', headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect(json.json().code).toBe('BAD_REQUEST');
  });

  it('requires a bearer token on /api when tokens are configured, but not on health or OpenAPI', async () => {
    expect((await secured.app.inject({ url: '/api/v1/datasets' })).json().code).toBe('UNAUTHORIZED');
    expect((await secured.app.inject({ url: '/api/v1/datasets', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
    expect((await secured.app.inject({ url: '/api/v1/datasets', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await secured.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await secured.app.inject({ url: '/api/openapi.json' })).statusCode).toBe(200);
  });

  it('hides unexpected errors behind a generic 500 that quotes the request id', async () => {
    const res = await secured.app.inject({ url: '/api/v1/__boom', headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'r-500' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'INTERNAL', requestId: 'r-500' });
    expect(res.body).not.toContain('secret internal detail');
    expect(res.json().detail).toContain('r-500');
  });
});
