/**
 * Thumbnail caching through the real app: an ETag named by the dataset version, 304 on If-None-Match (no thumbnail
 * work), immutable by dataset id + version number, revalidated by name (names can be reused) and for `latest`.
 * A tiny 2-label zip of generated PNGs, so it runs without the shared HAM10000 sample.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip } from '../datasets/formats/zip-write.ts';
import { createTestApp, upload, type TestApp } from '../datasets/testing/harness.ts';

const png = (r: number, g: number, b: number) => sharp({ create: { width: 40, height: 30, channels: 3, background: { r, g, b } } }).png().toBuffer();
const base = (ds: string, v: string | number) => `/api/v1/images/datasets/${ds}/versions/${v}/images/0/thumbnail`;

describe('image thumbnails: HTTP caching', () => {
  let t: TestApp;
  let datasetId = '';
  beforeAll(async () => {
    t = await createTestApp();
    const entries = [
      { name: 'cat/a.png', data: await png(200, 10, 10) },
      { name: 'cat/b.png', data: await png(180, 30, 10) },
      { name: 'dog/c.png', data: await png(10, 10, 200) },
      { name: 'dog/d.png', data: await png(10, 40, 180) },
    ];
    const res = await upload(t.app, 'pets.zip', makeZip(entries), { name: 'pets' });
    expect(res.statusCode, res.body).toBe(201);
    datasetId = res.json().dataset.id;
  }, 60_000);
  afterAll(async () => t?.close());

  it('is immutable by dataset id and version number, with an ETag that answers 304', async () => {
    const first = await t.app.inject({ url: base(datasetId, 1) });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('image/webp');
    expect(first.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[^"]+\.0"$/);

    const again = await t.app.inject({ url: base(datasetId, 1), headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    // Another image of the same version is other bytes: its tag differs.
    const other = await t.app.inject({ url: `/api/v1/images/datasets/${datasetId}/versions/1/images/1/thumbnail`, headers: { 'if-none-match': etag } });
    expect(other.statusCode).toBe(200);
    expect(other.headers.etag).not.toBe(etag);
  });

  it('revalidates by name (a name can be reused) and for latest, with the same ETag', async () => {
    const etag = String((await t.app.inject({ url: base(datasetId, 1) })).headers.etag);
    const byName = await t.app.inject({ url: base('pets', 1), headers: { 'if-none-match': `W/${etag}, "x"` } });
    expect(byName.statusCode).toBe(304);
    expect(byName.headers['cache-control']).toBe('private, max-age=86400');
    const latest = await t.app.inject({ url: base('pets', 'latest') });
    expect(latest.statusCode).toBe(200);
    expect(latest.headers['cache-control']).toBe('private, no-cache');
    expect(latest.headers.etag).toBe(etag);
  });

  it('still answers a missing dataset or image with an error, not a 304', async () => {
    const missing = await t.app.inject({ url: base('nope', 1), headers: { 'if-none-match': '*' } });
    expect(missing.statusCode).toBe(404);
    const noImage = await t.app.inject({ url: `/api/v1/images/datasets/${datasetId}/versions/1/images/99/thumbnail` });
    expect(noImage.statusCode).toBe(404);
    // An error is never cached for good nor tagged (a tag would let a browser revalidate the error into a 304).
    expect(noImage.headers.etag).toBeUndefined();
    expect(String(noImage.headers['cache-control'] ?? '')).not.toMatch(/max-age|immutable/);
  });
});
