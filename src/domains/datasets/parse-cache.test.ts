/**
 * The import keeps a comma-separated CSV's records for the next reader (parse-cache.ts): they must be exactly what a
 * strict reader (relax_quotes off, the text domain's rules) gets, the import's own answer must not change, and a file
 * only the relaxed rules accept must not be kept.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile, type ImportResult } from './formats/index.ts';
import { DEFAULT_LIMITS } from './formats/types.ts';
import { createParseCache, PARSE_CACHE_MAX_FILE_BYTES } from './parse-cache.ts';
import { createTestApp, upload, type TestApp } from './testing/harness.ts';

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function importText(text: string | Buffer, keepRecords: boolean, fileName = 'd.csv'): Promise<ImportResult> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return importFile({
    open: async () => Readable.from(chunks(buf, 5)),
    localPath: async () => {
      throw new Error('no path');
    },
    fileName, sizeBytes: buf.length, format: 'auto', header: 'auto', limits: { ...DEFAULT_LIMITS, maxArchiveBytes: 1 << 20 }, keepRecords,
  });
}

const strictRecords = (text: string): string[][] =>
  parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, relax_quotes: false, skip_empty_lines: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: Error & { code?: string; problems?: unknown }) => ({ code: e.code, message: e.message, problems: e.problems }));

const FILES: Record<string, string> = {
  comprehend: 'toxic|insult,"you are, ""quoted"""\nclean,plain text\r\nclean,"multi\nline"\n\nthreat,"x"\n',
  bom: '\uFEFFa,b\nc,"d\r\ne"\r',
  header: 'id,comment_text,toxic\n1,"hi, there",0\n2,bye,1\n,,\n',
  cr: 'x|y,"a\rb"\rz,c\r\r',
};

describe('import keeps the records a strict reader gets', () => {
  it('the in-memory read reports progress as a streamed read does (progress bars; the kill -9 test holds a job there)', async () => {
    const text = FILES.comprehend!;
    const buf = Buffer.from(text);
    const seen: Array<{ fast: boolean; messages: string[] }> = [];
    for (const keepRecords of [true, false]) {
      const messages: string[] = [];
      const result = await importFile({
        open: async () => Readable.from(chunks(buf, 5)),
        localPath: async () => {
          throw new Error('no path');
        },
        fileName: 'd.csv', sizeBytes: buf.length, format: 'auto', header: 'auto', limits: { ...DEFAULT_LIMITS, maxArchiveBytes: 1 << 20 }, keepRecords,
        onProgress: async (_fraction, message) => {
          messages.push(message);
        },
      });
      seen.push({ fast: result.records !== undefined, messages });
    }
    expect(seen.map((x) => x.fast)).toEqual([true, false]);
    for (const { messages } of seen) expect(messages.length).toBeGreaterThan(0);
  });

  for (const [name, text] of Object.entries(FILES)) {
    it(`${name}: records = csv-parse strict, the import's answer unchanged`, async () => {
      const kept = await importText(text, true);
      const plain = await importText(text, false);
      expect(kept.records).toEqual(strictRecords(text));
      const { records: _r, ...rest } = kept;
      expect(rest).toEqual(plain);
    });
  }

  it('a quote only the relaxed rules accept: the import answers as before and keeps nothing', async () => {
    for (const text of ['a,b"c\nd,e\n', 'a,"b"c\nd,e\n', 'x,y\n'.repeat(50) + 'a,b"c\n']) {
      expect(() => strictRecords(text)).toThrow();
      const kept = await importText(text, true);
      expect(kept.records).toBeUndefined();
      expect(kept).toEqual(await importText(text, false));
    }
  });

  it('a relaxed quote before a bad byte: the same error (row) as the relaxed read', async () => {
    const text = `a,b"c\n${'x,y\n'.repeat(20)}bad,\uFFFD\n`.replace('\uFFFD', '\u0000');
    const kept = await errorOf(importText(text, true));
    expect(kept?.code).toBe('FILE_BINARY');
    expect(kept).toEqual(await errorOf(importText(text, false)));
  });

  it('files the import refuses: the same error (code, message, rows, lines) whether records are kept or not', async () => {
    for (const text of [
      'a,b\nc\n"d\ne",f,g\n', // column counts (the problem names lines)
      'a,a\n1,2\n', // duplicate header
      'a,b\n1,2\n\u0000,3\n', // NUL byte
      'a,b\n1,"2\n', // unclosed quote
      Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.from([0xc3, 0x28]), Buffer.from(',x\n')]), // not UTF-8
    ]) {
      const kept = await errorOf(importText(text, true));
      expect(kept?.code, JSON.stringify(text)).toBeDefined();
      expect(kept).toEqual(await errorOf(importText(text, false)));
    }
  });

  it('keeps nothing for TSV, other delimiters, or when not asked', async () => {
    expect((await importText('a\tb\nc\td\n', true, 'd.tsv')).records).toBeUndefined();
    expect((await importText('a;b;c\nd;e;f\n', true)).records).toBeUndefined();
    expect((await importText(FILES.comprehend!, false)).records).toBeUndefined();
  });
});

describe('parse cache', () => {
  it('keeps at most 4 files, oldest (least recently read) out first, and no file over the size limit', () => {
    const cache = createParseCache();
    for (const k of ['a', 'b', 'c', 'd']) cache.put(k, 10, [[k]]);
    expect(cache.get('a')).toEqual([['a']]);
    cache.put('e', 10, [['e']]);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual([['a']]);
    cache.put('big', PARSE_CACHE_MAX_FILE_BYTES + 1, [['x']]);
    expect(cache.get('big')).toBeUndefined();
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('through the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('an imported CSV is kept under its sha256 for the next job in this process', async () => {
    const text = FILES.comprehend!;
    const res = await upload(t.app, 'train.csv', text, { header: 'false' });
    expect(res.statusCode, res.body).toBe(201);
    const sha = createHash('sha256').update(text).digest('hex');
    expect(t.ctx.services.datasets.csvRecords(sha)).toEqual(strictRecords(text));
    expect(t.ctx.services.datasets.csvRecords('0'.repeat(64))).toBeUndefined();
  });
});
