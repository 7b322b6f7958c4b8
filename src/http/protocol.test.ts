/**
 * Failures before any route runs get their own honest message: a JSON body refused for a prototype-
 * poisoning key (not "not valid JSON"), and oversized headers (a problem+json 431 naming the limit,
 * sent over a real socket because the HTTP parser, not fastify, rejects them).
 */
import { maxHeaderSize } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../domains/datasets/testing/harness.ts';
import { forbiddenJsonKey } from './protocol.ts';
import { rawRequest } from './testing/rawHttp.ts';

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
  let t: TestApp;
  let address: { host: string; port: number };
  beforeAll(async () => {
    t = await createTestApp({}, { worker: false });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    address = { host: '127.0.0.1', port: (t.app.server.address() as { port: number }).port };
  });
  afterAll(async () => t?.close());

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
});
