/**
 * Request bodies and URLs refused before any route runs, through the real app: JSON nested past the limit
 * (JSON_TOO_DEEP, not a 500 stack overflow in whatever walks the body next), and the router's own errors
 * (a bad percent-escape, an over-long path parameter) as problem+json with a documented code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { loadConfig } from '../config.ts';
import { API_JSON_MAX_DEPTH } from '../json-depth.ts';
import { buildApp } from '../../http/app.ts';

const nested = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

describe('JSON bodies and URLs the router refuses', () => {
  let t: { app: FastifyInstance; ctx: AppContext; dir: string };
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-json-body-'));
    const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } }));
    t = { app: await buildApp(ctx, { webDist: join(dir, 'none') }), ctx, dir };
  });
  afterAll(async () => {
    await t?.app.close();
    await t?.ctx.close();
    if (t) rmSync(t.dir, { recursive: true, force: true });
  });

  const post = (url: string, payload: string) => t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });

  it('refuses a body nested 100,000 deep with JSON_TOO_DEEP naming the limit, on the API and on /cds-services', async () => {
    const res = await post('/api/v1/endpoints', `{"name":"deep","model":"m:1","config":${nested(100_000)}}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'JSON_TOO_DEEP', maxDepth: API_JSON_MAX_DEPTH, problems: [{ field: 'body' }] });
    expect(res.json().detail).toContain(`more than ${API_JSON_MAX_DEPTH} levels deep`);
    const cds = await post('/cds-services/no-such-service', `{"hook":"order-sign","context":${nested(100_000)}}`);
    expect(cds.statusCode).toBe(400);
    expect(cds.json().issue[0].details.coding[0].code).toBe('JSON_TOO_DEEP');
  });

  it('still parses bodies within the limit, and still refuses prototype keys and malformed JSON as before', async () => {
    const within = await post('/api/v1/endpoints', `{"name":"ok-depth","model":"m:1","config":${nested(API_JSON_MAX_DEPTH - 2)}}`);
    expect(within.json().code).not.toBe('JSON_TOO_DEEP');
    expect((await post('/api/v1/endpoints', '{"__proto__":{"x":1}}')).json().code).toBe('JSON_FORBIDDEN_KEY');
    expect((await post('/api/v1/endpoints', '{"name":')).json().code).toBe('BAD_REQUEST');
    expect((await post('/api/v1/endpoints', '')).json().code).toBe('BAD_REQUEST');
  });

  it('answers a malformed percent-escape or overlong UTF-8 in the URL with problem+json BAD_REQUEST', async () => {
    for (const url of ['/api/v1/datasets/%zz', '/api%c0%afv1/datasets']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', problems: [{ field: 'url' }] });
      expect(res.headers['x-request-id']).toBeTruthy();
    }
  });

  it('answers a path parameter over the router limit with 414 URL_TOO_LONG, without echoing it', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/endpoints/${'e'.repeat(10_000)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toMatchObject({ code: 'URL_TOO_LONG', problems: [{ field: 'url' }] });
    expect(res.body.length).toBeLessThan(2_000);
  });

  it('routes names up to the longest the API accepts (a 200-character rule name) instead of a 414', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/rules/${'r'.repeat(200)}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'RULE_NOT_FOUND' });
  });
});
