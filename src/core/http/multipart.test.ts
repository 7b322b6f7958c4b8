/**
 * The one multipart reader, through a small real fastify app (the same multipart plugin limits as the server):
 * fields then one file, every broken form a documented error naming the field, the size limit, and a consumer
 * that writes the stream to a temp file keeps nothing when the stream fails.
 */
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { frameworkErrorReply } from './problem.ts';
import { consumeUpload, readMultipart, uploadToBuffer, type MultipartSpec } from './multipart.ts';

const LIMIT = 1024;
const spec: MultipartSpec = { maxBytes: LIMIT, fields: ['name', 'note'], defaultFileName: 'upload.bin', noun: 'document' };

type Part = { name: string; value: string } | { name: string; fileName: string; content: string | Buffer };

async function form(parts: Part[]): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const f = new FormData();
  for (const p of parts) {
    if ('value' in p) f.append(p.name, p.value);
    else f.append(p.name, new Blob([typeof p.content === 'string' ? p.content : new Uint8Array(p.content)]), p.fileName);
  }
  const req = new Request('http://localhost/', { method: 'POST', body: f });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

describe('readMultipart', () => {
  let app: FastifyInstance;
  let dir: string;
  const stored = new Set<string>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-multipart-'));
    app = Fastify();
    app.setErrorHandler((err, req, reply) => frameworkErrorReply(err, req, reply));
    await app.register(fastifyMultipart, { limits: { fileSize: LIMIT, files: 1, fields: 20 } });
    // Streams the file to a temp name and renames it, like the artifact store: on any error the temp file goes.
    app.post('/store', async (req) => {
      const { fields, file } = await readMultipart(req, spec);
      const tmp = join(dir, `.tmp-${Math.random().toString(16).slice(2)}`);
      try {
        await pipeline(file.stream, createWriteStream(tmp));
      } catch (err) {
        await unlink(tmp).catch(() => {});
        throw err;
      }
      stored.add(tmp);
      return { fields, fileName: file.fileName, content: readFileSync(tmp, 'utf8') };
    });
    app.post('/optional', async (req) => {
      const { fields, file } = await readMultipart(req, { ...spec, fileOptional: true });
      return { fields, file: file ? (await uploadToBuffer(file)).toString('utf8') : null };
    });
    // Refuses the request before reading the file: consumeUpload drains it so the reply can go out.
    app.post('/refuse', async (req) => {
      const { file } = await readMultipart(req, { ...spec, maxBytes: 64 * 1024 * 1024 });
      return consumeUpload(file, async () => {
        throw new AppError('CONFLICT', 'Refused before reading the file.');
      });
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (url: string, parts: Part[]) => app.inject({ method: 'POST', url, ...(await form(parts)) });
  const noTempFiles = () => expect(readdirSync(dir).filter((f) => f.startsWith('.tmp-') && !stored.has(join(dir, f)))).toEqual([]);

  it('reads the fields, then streams the file (a file of exactly the limit passes)', async () => {
    const res = await post('/store', [{ name: 'name', value: 'a' }, { name: 'file', fileName: 'a.txt', content: 'x'.repeat(LIMIT) }]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ fields: { name: 'a' }, fileName: 'a.txt' });
    expect(res.json().content).toHaveLength(LIMIT);
    expect([...stored].every((f) => existsSync(f))).toBe(true);
  });

  it('a file over the limit → 413 PAYLOAD_TOO_LARGE on field "file"; the temp file is gone', async () => {
    const res = await post('/store', [{ name: 'file', fileName: 'big.txt', content: 'x'.repeat(LIMIT + 1) }]);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', problems: [{ field: 'file' }] });
    expect(res.json().detail).toBe('The document is larger than the upload limit of 1 KiB. Nothing was stored.');
    expect(res.json().problems[0].fix).toMatch(/SAGEBRUSH_MAX_UPLOAD_BYTES/);
    noTempFiles();
  });

  it.each([
    ['no file part', [{ name: 'name', value: 'a' }], 'file', /no file part/],
    ['an unknown field', [{ name: 'nmae', value: 'a' }, { name: 'file', fileName: 'a.txt', content: 'x' }], 'nmae', /unknown form field/],
    ['a field given twice', [{ name: 'name', value: 'a' }, { name: 'name', value: 'b' }, { name: 'file', fileName: 'a.txt', content: 'x' }], 'name', /more than once/],
    ['a file part under another name', [{ name: 'data', fileName: 'a.txt', content: 'x' }], 'data', /unexpected file part/],
    ['a field after the file', [{ name: 'file', fileName: 'a.txt', content: 'x' }, { name: 'note', value: 'late' }], 'note', /after the file part/],
    ['a second file part', [{ name: 'file', fileName: 'a.txt', content: 'x' }, { name: 'file', fileName: 'b.txt', content: 'y' }], 'file', /one file/],
  ] as Array<[string, Part[], string, RegExp]>)('%s → 400 VALIDATION_FAILED naming the field; no temp file stays', async (_name, parts, field, problem) => {
    const res = await post('/store', parts);
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field }] });
    expect(body.detail).toContain(`Invalid upload form: ${field}:`);
    expect(body.problems[0].problem).toMatch(problem);
    expect(body.problems[0].fix).toBeTruthy();
    noTempFiles();
  });

  it('a field value over the field size limit → 400 naming it', async () => {
    const res = await post('/store', [{ name: 'note', value: 'n'.repeat(1024 * 1024 + 10) }, { name: 'file', fileName: 'a.txt', content: 'x' }]);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'note', problem: 'value too long' }] });
  });

  it('not multipart → 415; a malformed or truncated body → 400 BAD_REQUEST', async () => {
    const json = await app.inject({ method: 'POST', url: '/store', payload: { file: 'x' } });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', problems: [{ field: 'content-type' }] });
    const { payload, headers } = await form([{ name: 'file', fileName: 'a.txt', content: 'hello' }]);
    const cut = await app.inject({ method: 'POST', url: '/store', payload: payload.subarray(0, payload.length - 30), headers });
    expect(cut.json().code).toBe('BAD_REQUEST');
    const noBoundary = await app.inject({ method: 'POST', url: '/store', payload: 'x', headers: { 'content-type': 'multipart/form-data' } });
    expect(noBoundary.json().code).toBe('BAD_REQUEST');
    noTempFiles();
  });

  it('fileOptional: a form without a file is its fields; with one, the whole file', async () => {
    expect((await post('/optional', [{ name: 'name', value: 'only' }])).json()).toEqual({ fields: { name: 'only' }, file: null });
    expect((await post('/optional', [{ name: 'file', fileName: 'a.txt', content: 'abc' }])).json()).toEqual({ fields: {}, file: 'abc' });
  });

  it('a request refused before its 8 MiB file is read still gets its answer over real HTTP', async () => {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const f = new FormData();
    f.append('file', new Blob([new Uint8Array(8 * 1024 * 1024)]), 'big.bin');
    const res = await fetch(`${url}/refuse`, { method: 'POST', body: f, signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(409);
  });
});
