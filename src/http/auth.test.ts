/**
 * Route auth through the real app with API tokens set: every registered route and method, called
 * without a token under raw-URL variants (percent-encoded letters, encoded slash, doubled slashes, dot
 * segments, mixed case, trailing slash, query tricks), must answer 401 or a data-free 404 — in-process
 * and over a real socket, where nothing normalises the request line first.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../app/context.ts';
import { loadConfig } from '../core/config.ts';
import { multipart } from '../domains/datasets/testing/harness.ts';
import { buildApp } from './app.ts';
import { authTable } from './auth.ts';
import { rawRequest } from './testing/rawHttp.ts';

const TOKEN = 'auth-test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const SECRET = 'secret-ds';
const INDEX_HTML = '<!doctype html><title>Sagebrush UI</title>';
const FILE_ROW = 'hello-secret-row';
/** What a response that leaked data would contain: the dataset's id or a row of its file. */
const leaks: string[] = [FILE_ROW];

/**
 * Routes open without a token (with a built UI; without one, `GET /` answers a plain-text notice instead of
 * `/*`). CDS Hooks discovery and CORS preflights are declared by src/domains/cds.
 */
const EXPECTED_OPEN = [
  'GET /healthz', 'HEAD /healthz', 'GET /api/openapi.json', 'HEAD /api/openapi.json',
  'GET /fhir/R4/metadata', 'HEAD /fhir/R4/metadata', 'GET /*', 'HEAD /*',
  'GET /cds-services', 'HEAD /cds-services', 'OPTIONS /cds-services', 'OPTIONS /cds-services/*',
];

/** A concrete path for a route pattern; dataset params name a real dataset, so a bypass would touch it. */
function concrete(url: string): string {
  return url.replace(/:(\w+)/g, (_m, p: string) => (p === 'idOrName' ? SECRET : p === 'n' || p === 'version' ? '1' : 'x1')).replace(/\*$/, 'x');
}

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Encodes the first letter of segment `i` (1-based; a letter makes it a different spelling of the same route). */
function encodeLetterIn(path: string, i: number): string {
  const segs = path.split('/');
  const seg = segs[i] ?? '';
  const at = seg.search(/[a-zA-Z]/);
  if (at < 0) return path;
  segs[i] = `${seg.slice(0, at)}${hex(seg[at]!)}${seg.slice(at + 1)}`;
  return segs.join('/');
}

