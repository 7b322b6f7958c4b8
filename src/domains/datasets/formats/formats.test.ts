/** Unit tests of the readers: UTF-8 checking, format detection, CSV/TSV and JSON Lines parsing. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.ts';
import { bestDelimiter, detectFormat } from './detect.ts';
import { importDelimited, parseSample, previewDelimited } from './delimited.ts';
import { importFile } from './index.ts';
import { importJsonl, LineSplitter } from './jsonl.ts';
import { DEFAULT_LIMITS, type DelimitedSchema, type ImportLimits } from './types.ts';
import { firstInvalid, Utf8Checker } from './utf8.ts';

const limits: ImportLimits = { ...DEFAULT_LIMITS, maxArchiveBytes: 1 << 20 };

/** Splits a buffer into chunks of `size` bytes, as a stream would deliver it. */
async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function* chunksSync(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function fromText(text: string | Buffer, fileName: string, chunkSize = 7) {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return importFile({
    open: async () => Readable.from(chunks(buf, chunkSize)),
    localPath: async () => {
      throw new Error('no path');
    },
    fileName,
    sizeBytes: buf.length,
    format: 'auto',
    header: 'auto',
    limits,
  });
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; row?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    return { code: e.code, row: e.problems?.[0]?.row, message: e.message };
  }
  throw new Error('expected an error');
}

describe('Utf8Checker', () => {
  it('accepts multi-byte characters split across every possible chunk boundary', () => {
    const text = Buffer.from('héllo → wörld 😀 ok\n'.repeat(3));
    for (let size = 1; size <= 9; size++) {
      const c = new Utf8Checker();
      for (let i = 0; i < text.length; i += size) expect(c.check(text.subarray(i, i + size))).toBe(-1);
      expect(c.finish()).toBe(-1);
    }
  });

  it('reports the index of the first bad byte, and a truncated character at the end', () => {
    const c = new Utf8Checker();
    expect(c.check(Buffer.from([0x61, 0x62, 0xe9, 0x63]))).toBe(2);
    const d = new Utf8Checker();
    expect(d.check(Buffer.from([0x61, 0xf0, 0x9f]))).toBe(-1);
    expect(d.finish()).toBe(1);
    expect(firstInvalid(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // UTF-16 surrogate
    expect(firstInvalid(Buffer.from([0xc0, 0xaf]))).toBe(0); // overlong
  });
});

describe('detectFormat', () => {
  const detect = (text: string | Buffer, name: string, declared: 'auto' | 'csv' = 'auto') => detectFormat(Buffer.from(text), true, name, declared);

  it('uses the extension, then the content', () => {
    expect(detect('a\tb\n1\t2\n', 'x.tsv')).toEqual({ format: 'tsv', delimiter: '\t' });
    expect(detect('{"a":1}\n', 'x.txt')).toEqual({ format: 'jsonl' });
    expect(detect('a;b;c\n1;2;3\n4;5;6\n', 'x.csv')).toEqual({ format: 'csv', delimiter: ';' });
    expect(detect('a\tb\n1\t2\n', 'noext')).toEqual({ format: 'tsv', delimiter: '\t' });
    expect(detect('"a, b",c\n"d, e",f\n', 'data')).toEqual({ format: 'csv', delimiter: ',' });
    expect(detect('only one column\nper line\n', 'single.csv')).toEqual({ format: 'csv', delimiter: ',' });
  });

  it('refuses what is not a text dataset', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as AppError).code;
      }
      return 'none';
    };
    expect(code(() => detect(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d]), 'doc.csv'))).toBe('FILE_BINARY');
    expect(code(() => detect(Buffer.from('a,b\n1,\u0000\n'), 'nul.csv'))).toBe('FILE_BINARY');
    expect(code(() => detect('<!DOCTYPE html><html></html>', 'page.csv2'))).toBe('FILE_FORMAT_UNKNOWN');
    expect(code(() => detect('[1,2,3]', 'x.json'))).toBe('FILE_FORMAT_UNKNOWN');
    expect(code(() => detect('   \n', 'blank.csv'))).toBe('FILE_EMPTY');
    expect(code(() => detect('a,b\n', 'x.zip'))).toBe('ARCHIVE_INVALID');
  });

  it('picks the delimiter that gives consistent columns', () => {
    expect(bestDelimiter(Buffer.from('a,b;c\n1,2;3\n4,5;6\n'), [',', ';'])).toBe(',');
    expect(bestDelimiter(Buffer.from('x|y\n1|2\n'), [',', '|'])).toBe('|');
    expect(bestDelimiter(Buffer.from('no delimiters\nhere\n'), [',', '\t'])).toBeUndefined();
  });
});

