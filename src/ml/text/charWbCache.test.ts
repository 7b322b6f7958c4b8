import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { analyzeCharWb, NgramScratch } from './analyzers.ts';
import { CharWbColumns } from './charWbCache.ts';
import { TfidfVectorizer } from './vocabulary.ts';
import type { NgramHashTable } from './hashTable.ts';

const rows = parse(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url)), { relax_column_count: true }) as string[][];
const texts = rows.map((r) => r[1]!);

/** What the uncached path gives: analyzeCharWb + look-up, unknown n-grams dropped. */
function reference(table: NgramHashTable, text: string, range: [number, number], lowercase: boolean): number[] {
  const s = new NgramScratch();
  analyzeCharWb(text, lowercase, range[0], range[1], s);
  table.getMany(s.h1, s.h2, s.count, s.ids);
  return Array.from(s.ids.subarray(0, s.count)).filter((id) => id >= 0);
}

const tricky = [
  '', '   ', 'a', 'I', 'x y z', 'Hello, WORLD! hello world', 'tabs\tand\nnew\u00a0lines\u2003em space\u3000ideographic',
  'emoji 😀😀 in wörds, naïve café', 'lone \ud800 surrogate \udc00 here', 'the the the the the of of of',
  `${'long'.repeat(40)} ${'long'.repeat(40)} short`, 'x'.repeat(49), 'x'.repeat(48), 'MiXeD CaSe mixed case',
];

describe('CharWbColumns (char_wb columns through a word cache)', () => {
  for (const [range, lowercase] of [[[2, 5], true], [[3, 3], false], [[1, 4], true]] as [[number, number], boolean][]) {
    it(`gives the uncached analyzer's columns in the same order (char_wb ${range.join('-')}, lowercase ${lowercase}), on real and tricky texts, on first sight and from the cache`, () => {
      const table = TfidfVectorizer.fitTransform(texts.slice(0, 600), { analyzer: 'char_wb', ngramRange: range, minDf: 1, maxFeatures: null, lowercase, sublinearTf: true }).vectorizer.lookupTable;
      const cached = new CharWbColumns(table, range[0], range[1], lowercase);
      for (let pass = 0; pass < 2; pass++) {
        for (const text of [...tricky, ...texts.slice(500)]) {
          const n = cached.run(text);
          expect(Array.from(cached.ids.subarray(0, n)), JSON.stringify(text.slice(0, 40))).toEqual(reference(table, text, range, lowercase));
        }
      }
    });
  }

  it('stays exact when the cache fills up and is emptied (more distinct words than it holds)', () => {
    const table = TfidfVectorizer.fitTransform(texts, { analyzer: 'char_wb', ngramRange: [2, 5], minDf: 1, maxFeatures: null, lowercase: true, sublinearTf: true }).vectorizer.lookupTable;
    const cached = new CharWbColumns(table, 2, 5, true);
    // 40,000 distinct made-up words (over the cache's 32,768), then the real texts again
    const words = Array.from({ length: 40000 }, (_, i) => `w${i.toString(36)}q`);
    for (let i = 0; i < words.length; i += 500) {
      const doc = words.slice(i, i + 500).join(' ');
      const n = cached.run(doc);
      expect(Array.from(cached.ids.subarray(0, n))).toEqual(reference(table, doc, [2, 5], true));
    }
    for (const text of texts.slice(0, 100)) {
      const n = cached.run(text);
      expect(Array.from(cached.ids.subarray(0, n))).toEqual(reference(table, text, [2, 5], true));
    }
  });

  it('stays exact when its column pool fills and is emptied (long distinct words: more ids than it holds)', () => {
    const table = TfidfVectorizer.fitTransform(texts, { analyzer: 'char_wb', ngramRange: [2, 5], minDf: 1, maxFeatures: null, lowercase: true, sublinearTf: true }).vectorizer.lookupTable;
    const cached = new CharWbColumns(table, 2, 5, true);
    // 18,000 distinct 40-letter words of common letters (~73 known columns each: ~1.3M, over the pool's 1,048,576 ids)
    const letters = 'etaoinshrdlu';
    const word = (i: number) => Array.from({ length: 40 }, (_, j) => letters[(i * (j + 7) + j * j + (i >> (j % 11))) % letters.length]).join('') + i.toString(36);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 18000; i += 300) {
        const doc = Array.from({ length: 300 }, (_, j) => word(i + j)).join(' ');
        const n = cached.run(doc);
        expect(Array.from(cached.ids.subarray(0, n))).toEqual(reference(table, doc, [2, 5], true));
      }
    }
    for (const text of texts.slice(0, 100)) {
      const n = cached.run(text);
      expect(Array.from(cached.ids.subarray(0, n))).toEqual(reference(table, text, [2, 5], true));
    }
  });
});
