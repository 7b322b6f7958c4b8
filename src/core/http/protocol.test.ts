/**
 * Failures before any route runs get their own honest message: a JSON body refused for a prototype-
 * poisoning key (not "not valid JSON"), and oversized headers (a problem+json 431 naming the limit,
 * sent over a real socket because the HTTP parser, not fastify, rejects them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { maxHeaderSize } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { loadConfig } from '../config.ts';
import { buildApp } from '../../http/app.ts';
import { forbiddenJsonKey } from './protocol.ts';
import { rawExchange, rawRequest } from '../../http/testing/rawHttp.ts';

describe('forbiddenJsonKey', () => {
  it('finds __proto__ and constructor.prototype keys at any depth, and nothing in ordinary JSON', () => {
    expect(forbiddenJsonKey('{"name":"x","__proto__":{"admin":true}}')).toBe('body.__proto__');
    expect(forbiddenJsonKey('{"a":{"b":[1,{"constructor":{"prototype":{"x":1}}}]}}')).toBe('body.a.b[1].constructor.prototype');
    expect(forbiddenJsonKey('[{"__proto__":null}]')).toBe('body[0].__proto__');
    expect(forbiddenJsonKey('{"constructor":"a string is fine","prototype":1}')).toBeUndefined();
    expect(forbiddenJsonKey('{not json')).toBeUndefined();
    expect(forbiddenJsonKey(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
  });
});

describe('HTTP-level errors through the real app', () => {
  let t: { app: FastifyInstance; ctx: AppContext; dir: string };
  let address: { host: string; port: number };
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-protocol-'));
    const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } }));
    const app = await buildApp(ctx, { webDist: join(dir, 'none') });
    // Routes that set a header Node cannot send (as a raw non-Latin-1 file name did), with a length.
    app.get('/api/v1/__bad-header', async (_req, reply) => reply.header('content-length', 1000).header('x-file', '数据.csv').send('abc'));
    app.get('/api/v1/__bad-header-stream', async (_req, reply) =>
      reply.header('content-length', 1000).header('x-file', 'a\u0000b').send(Readable.from([Buffer.from('abc')])));
    await app.listen({ port: 0, host: '127.0.0.1' });
    address = { host: '127.0.0.1', port: (app.server.address() as { port: number }).port };
    t = { app, ctx, dir };
  });
  afterAll(async () => {
    await t?.app.close();
    await t?.ctx.close();
    if (t) rmSync(t.dir, { recursive: true, force: true });
  });

  const postJson = (payload: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/endpoints', headers: { 'content-type': 'application/json' }, payload });

  it('refuses a __proto__ or constructor.prototype key with JSON_FORBIDDEN_KEY, naming the key', async () => {
    const proto = await postJson('{"name":"e1","model":"m","__proto__":{"isAdmin":true}}');
    expect(proto.statusCode).toBe(400);
    expect(proto.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = proto.json();
    expect(body).toMatchObject({ code: 'JSON_FORBIDDEN_KEY', problems: [{ field: 'body.__proto__' }] });
    expect(body.detail).toMatch(/key named __proto__ \(at body\.__proto__\)/);
    expect(body.detail).not.toMatch(/not valid JSON/i);
    const ctor = await postJson('{"name":"e1","options":{"constructor":{"prototype":{"x":1}}}}');
    expect(ctor.json()).toMatchObject({ code: 'JSON_FORBIDDEN_KEY', problems: [{ field: 'body.options.constructor.prototype' }] });
    expect(ctor.json().detail).toContain('constructor.prototype');
  });

  it('still calls malformed JSON malformed, and lets an ordinary "constructor" key through to validation', async () => {
    expect((await postJson('{"name":')).json().code).toBe('BAD_REQUEST');
    expect((await postJson('{"constructor":"x"}')).json().code).not.toBe('JSON_FORBIDDEN_KEY');
  });

  it('answers a 200 KB Authorization header with a problem+json 431 that names the limit', async () => {
    const jwt = `eyJ${'a'.repeat(200 * 1024)}`;
    const res = await rawRequest(address, `GET /api/v1/datasets HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${jwt}\r\n\r\n`);
    expect(res.statusCode).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE', problems: [{ field: 'headers' }] });
    expect(body.detail).toContain(`limit of ${maxHeaderSize} bytes`);
    expect(body.detail).toMatch(/--max-http-header-size/);
    // The server still serves the next connection.
    expect((await rawRequest(address, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')).statusCode).toBe(200);
  });

  it('fails a reply with an unsendable header as a clean 500 (no stale length), keeping keep-alive in step', async () => {
    for (const path of ['/api/v1/__bad-header', '/api/v1/__bad-header-stream']) {
      const get = (p: string) => `GET ${p} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
      const { responses, extra } = await rawExchange(address, [get(path), get('/healthz')], 3000);
      expect(responses[0]!.statusCode, path).toBe(500);
      expect(Number(responses[0]!.headers['content-length'])).toBe(responses[0]!.bodyBytes.length);
      expect(JSON.parse(responses[0]!.body)).toMatchObject({ code: 'INTERNAL' });
      expect(responses[0]!.headers['x-file']).toBeUndefined();
      expect(responses[1]!.statusCode).toBe(200);
      expect(JSON.parse(responses[1]!.body)).toEqual({ status: 'ok' });
      expect(extra).toBe(0);
    }
  });
});