describe('CSV/TSV reader', () => {
  it('parses quoted delimiters, doubled quotes and newlines, in any chunking', async () => {
    const text = 'id,text,label\n1,"a, b",x\n2,"say ""hi""\nand bye",y\n3,plain,x\n';
    for (const size of [1, 3, 64]) {
      const r = await fromText(text, 't.csv', size);
      expect(r.rowCount).toBe(3);
      expect(r.schema).toMatchObject({ format: 'csv', header: true, columns: [{ name: 'id' }, { name: 'text' }, { name: 'label' }] });
    }
    const rows = await previewDelimited(chunks(Buffer.from(text), 5), (await fromText(text, 't.csv')).schema as DelimitedSchema, 1, 5);
    expect(rows).toEqual([['2', 'say "hi"\nand bye', 'y'], ['3', 'plain', 'x']]);
  });

  it('handles CRLF, a BOM, blank rows and no trailing newline', async () => {
    const r = await fromText('\uFEFFname,score\r\nann,1\r\n,\r\n\r\nbob,2', 'crlf.csv');
    expect(r.rowCount).toBe(2);
    expect(r.schema).toMatchObject({ columns: [{ name: 'name' }, { name: 'score', type: 'number' }] });
    expect(r.problems.map((p) => p.problem).join()).toMatch(/1 blank row was skipped/);
  });

  it('names empty header cells with a warning and refuses duplicate names (CSV_DUPLICATE_HEADER)', async () => {
    const text = Buffer.from('a,,b\n1,2,3\n4,5,6\n');
    const r = await importDelimited({ source: chunks(text, 4), head: text, headIsWhole: true, fileName: 'h.csv', format: 'csv', delimiter: ',', header: 'true', totalBytes: text.length, limits });
    expect(r.schema).toMatchObject({ columns: [{ name: 'a' }, { name: 'column_2' }, { name: 'b' }] });
    expect(r.problems.filter((p) => p.row === 1)).toHaveLength(1);
    const dup = Buffer.from('a,,a\n1,2,3\n4,5,6\n');
    const e = await codeOf(importDelimited({ source: chunks(dup, 4), head: dup, headIsWhole: true, fileName: 'h.csv', format: 'csv', delimiter: ',', header: 'true', totalBytes: dup.length, limits }));
    expect(e).toMatchObject({ code: 'CSV_DUPLICATE_HEADER', row: 1 });
  });

  it('splits lines at LF, CRLF and bare CR, also when CRLF straddles two chunks', () => {
    for (const size of [1, 2, 3, 100]) {
      const lines: string[] = [];
      const s = new LineSplitter(1000, (buf, start, end) => lines.push(buf.toString('utf8', start, end)), () => {});
      for (const c of chunksSync(Buffer.from('a\r\nb\rc\nd\r\r\ne'), size)) s.push(c);
      s.end();
      expect(lines, `chunk size ${size}`).toEqual(['a', 'b', 'c', 'd', '', 'e']);
    }
  });

  it('detects a header only when the first row looks like one', () => {
    expect(parseSample(Buffer.from('a,b\n1,2\n3,4'), ',', 10, true)).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(parseSample(Buffer.from('a,b\n1,2\n3,4'), ',', 10, false)).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('stops after maxErrors bad rows and reports each row', async () => {
    const bad = 'a,b\n' + Array.from({ length: 50 }, (_, i) => `${i}`).join('\n') + '\n';
    const e = await codeOf(importDelimited({ source: chunks(Buffer.from(bad), 16), head: Buffer.from(bad), headIsWhole: true, fileName: 'bad.csv', format: 'csv', delimiter: ',', header: 'true', totalBytes: bad.length, limits }));
    expect(e.code).toBe('CSV_MALFORMED');
    expect(e.row).toBe(2);
    expect(e.message).toMatch(/stopped after 20 problems/);
  });

  it('fails a runaway quoted field at maxRecordChars instead of buffering the file', async () => {
    const text = 'a,b\n1,"' + 'x'.repeat(5000) + '\n';
    const e = await codeOf(importDelimited({ source: chunks(Buffer.from(text), 100), head: Buffer.from(text), headIsWhole: true, fileName: 'q.csv', format: 'csv', delimiter: ',', header: 'auto', totalBytes: text.length, limits: { ...limits, maxRecordChars: 1000 } }));
    expect(e).toMatchObject({ code: 'CSV_MALFORMED', row: 2 });
    expect(e.message).toMatch(/never closed/);
  });

  it('reports invalid UTF-8 deep in the file with its row', async () => {
    const head = 'id,text\n' + Array.from({ length: 100 }, (_, i) => `${i},"row\n${i}"`).join('\n') + '\n';
    const e = await codeOf(fromText(Buffer.concat([Buffer.from(head), Buffer.from('100,caf'), Buffer.from([0xe9]), Buffer.from('\n')]), 'deep.csv', 13));
    expect(e).toMatchObject({ code: 'FILE_ENCODING', row: 102 });
    expect(e.message).toContain(`byte offset ${head.length + 7}`);
    expect(e.message).toContain('line 202');
  });
});

describe('JSON Lines reader', () => {
  it('splits lines across chunks, CRLF included', () => {
    const lines: string[] = [];
    const s = new LineSplitter(1000, (b, start, end, n) => lines.push(`${n}:${b.toString('utf8', start, end)}`), () => {});
    for (const c of ['{"a"', ':1}\r\n{"a":2}\n', '\n{"a"', ':3}']) s.push(Buffer.from(c));
    s.end();
    expect(lines).toEqual(['1:{"a":1}', '2:{"a":2}', '3:', '4:{"a":3}']);
  });

  it('builds columns from the union of keys and stringifies nested values', async () => {
    const text = '{"text":"a","labels":["x","y"]}\n{"text":"b","labels":["x"],"extra":{"k":1}}\n{"text":"c","labels":[],"score":0.5}\n';
    const r = await importJsonl({ source: chunks(Buffer.from(text), 5), fileName: 'd.jsonl', totalBytes: text.length, limits });
    expect(r.rowCount).toBe(3);
    expect(r.schema).toMatchObject({ columns: [{ name: 'text' }, { name: 'labels', type: 'json', role: 'label' }, { name: 'extra' }, { name: 'score' }] });
    const labels = (r.stats as { columns: Array<{ name: string; multiLabels?: unknown }> }).columns[1];
    expect(labels.multiLabels).toEqual([{ label: 'x', count: 2 }, { label: 'y', count: 1 }]);
  });

  it('names the line of a bad row and of a line too long', async () => {
    expect(await codeOf(fromText('{"a":1}\n{"a":\n', 'x.jsonl'))).toMatchObject({ code: 'JSONL_MALFORMED', row: 2 });
    expect(await codeOf(fromText('{"a":1}\n42\n', 'x.jsonl'))).toMatchObject({ code: 'JSONL_MALFORMED', row: 2 });
    const long = `{"a":1}\n{"a":"${'x'.repeat(3000)}"}\n`;
    const e = await codeOf(importJsonl({ source: chunks(Buffer.from(long), 100), fileName: 'l.jsonl', totalBytes: long.length, limits: { ...limits, maxRecordChars: 1000 } }));
    expect(e).toMatchObject({ code: 'JSONL_MALFORMED', row: 2 });
  });
});
