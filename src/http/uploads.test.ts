/**
 * Every multipart route reads its form with the one reader (core/http/multipart.ts), through the real app: an
 * over-limit file is a 413 and nothing is stored (no GGUF version half-registered, no summary input, no temp
 * file), a field after the file is a 400 naming it (it would be ignored), a form without a file names "file".
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, multipart, type FormPart, type TestApp } from '../domains/datasets/testing/harness.ts';

const LIMIT = 4096;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ maxUploadBytes: LIMIT });
});
afterAll(async () => {
  await t?.close();
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function post(url: string, parts: FormPart[]) {
  const res = await t.app.inject({ method: 'POST', url, ...(await multipart(parts)) });
  return { status: res.statusCode, body: res.json() as { code: string; detail: string; problems?: Array<{ field?: string; problem: string; fix: string }> } };
}

const GGUF_HEADER = Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(16)]);
const overLimit = (head: Buffer | string = '') => Buffer.concat([Buffer.from(head), Buffer.alloc(LIMIT + 1 - Buffer.byteLength(head), 0x61)]);

describe('multipart uploads share one set of rules', () => {
  it('an over-limit GGUF → 413 PAYLOAD_TOO_LARGE on "file"; no model version is left behind', async () => {
    const res = await post('/api/v1/llm/models', [{ name: 'name', value: 'too-big' }, { name: 'file', fileName: 'm.gguf', content: overLimit(GGUF_HEADER) }]);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', problems: [{ field: 'file' }] });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/llm/models' });
    expect(list.json().items).toEqual([]);
  });

  it('an over-limit document to summarize → 413 naming the limit; no input is stored', async () => {
    const res = await post('/api/v1/summarize', [{ name: 'engine', value: 'extractive' }, { name: 'file', fileName: 'doc.txt', content: overLimit() }]);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.detail).toBe('The document is larger than the upload limit of 4 KiB. Nothing was stored.');
    expect(filesUnder(join(t.dir, 'artifacts'))).toEqual([]);
  });

  it('a field after the file → 400 naming it (summarize, image predict), instead of being ignored', async () => {
    const late = await post('/api/v1/summarize', [{ name: 'file', fileName: 'doc.txt', content: 'Rivers carry sediment to the sea. Dams hold it back.' }, { name: 'ratio', value: '0.5' }]);
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'ratio', problem: 'sent after the file part; it would be ignored' }] });
    const image = await post('/api/v1/images/models/none/versions/1/predict', [{ name: 'file', fileName: 'x.jpg', content: 'not read yet' }, { name: 'explain', value: 'true' }]);
    expect(image.status).toBe(400);
    expect(image.body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'explain' }] });
    expect(filesUnder(join(t.dir, 'artifacts'))).toEqual([]);
  });

  it('an over-limit image → 413; a form without a file → 400 on "file" (image predict, text batch, GGUF)', async () => {
    const big = await post('/api/v1/images/models/none/versions/1/predict', [{ name: 'file', fileName: 'x.jpg', content: overLimit() }]);
    expect(big.status).toBe(413);
    expect(big.body.detail).toMatch(/^The image is larger than the upload limit/);
    const noFile: Array<[string, FormPart[]]> = [
      ['/api/v1/images/models/none/versions/1/predict', []],
      ['/api/v1/text/batch-jobs', [{ name: 'model', value: 'm' }]],
      ['/api/v1/llm/models', [{ name: 'name', value: 'x' }]],
    ];
    for (const [url, parts] of noFile) {
      const res = await post(url, parts);
      expect(res.status, url).toBe(400);
      expect(res.body, url).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'file' }] });
    }
  });

  it('an unknown field → 400 naming it before the file is read (text batch, GGUF)', async () => {
    for (const url of ['/api/v1/text/batch-jobs', '/api/v1/llm/models']) {
      const res = await post(url, [{ name: 'modle', value: 'typo' }, { name: 'file', fileName: 'in.txt', content: 'hello' }]);
      expect(res.status, url).toBe(400);
      expect(res.body, url).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'modle', problem: 'unknown form field' }] });
    }
  });
});
