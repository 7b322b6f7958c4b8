/**
 * The built web UI's static files through the real app: precompressed variants by Accept-Encoding (with Vary),
 * hashed assets cached for good, index.html (also as the single-page fallback) revalidated on every load.
 * The fake web dist is compressed by the same step the Vite build runs (scripts/precompress.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../app/context.ts';
import { loadConfig } from '../core/config.ts';
import { precompressDir } from '../../scripts/precompress.ts';
import { buildApp } from './app.ts';

const SCRIPT = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word${i % 37}`))};\n`;
const INDEX = `<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body>${'<div></div>'.repeat(200)}</body></html>`;
const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('static web UI files', () => {
  let dir: string;
  let ctx: AppContext;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-static-'));
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-AbC123.js'), SCRIPT);
    writeFileSync(join(dist, 'assets', 'tiny-Zz9.css'), 'a{}');
    expect(precompressDir(dist).files).toBe(2);
    ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: join(dir, 'data'), logLevel: 'silent' } }));
    app = await buildApp(ctx, { webDist: dist });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the brotli or gzip variant that the browser accepts, with its type and Vary', async () => {
    const br = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(br.headers['content-length'])).toBeLessThan(SCRIPT.length / 3);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT);

    const gz = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT);

    const plain = await app.inject({ url: '/assets/index-AbC123.js', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.body).toBe(SCRIPT);
  });

  it('caches hashed assets for good, even small ones with no compressed copy', async () => {
    for (const url of ['/assets/index-AbC123.js', '/assets/tiny-Zz9.css']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe(IMMUTABLE);
    }
  });

  it('revalidates index.html at /, by name and as the fallback for client-side routes', async () => {
    for (const url of ['/', '/index.html', '/datasets/ds_1']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-type'], url).toMatch(/text\/html/);
      expect(res.headers['content-encoding'], url).toBe('gzip');
      expect(gunzipSync(res.rawPayload).toString(), url).toBe(INDEX);
    }
  });

  it('answers a missing API path or hashed asset with problem+json, not the UI', async () => {
    // An old build's chunk asked for by a tab opened before a new build: a clean 404, not index.html as a script.
    for (const url of ['/api/v1/nothing', '/assets/index-Old999.js']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/problem\+json/);
    }
  });
});
