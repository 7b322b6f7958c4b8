/** parseSample's fast reading of a sample that has not ended: exactly the records csv-parse streams from it. */
import { describe, expect, it } from 'vitest';
import { createCsvEngine, parseSample, sampleRecords } from './csv-engine.ts';

/** What parseSample returned before the fast reading: csv-parse fed in 8 KiB slices. */
function csvParseSample(sample: Buffer, delimiter: string, max: number): string[][] {
  const rows: string[][] = [];
  const engine = createCsvEngine(delimiter, 1024 * 1024, (r) => {
    if (rows.length < max) rows.push(r);
  });
  for (let at = 0; at < sample.length && rows.length < max; at += 8192) engine.write(sample.subarray(at, at + 8192));
  engine.destroy();
  return rows;
}

describe('sampleRecords', () => {
  it('gives csv-parse\'s records, held-back tail included, on crafted samples', () => {
    const crafted = ['a,b\nc,d\n', 'a,b\nc,d\r', 'a,b\nc,d\r\n', 'a,b\nc,d', 'a,b\n\n', 'a,b\r\n\r\n', 'a,b\nc,d\n\nx', 'a\n', 'a,b\nc,""\nxyz', '"a\nb",c\n"d""e",f\n123', 'é,€\nü,ß\nxyz', 'a,"b"', 'a,"b"\n', 'a,"b"\nxy', 'x,y\n\n\n\n'];
    for (const text of crafted) {
      const buf = Buffer.from(text);
      expect(sampleRecords(buf, ',', 200), JSON.stringify(text)).toEqual(csvParseSample(buf, ',', 200));
    }
    // a character cut at the sample's end
    const cut = Buffer.from('a,b\nc,d\né€,x\n').subarray(0, 13);
    expect(sampleRecords(cut, ',', 200)).toEqual(csvParseSample(cut, ',', 200));
  });

  it('leaves relaxed quotes and a BOM to csv-parse', () => {
    expect(sampleRecords(Buffer.from('a,b"c\nd,e\nxyz'), ',', 200)).toBeUndefined();
    expect(sampleRecords(Buffer.from('a,"b"c\nd,e\nxyz'), ',', 200)).toBeUndefined();
    expect(sampleRecords(Buffer.from('\uFEFFa,b\nc,d\nxyz'), ',', 200)).toBeUndefined();
  });

  it('agrees with csv-parse on 20,000 random samples, each delimiter and row cap', () => {
    let seed = 3;
    const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % k);
    const alphabet = ['a', 'b', ',', ';', '|', '\t', '"', '"', '\n', '\r', '\r\n', 'é', '€', ' '];
    let fast = 0;
    for (let t = 0; t < 20_000; t++) {
      let buf = Buffer.from(Array.from({ length: rand(30) }, () => alphabet[rand(alphabet.length)]).join(''));
      if (rand(4) === 0) buf = buf.subarray(0, rand(buf.length + 1));
      const delimiter = [',', ';', '|', '\t'][rand(4)]!;
      const max = rand(3) === 0 ? 1 + rand(3) : 200;
      const got = sampleRecords(buf, delimiter, max);
      if (!got) continue;
      fast++;
      expect(got, JSON.stringify(buf.toString('latin1'))).toEqual(csvParseSample(buf, delimiter, max));
    }
    expect(fast).toBeGreaterThan(10_000);
  });

  it('is what parseSample returns for a sample that has not ended', () => {
    const head = Buffer.from('toxic|insult,"a comment, quoted"\nclean,plain text\n'.repeat(50));
    expect(parseSample(head, ',', 200)).toEqual(csvParseSample(head, ',', 200));
    expect(parseSample(head, ',', 200)).toHaveLength(99);
  });
});
