/** The header decision of a CSV import whose records are already in memory (fast-csv.ts): the same as the streamed read's. */
import { describe, expect, it } from 'vitest';
import { importDelimited } from './delimited.ts';
import { fastCsvRecords } from './fast-csv.ts';
import { DEFAULT_LIMITS, type ImportLimits } from './types.ts';

const limits: ImportLimits = { ...DEFAULT_LIMITS, maxArchiveBytes: 1 << 20 };

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function read(text: string, inMemory: boolean, headBytes = 64 * 1024) {
  const buf = Buffer.from(text);
  const head = buf.subarray(0, headBytes);
  const records = inMemory ? fastCsvRecords(text) : undefined;
  if (inMemory) expect(records).toBeDefined();
  return importDelimited({
    source: chunks(buf, 5), head, headIsWhole: head.length === buf.length, fileName: 'x.csv', format: 'csv', delimiter: ',', header: 'auto', totalBytes: buf.length, limits, ...(records ? { records } : {}),
  });
}

describe('header detection with the records in memory', () => {
  const files = {
    comprehend: `toxic|insult,"You are a really long comment, with commas"\nclean,"another comment that is fine"\n`.repeat(30),
    header: 'id,text,label\n1,some text here,a\n2,more text,b\n',
    // looks like a header but a later row repeats a name in its column: data after all
    repeated: 'a,b\n1,b\n2,c\n',
    // header-like first row; the repeat lies past the head's sample
    late: `name,label\n${'x,y\n'.repeat(40)}z,label\n`,
    bom: '\uFEFFtext,label\nhello there,a\nbye now,b\n',
  };
  for (const [name, text] of Object.entries(files)) {
    for (const headBytes of [64 * 1024, 48]) {
      it(`${name} (head ${headBytes} bytes): same schema, stats and problems as the streamed read`, async () => {
        const [streamed, inMemory] = await Promise.all([read(text, false, headBytes), read(text, true, headBytes)]);
        expect(inMemory).toEqual(streamed);
      });
    }
  }

  it('decides "no header" from the first record alone, without parsing the head again', async () => {
    // head and records disagree on purpose: the answer must come from the records' first row
    const text = `toxic,"${'a long comment, far longer than any column name would ever be. '.repeat(2)}"\nclean,"fine"\n`;
    const buf = Buffer.from(text);
    const head = Buffer.from('id,text\n1,a\n');
    const r = await importDelimited({ source: chunks(buf, 8), head, headIsWhole: true, fileName: 'x.csv', format: 'csv', delimiter: ',', header: 'auto', totalBytes: buf.length, limits, records: fastCsvRecords(text)! });
    expect(r.schema).toMatchObject({ header: false });
    expect(r.rowCount).toBe(2);
  });
});
