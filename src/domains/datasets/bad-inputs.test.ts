/**
 * Malformed files and requests sent through the real app in-process. Each case asserts the documented
 * error code (and where it points: row, field) AND that nothing stored changed: dataset and version
 * rows, artifact keys and the files on disk (temp files included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, multipart, problem, snapshot, upload, type TestApp } from './testing/harness.ts';
import { FAKE_JPEG, FAKE_PNG, makeZip } from './testing/zip-writer.ts';

const MAX_UPLOAD = 256 * 1024;
const MAX_ARCHIVE = 1024 * 1024;

let t: TestApp;
let baseline: unknown;

beforeAll(async () => {
  t = await createTestApp({ maxUploadBytes: MAX_UPLOAD, maxArchiveBytes: MAX_ARCHIVE });
  // One good dataset, so "unchanged" also covers a bad new version of an existing dataset.
  const ok = await upload(t.app, 'existing.csv', 'text,label\nhello world,greeting\nbye now,farewell\n');
  expect(ok.statusCode).toBe(201);
  baseline = await snapshot(t);
});

afterAll(async () => {
  await t?.close();
});

async function expectUnchanged(): Promise<void> {
  expect(await snapshot(t)).toEqual(baseline);
}

type Res = Awaited<ReturnType<typeof upload>>;

async function expectError(res: Res, status: number, code: string): Promise<ReturnType<typeof problem>> {
  const body = problem(res);
  expect({ status: res.statusCode, code: body.code }, body.detail).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(body.detail.length).toBeGreaterThan(10);
  await expectUnchanged();
  return body;
}

const csvRows = (n: number) => Array.from({ length: n }, (_, i) => `${i},"text number ${i}, with a comma",${i % 2 ? 'spam' : 'ham'}`).join('\n');

describe('bad files are rejected with a documented code and leave nothing behind', () => {
  it('empty file → FILE_EMPTY at once (even without ?wait)', async () => {
    const body = await expectError(await upload(t.app, 'empty.csv', '', {}, ''), 400, 'FILE_EMPTY');
    expect(body.problems?.[0].field).toBe('file');
  });

  it('only blank lines → FILE_EMPTY', async () => {
    await expectError(await upload(t.app, 'blank.csv', '\n\n  \r\n\n'), 400, 'FILE_EMPTY');
  });

  it('a PNG named .csv → FILE_BINARY', async () => {
    const body = await expectError(await upload(t.app, 'data.csv', FAKE_PNG), 400, 'FILE_BINARY');
    expect(body.detail).toMatch(/PNG/);
  });

  it('a gzip file → FILE_BINARY with the fix to decompress', async () => {
    const body = await expectError(await upload(t.app, 'data.csv.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3])), 400, 'FILE_BINARY');
    expect(body.detail).toMatch(/gzip/);
  });

  it('NUL bytes after the first 64 KB → FILE_BINARY naming the row', async () => {
    const head = `id,text,label\n${csvRows(3000)}\n`;
    expect(head.length).toBeGreaterThan(64 * 1024);
    const body = await expectError(await upload(t.app, 'nul.csv', Buffer.concat([Buffer.from(head), Buffer.from('3000,bad\0value,ham\n')])), 400, 'FILE_BINARY');
    expect(body.problems?.[0].row).toBe(3002);
    expect(body.detail).toContain(`byte offset ${head.length + 8}`);
  });

  it('Latin-1 text (invalid UTF-8) → FILE_ENCODING with byte offset and row', async () => {
    const text = Buffer.concat([Buffer.from('name,city\nAnna,Berlin\nJos'), Buffer.from([0xe9]), Buffer.from(',Montr\n')]);
    const body = await expectError(await upload(t.app, 'latin1.csv', text), 400, 'FILE_ENCODING');
    expect(body.problems?.[0].row).toBe(3);
    expect(body.detail).toContain('byte offset 25');
    expect(body.detail).toContain('line 3');
  });

  it('a quoted field with invalid UTF-8 spanning lines names the record row, not the line', async () => {
    const text = Buffer.concat([Buffer.from('id,text\n1,"two\nlines"\n2,"x\ny'), Buffer.from([0xff]), Buffer.from('"\n')]);
    const body = await expectError(await upload(t.app, 'quoted.csv', text), 400, 'FILE_ENCODING');
    expect(body.problems?.[0].row).toBe(3);
    expect(body.detail).toContain('line 5');
  });

  it('UTF-16 (byte-order mark) → FILE_ENCODING', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]);
    await expectError(await upload(t.app, 'utf16.csv', utf16), 400, 'FILE_ENCODING');
  });

  it('a row with too few columns → CSV_MALFORMED naming the row and the missing field', async () => {
    const body = await expectError(await upload(t.app, 'short.csv', 'id,text,label\n1,"a, b",ham\n2,only two\n3,c,spam\n'), 400, 'CSV_MALFORMED');
    expect(body.problems).toHaveLength(1);
    expect(body.problems?.[0]).toMatchObject({ row: 3, field: 'label' });
    expect(body.problems?.[0].fix).toMatch(/Quote fields/);
  });

  it('rows with too many columns → CSV_MALFORMED listing each row', async () => {
    const body = await expectError(await upload(t.app, 'long.csv', 'id,text\n1,a,b\n2,ok\n3,x,y,z\n'), 400, 'CSV_MALFORMED');
    expect(body.problems?.map((p) => p.row)).toEqual([2, 4]);
  });

  it('an unclosed quote → CSV_MALFORMED naming the row where it opened', async () => {
    const body = await expectError(await upload(t.app, 'quote.csv', 'id,text\n1,fine\n2,"never closed\n3,more\n4,rows\n'), 400, 'CSV_MALFORMED');
    expect(body.problems?.[0].row).toBe(3);
    expect(body.problems?.[0].problem).toMatch(/never closed/);
  });

  it('a header without data rows → DATASET_EMPTY', async () => {
    await expectError(await upload(t.app, 'header-only.csv', 'text,label\n'), 400, 'DATASET_EMPTY');
  });

  it('a malformed JSON Lines line → JSONL_MALFORMED naming the line', async () => {
    const body = await expectError(await upload(t.app, 'data.jsonl', '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n{"text": "c", label: z}\n'), 400, 'JSONL_MALFORMED');
    expect(body.problems?.[0].row).toBe(3);
  });

  it('a JSON Lines line that is an array → JSONL_MALFORMED', async () => {
    const body = await expectError(await upload(t.app, 'data.jsonl', '{"text":"a"}\n\n["b"]\n'), 400, 'JSONL_MALFORMED');
    expect(body.problems?.[0]).toMatchObject({ row: 3 });
    expect(body.problems?.[0].problem).toMatch(/array/);
  });

  it('a JSON array file → FILE_FORMAT_UNKNOWN with the conversion fix', async () => {
    const body = await expectError(await upload(t.app, 'data.json', '[{"text":"a"},{"text":"b"}]'), 400, 'FILE_FORMAT_UNKNOWN');
    expect(body.detail).toMatch(/JSON Lines/);
  });

  it('prose with no delimiter → FILE_FORMAT_UNKNOWN', async () => {
    await expectError(await upload(t.app, 'notes.xyz', 'Dear diary\nToday nothing happened\nThe end\n'), 400, 'FILE_FORMAT_UNKNOWN');
  });

  it('an Excel workbook → FILE_FORMAT_UNKNOWN', async () => {
    await expectError(await upload(t.app, 'sheet.xlsx', makeZip([{ name: '[Content_Types].xml', data: '<Types/>' }])), 400, 'FILE_FORMAT_UNKNOWN');
  });

  it('format=csv for a zip → FILE_BINARY; format=zip for a CSV → ARCHIVE_INVALID', async () => {
    await expectError(await upload(t.app, 'images.zip', makeZip([{ name: 'a/1.jpg', data: FAKE_JPEG }]), { format: 'csv' }), 400, 'FILE_BINARY');
    await expectError(await upload(t.app, 'data.csv', 'a,b\n1,2\n', { format: 'zip' }), 400, 'ARCHIVE_INVALID');
  });

  it('an upload over the size limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const big = Buffer.from(`id,text,label\n${csvRows(20000)}\n`);
    expect(big.length).toBeGreaterThan(MAX_UPLOAD);
    const body = await expectError(await upload(t.app, 'big.csv', big), 413, 'PAYLOAD_TOO_LARGE');
    expect(body.problems?.[0].fix).toMatch(/SAGEBRUSH_MAX_UPLOAD_BYTES/);
  });

  it('a file of exactly the limit is accepted (and then deleted)', async () => {
    const header = 'id,text\n1,';
    const exact = Buffer.from(header + 'x'.repeat(MAX_UPLOAD - header.length - 1) + '\n');
    const res = await upload(t.app, 'exact.csv', exact, { name: 'exact-limit' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().version.sizeBytes).toBe(MAX_UPLOAD);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/datasets/exact-limit' })).statusCode).toBe(204);
    await expectUnchanged();
  });
});

describe('bad archives', () => {
  it('a ../ path → ARCHIVE_UNSAFE naming the entry', async () => {
    const zip = makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }, { name: '../../etc/evil.jpg', data: FAKE_JPEG }]);
    const body = await expectError(await upload(t.app, 'slip.zip', zip), 400, 'ARCHIVE_UNSAFE');
    expect(body.problems?.[0].field).toBe('../../etc/evil.jpg');
  });

  it('a backslash ..\\ path → ARCHIVE_UNSAFE', async () => {
    await expectError(await upload(t.app, 'slip.zip', makeZip([{ name: 'cats\\..\\..\\evil.jpg', data: FAKE_JPEG }])), 400, 'ARCHIVE_UNSAFE');
  });

  it('an absolute path → ARCHIVE_UNSAFE', async () => {
    await expectError(await upload(t.app, 'abs.zip', makeZip([{ name: '/tmp/cats/1.jpg', data: FAKE_JPEG }])), 400, 'ARCHIVE_UNSAFE');
  });

  it('a symlink entry → ARCHIVE_UNSAFE', async () => {
    await expectError(await upload(t.app, 'link.zip', makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }, { name: 'dogs/x.jpg', data: '/etc/passwd', method: 0, symlink: true }])), 400, 'ARCHIVE_UNSAFE');
  });

  it('a zip bomb by ratio (4 MiB of zeros in a few KB) → ARCHIVE_UNSAFE', async () => {
    const zeros = Buffer.concat([FAKE_JPEG, Buffer.alloc(4 * 1024 * 1024)]);
    const body = await expectError(await upload(t.app, 'bomb.zip', makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }, { name: 'cats/bomb.jpg', data: zeros }])), 400, 'ARCHIVE_UNSAFE');
    expect(body.detail).toMatch(/limit/);
  });

  it('a zip bomb whose header lies about its size → ARCHIVE_UNSAFE from the counted bytes', async () => {
    const zeros = Buffer.concat([FAKE_JPEG, Buffer.alloc(600 * 1024, 1)]);
    const zip = makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }, { name: 'cats/liar.jpg', data: zeros, declaredSize: 100 }]);
    const body = await expectError(await upload(t.app, 'liar.zip', zip), 400, 'ARCHIVE_UNSAFE');
    expect(body.detail).toMatch(/more than its declared size/);
  });

  it('entries that together inflate past SAGEBRUSH_MAX_ARCHIVE_BYTES → ARCHIVE_UNSAFE', async () => {
    // Each entry compresses only ~2:1 (random-ish bytes), so no ratio limit applies; the total does.
    const chunk = (seed: number) => Buffer.concat([FAKE_JPEG, Buffer.from(Array.from({ length: 400 * 1024 }, (_, i) => ((i * 7919 + seed) % 251) & (i % 3 ? 0xff : 0x0f)))]);
    const zip = makeZip([0, 1, 2].map((i) => ({ name: `cats/${i}.jpg`, data: chunk(i), declaredSize: 1000 })));
    const body = await expectError(await upload(t.app, 'big.zip', zip), 400, 'ARCHIVE_UNSAFE');
    expect(body.problems?.[0].field).toMatch(/^cats\//);
  });

  it('a corrupt zip → ARCHIVE_INVALID', async () => {
    const good = makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }, { name: 'dogs/1.jpg', data: FAKE_JPEG }]);
    await expectError(await upload(t.app, 'cut.zip', good.subarray(0, good.length - 30)), 400, 'ARCHIVE_INVALID');
  });

  it('a zip whose deflate data is garbage → ARCHIVE_INVALID naming the entry', async () => {
    const zip = makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }]);
    const broken = Buffer.from(zip);
    const dataStart = 30 + 'cats/1.jpg'.length;
    broken.fill(0xff, dataStart, dataStart + 8);
    const body = await expectError(await upload(t.app, 'garbage.zip', broken), 400, 'ARCHIVE_INVALID');
    expect(body.problems?.[0].field).toBe('cats/1.jpg');
  });

  it('a zip with no images in label folders → DATASET_EMPTY', async () => {
    await expectError(await upload(t.app, 'docs.zip', makeZip([{ name: 'readme.txt', data: 'hello' }, { name: 'root.jpg', data: FAKE_JPEG }])), 400, 'DATASET_EMPTY');
  });

});

describe('bad requests', () => {
  it('no file part → VALIDATION_FAILED on field "file"', async () => {
    const body = await multipart([{ name: 'name', value: 'x' }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/datasets', ...body });
    const p = await expectError(res, 400, 'VALIDATION_FAILED');
    expect(p.problems?.[0].field).toBe('file');
  });

  it('a JSON body → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectError(await t.app.inject({ method: 'POST', url: '/api/v1/datasets', payload: { file: 'a,b\n1,2' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a raw text/csv body → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectError(await t.app.inject({ method: 'POST', url: '/api/v1/datasets', payload: 'a,b\n1,2\n', headers: { 'content-type': 'text/csv' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a truncated multipart body → BAD_REQUEST', async () => {
    const { payload, headers } = await multipart([{ name: 'file', fileName: 'a.csv', content: 'a,b\n1,2\n' }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/datasets?wait=true', payload: payload.subarray(0, payload.length - 60), headers });
    await expectError(res, 400, 'BAD_REQUEST');
  });

  it('an unknown format value → VALIDATION_FAILED on field "format"', async () => {
    const p = await expectError(await upload(t.app, 'a.csv', 'a,b\n1,2\n', { format: 'xls' }), 400, 'VALIDATION_FAILED');
    expect(p.problems?.[0].field).toBe('format');
  });

  it('an invalid dataset name → VALIDATION_FAILED on field "name"', async () => {
    const p = await expectError(await upload(t.app, 'a.csv', 'a,b\n1,2\n', { name: '../etc' }), 400, 'VALIDATION_FAILED');
    expect(p.problems?.[0].field).toBe('name');
  });

  it('an unknown form field → VALIDATION_FAILED', async () => {
    await expectError(await upload(t.app, 'a.csv', 'a,b\n1,2\n', { nmae: 'typo' }), 400, 'VALIDATION_FAILED');
  });

  it('a field after the file → VALIDATION_FAILED and the upload is discarded', async () => {
    const body = await multipart([{ name: 'file', fileName: 'a.csv', content: 'a,b\n1,2\n' }, { name: 'name', value: 'late' }]);
    const p = await expectError(await t.app.inject({ method: 'POST', url: '/api/v1/datasets?wait=true', ...body }), 400, 'VALIDATION_FAILED');
    expect(p.problems?.[0].field).toBe('name');
  });

  it('?wait=maybe → VALIDATION_FAILED', async () => {
    await expectError(await upload(t.app, 'a.csv', 'a,b\n1,2\n', {}, '?wait=maybe'), 400, 'VALIDATION_FAILED');
  });

  it('unknown dataset → 404 DATASET_NOT_FOUND (get, version, preview, file, delete)', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/datasets/nope'],
      ['GET', '/api/v1/datasets/nope/versions/1'],
      ['GET', '/api/v1/datasets/existing/versions/9'],
      ['GET', '/api/v1/datasets/existing/versions/9/preview'],
      ['GET', '/api/v1/datasets/nope/versions/1/file'],
      ['DELETE', '/api/v1/datasets/nope'],
    ] as const) {
      await expectError(await t.app.inject({ method, url }), 404, 'DATASET_NOT_FOUND');
    }
  });

  it('bad query and path params → VALIDATION_FAILED naming the parameter', async () => {
    for (const url of [
      '/api/v1/datasets?limit=0',
      '/api/v1/datasets?limit=500',
      '/api/v1/datasets/existing/versions/1/preview?limit=abc',
      '/api/v1/datasets/existing/versions/1/preview?offset=-1',
      '/api/v1/datasets/existing/versions/zero',
    ]) {
      const p = await expectError(await t.app.inject({ method: 'GET', url }), 400, 'VALIDATION_FAILED');
      expect(p.problems?.length, url).toBeGreaterThan(0);
    }
  });

  it('a cursor not made by the API → BAD_REQUEST', async () => {
    await expectError(await t.app.inject({ method: 'GET', url: '/api/v1/datasets?cursor=%25%25%25' }), 400, 'BAD_REQUEST');
  });
});
