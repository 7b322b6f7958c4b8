/**
 * Inputs that used to be stored silently or crash the import (issue 12, items 6–7), through the real app in-process:
 * each is refused with its documented code, names the row/field with a fix, and leaves every stored row, artifact
 * and file (temp files included) unchanged. Old Mac files (bare CR line breaks) are read, not refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problem, snapshot, upload, type TestApp } from './testing/harness.ts';
import { FAKE_JPEG, makeZip } from './testing/zip-writer.ts';

let t: TestApp;
let baseline: unknown;

beforeAll(async () => {
  t = await createTestApp();
  expect((await upload(t.app, 'existing.csv', 'text,label\nhello world,greeting\nbye now,farewell\n')).statusCode).toBe(201);
  baseline = await snapshot(t);
});

afterAll(async () => {
  await t?.close();
});

async function refused(fileName: string, content: Buffer | string, code: string) {
  const res = await upload(t.app, fileName, content);
  const body = problem(res);
  expect({ status: res.statusCode, code: body.code }, body.detail).toEqual({ status: 400, code });
  expect(body.problems?.length).toBeGreaterThan(0);
  for (const p of body.problems ?? []) expect(p.fix.length).toBeGreaterThan(10);
  expect(await snapshot(t)).toEqual(baseline);
  return body;
}

describe('structurally bad inputs are refused with a documented code; nothing is stored', () => {
  it('JSON Lines nested 100,000 levels deep → JSONL_TOO_DEEP naming the line (not a 500 stack overflow)', async () => {
    const deep = `{"text":"ok","label":"a"}\n{"text":"x","label":"b","meta":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`;
    const body = await refused('deep.jsonl', deep, 'JSONL_TOO_DEEP');
    expect(body.problems?.[0]).toMatchObject({ row: 2, problem: expect.stringMatching(/more than 64 levels deep/) });
    // brackets inside strings do not count
    const ok = await upload(t.app, 'brackets.jsonl', `{"text":"${'['.repeat(200)}","label":"a"}\n{"text":"b","label":"c"}\n`);
    expect(ok.statusCode, ok.body).toBe(201);
    await t.app.inject({ method: 'DELETE', url: '/api/v1/datasets/brackets' });
  });

  it('JSON Lines rows without "text", with null text, or with an object label → JSONL_FIELD_INVALID, each row named', async () => {
    const lines = ['{"text":"fine","label":"a"}', '{"label":"b"}', '{"text":null,"label":"c"}', '{"text":"x","label":{"name":"d"}}'];
    const body = await refused('fields.jsonl', `${lines.join('\n')}\n`, 'JSONL_FIELD_INVALID');
    expect(body.problems?.map((p) => [p.row, p.field])).toEqual([[2, 'text'], [3, 'text'], [4, 'label']]);
    expect(body.problems?.[2].problem).toMatch(/"label": an object/);
    expect(body.detail).toMatch(/3 rows/);
  });

  it('a CSV header that names a column twice → CSV_DUPLICATE_HEADER naming both columns (also when the header is auto-detected)', async () => {
    const body = await refused('dup.csv', 'text,label,text\nhello there,a,x\nbye now,b,y\n', 'CSV_DUPLICATE_HEADER');
    expect(body.problems?.[0]).toMatchObject({ row: 1, field: 'text', problem: 'header columns 1 and 3 are both named "text"' });
  });

  it('a zip entry whose data fails its CRC-32 → ARCHIVE_INVALID naming the entry', async () => {
    const zip = makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG, method: 0 }, { name: 'dogs/1.jpg', data: FAKE_JPEG, method: 0 }]);
    const at = zip.indexOf(FAKE_JPEG);
    zip[at + 30] ^= 0xff; // past the JPEG signature: only the checksum can tell
    const body = await refused('crc.zip', zip, 'ARCHIVE_INVALID');
    expect(body.problems?.[0]).toMatchObject({ field: 'cats/1.jpg', problem: expect.stringMatching(/CRC-32 mismatch/) });
  });

  it('a zip with two entries of the same name → ARCHIVE_UNSAFE naming it', async () => {
    const zip = makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }, { name: 'dogs/1.jpg', data: FAKE_JPEG }, { name: 'cats/1.jpg', data: FAKE_JPEG }]);
    const body = await refused('dup.zip', zip, 'ARCHIVE_UNSAFE');
    expect(body.problems?.[0]).toMatchObject({ field: 'cats/1.jpg', problem: expect.stringMatching(/appears twice/) });
    const dotted = makeZip([{ name: 'cats/1.jpg', data: FAKE_JPEG }, { name: 'dogs/1.jpg', data: FAKE_JPEG }, { name: './cats/1.jpg', data: FAKE_JPEG }]);
    expect((await refused('dup2.zip', dotted, 'ARCHIVE_UNSAFE')).problems?.[0]).toMatchObject({ field: './cats/1.jpg', problem: expect.stringMatching(/duplicate entry name "cats\/1.jpg"/) });
  });
});

describe('old Mac line endings (bare CR) are read', () => {
  it('JSON Lines and CSV with CR-only (or mixed CR, LF, CRLF) line breaks import with every row', async () => {
    const jsonl = await upload(t.app, 'mac.jsonl', '{"text":"one","label":"a"}\r{"text":"two","label":"b"}\r{"text":"three","label":"a"}\r');
    expect(jsonl.statusCode, jsonl.body).toBe(201);
    expect(jsonl.json().version).toMatchObject({ format: 'jsonl', rowCount: 3 });
    const preview = await t.app.inject({ url: '/api/v1/datasets/mac/versions/1/preview' });
    expect(preview.json().rows).toEqual([['one', 'a'], ['two', 'b'], ['three', 'a']]);
    const csv = await upload(t.app, 'mac2.csv', 'text,label\rhello there,a\rbye now,b\r');
    expect(csv.statusCode, csv.body).toBe(201);
    expect(csv.json().version).toMatchObject({ format: 'csv', rowCount: 2 });
    const mixed = await upload(t.app, 'mixed.csv', 'text,label\r\nhello there,a\nbye now,b\r\nyo,a\rlast one,b\n');
    expect(mixed.statusCode, mixed.body).toBe(201);
    expect(mixed.json().version).toMatchObject({ format: 'csv', rowCount: 4 });
  });
});
