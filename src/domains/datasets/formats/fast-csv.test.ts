/**
 * fastCsvRecords against csv-parse with the import's strict rules, on hand-picked and on random inputs: every
 * input it reads must give exactly csv-parse's records, and every input csv-parse refuses it must leave to csv-parse.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { fastCsvRecords } from './fast-csv.ts';

const strict = (text: string): string[][] | Error => {
  try {
    return parse(Buffer.from(text), { relax_column_count: true, relax_quotes: false, skip_empty_lines: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'], delimiter: ',' }) as string[][];
  } catch (err) {
    return err as Error;
  }
};

function check(text: string): 'read' | 'left' {
  const fast = fastCsvRecords(text);
  const want = strict(text);
  if (want instanceof Error) {
    expect(fast, JSON.stringify(text)).toBeUndefined();
    return 'left';
  }
  if (fast === undefined) return 'left';
  expect(fast, JSON.stringify(text)).toEqual(want);
  return 'read';
}

describe('fastCsvRecords = csv-parse (strict quotes)', () => {
  it('reads the usual shapes exactly', () => {
    for (const text of [
      '', '\n', '\r\n\r\n', 'a', 'a,b\nc,d', 'a,b\nc,d\n', 'a,b\r\nc,d\r\n', 'a,b\rc,d\r', '\uFEFFa,b\n', ',\n,,\n', '""\n', '"",""', 'x,""\n\n\ny\n',
      'toxic|insult,"you are, ""quoted"""\nclean,plain\r\nclean,"multi\nline\r\nmore"\n', '"a""",b\n"""",c', 'é,"ü\n"\r\n\r', 'a,\n', ',a', '"a"\r"b"\r\n"c"\n',
    ]) expect(check(text), JSON.stringify(text)).toBe('read');
  });

  it('leaves to csv-parse what only it can judge', () => {
    for (const text of ['a"b,c\n', '"a"b,c\n', '"abc', 'x,"a""', ' "a",b\n', 'a,"b" ,c\n', '"a"\u00a0\n']) expect(fastCsvRecords(text), JSON.stringify(text)).toBeUndefined();
  });

  it('agrees on 20,000 random inputs', () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['a', 'b', ',', '"', '""', '\n', '\r', '\r\n', ' ', 'é', '\uFEFF', ',"x"', '"y",'];
    let read = 0;
    for (let k = 0; k < 20_000; k++) {
      const len = Math.floor(rand() * 14);
      let text = '';
      for (let j = 0; j < len; j++) text += alphabet[Math.floor(rand() * alphabet.length)];
      if (check(text) === 'read') read++;
    }
    expect(read).toBeGreaterThan(2_000); // it reads a good share itself, not only leaves everything to csv-parse
  });
});