/** Raw-URL spellings of `path`; `same` = the router decodes it to the very same route (so it must be 401). */
function variants(path: string): Array<{ name: string; url: string; same: boolean }> {
  const segs = path.split('/');
  const mid = Math.max(1, Math.floor((segs.length - 1) / 2) + 1);
  return [
    { name: 'plain', url: path, same: true },
    { name: 'encoded first letter', url: encodeLetterIn(path, 1), same: true },
    { name: 'encoded letter mid-path', url: encodeLetterIn(path, mid), same: true },
    { name: 'encoded upper-case hex', url: encodeLetterIn(path, 1).replace(/%([0-9a-f]{2})/, (_m, h: string) => `%${h.toUpperCase()}`), same: true },
    { name: 'query naming an open path', url: `${path}?/healthz`, same: true },
    { name: 'encoded slash', url: path.replace(/^(\/[^/]+)\//, `$1%2F`), same: false },
    { name: 'doubled leading slash', url: `/${path}`, same: false },
    { name: 'doubled inner slash', url: path.replace(/^(\/[^/]+)\//, '$1//'), same: false },
    { name: 'dot-dot segment', url: `/x/..${path}`, same: false },
    { name: 'dot segment', url: path.replace(/^(\/[^/]+)\//, '$1/./'), same: false },
    { name: 'encoded dot-dot', url: `/x/%2e%2e${path}`, same: false },
    { name: 'upper case', url: path.toUpperCase(), same: false },
    { name: 'mixed case', url: path.replace(/^\/(\w)/, (_m, c: string) => `/${c.toUpperCase()}`), same: false },
    { name: 'trailing slash', url: path.endsWith('/') ? path.slice(0, -1) : `${path}/`, same: false },
  ].filter((v, i, all) => v.url !== path || i === 0 || all.findIndex((w) => w.url === v.url) === i);
}

/** A refusal: 401, or a 404 that is only an error document (problem+json or a FHIR/CDS OperationOutcome). */
function refusal(res: { statusCode: number; headers: Record<string, unknown>; body: string }, method: string): string | undefined {
  const leaked = leaks.find((l) => res.body.includes(l));
  if (leaked) return `leaked ${leaked}`;
  if (res.statusCode === 401) return undefined;
  if (res.statusCode !== 404) return `status ${res.statusCode}`;
  if (method === 'HEAD') return undefined;
  return /ROUTE_NOT_FOUND|"not-supported"|"not-found"/.test(res.body) ? undefined : `404 with a body that is not an error: ${res.body.slice(0, 80)}`;
}

describe('route auth with API tokens (deny by default, decided on the matched route)', () => {
  let app: FastifyInstance;
  let ctx: AppContext;
  let dir: string;
  let base: { host: string; port: number };

  const inject = (method: string, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    app.inject({ method: method as 'GET', url, headers: { ...headers, ...(['POST', 'PUT', 'PATCH'].includes(method) ? { 'content-type': 'application/json' } : {}) }, ...(['POST', 'PUT', 'PATCH'].includes(method) ? { payload: '{}' } : {}) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-auth-'));
    const webDist = join(dir, 'web');
    mkdirSync(join(webDist, 'assets'), { recursive: true });
    writeFileSync(join(webDist, 'index.html'), INDEX_HTML);
    writeFileSync(join(webDist, 'assets', 'app.js'), 'console.log("ui")');
    writeFileSync(join(dir, 'outside.txt'), `outside the web root: ${FILE_ROW}`);
    ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: join(dir, 'data'), logLevel: 'silent', apiTokens: [TOKEN] } }));
    await ctx.queue.startWorker();
    app = await buildApp(ctx, { webDist });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = { host: '127.0.0.1', port: (app.server.address() as { port: number }).port };
    const form = await multipart([{ name: 'name', value: SECRET }, { name: 'file', fileName: 'd.csv', content: `text,label\n${FILE_ROW},a\nworld,b\n` }]);
    const up = await app.inject({ method: 'POST', url: '/api/v1/datasets?wait=true', payload: form.payload, headers: { ...form.headers, ...AUTH } });
    expect(up.statusCode, up.body).toBe(201);
    leaks.push(up.json().dataset.id);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens exactly the listed routes; everything else (API, /v1, FHIR, CDS hooks) needs a token', () => {
    const table = authTable(app);
    expect(table.length).toBeGreaterThan(100);
    expect(table.filter((r) => r.auth === 'open').map((r) => `${r.method} ${r.url}`).sort()).toEqual([...EXPECTED_OPEN].sort());
    for (const r of table) {
      // Edge agents' routes check a device token in their own scope (src/domains/edge/routes.ts) and nothing else may.
      if (r.url.startsWith('/api/v1/edge/device/')) expect(r.auth, `${r.method} ${r.url}`).toBe('device');
      else if (/^\/(api\/v1|v1|fhir\/R4)\//.test(r.url) && r.url !== '/fhir/R4/metadata') expect(r.auth, `${r.method} ${r.url}`).toBe('token');
    }
  });

  it('refuses every protected route and method under every raw-URL variant (in-process)', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const route of authTable(app).filter((r) => r.auth !== 'open')) {
      for (const v of variants(concrete(route.url))) {
        const res = await inject(route.method, v.url);
        calls += 1;
        const why = v.same && res.statusCode !== 401 ? `status ${res.statusCode}, expected 401` : refusal(res, route.method);
        if (why) failures.push(`${route.method} ${v.url} (${v.name}; route ${route.url}): ${why}`);
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(1000);
    const still = await inject('GET', `/api/v1/datasets/${SECRET}`, AUTH);
    expect(still.statusCode).toBe(200);
  });

  it('refuses raw request lines over a real socket (no client-side normalisation)', async () => {
    const lines = [
      ['GET', '/%61pi/v1/datasets'], ['DELETE', `/%61pi/v1/datasets/${SECRET}`], ['DELETE', `/api/v1/%64atasets/${SECRET}`],
      ['GET', `/api/%76%31/datasets/${SECRET}/versions/1/file`], ['PUT', '/api/v1/rules/%70olicy'], ['GET', '//api/v1/datasets'],
      ['GET', '/x/../api/v1/datasets'], ['GET', '/api/v1/./datasets'], ['GET', '/API/v1/datasets'], ['GET', '/api/v1/datasets/'],
      ['GET', '/%66hir/R4/Patient'], ['GET', '/%76%31/models'], ['POST', '/v1/%63hat/completions'], ['POST', '/%63ds-services/x1'],
    ];
    for (const [method, path] of lines) {
      const res = await rawRequest(base, `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      expect(refusal(res, method!), `${method} ${path} → ${res.statusCode} ${res.body.slice(0, 120)}`).toBeUndefined();
    }
    const still = await rawRequest(base, `GET /api/v1/datasets/${SECRET} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
    expect(still.statusCode).toBe(200);
  });

  it('keeps the open routes open, serves only index.html as the UI fallback, and accepts a valid token', async () => {
    for (const url of ['/healthz', '/api/openapi.json', '/fhir/R4/metadata', '/assets/app.js', '/']) expect((await inject('GET', url)).statusCode, url).toBe(200);
    expect((await inject('GET', '/datasets/anything')).body).toBe(INDEX_HTML);
    for (const url of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/datasets/..%2F..%2F..%2Foutside.txt']) {
      const res = await rawRequest(base, `GET ${url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      expect(res.body, url).not.toContain(FILE_ROW);
    }
    expect((await inject('GET', '/api/v1/datasets', AUTH)).statusCode).toBe(200);
    expect((await inject('GET', '/%61pi/v1/datasets', AUTH)).statusCode).toBe(200);
    expect((await inject('GET', '/fhir/R4/Patient', AUTH)).statusCode).toBe(200);
    const wrong = await inject('GET', '/api/v1/datasets', { authorization: 'Bearer not-the-token-0123456789' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer');
    expect(wrong.json()).toMatchObject({ code: 'UNAUTHORIZED', detail: 'The bearer token is not valid.' });
  });

  it('says in the OpenAPI document which operations are open and which need the token', async () => {
    const doc = (await inject('GET', '/api/openapi.json')).json() as { security: unknown; paths: Record<string, Record<string, { security?: unknown }>> };
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/fhir/R4/metadata']!.get!.security).toEqual([]);
    expect(doc.paths['/cds-services']!.get!.security).toEqual([]);
    expect(doc.paths['/api/v1/datasets']!.get!.security).toBeUndefined(); // the global bearer requirement applies
  });
});
