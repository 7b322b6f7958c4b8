import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { TextClassifierModel } from './classifier.ts';
import { FusedTextScorer } from './fusedScorer.ts';
import { CharWbColumns } from './charWbCache.ts';
import { TfidfVectorizer, type VectorizerConfig } from './vocabulary.ts';
import { resolveTextClassifierOptions } from './options.ts';
import { hashTerms } from './analyzers.ts';
import { fmix32 } from './hashTable.ts';
import { knownColumnsOfWords, modelWordColumns, storedWords, WORD_COLUMNS_VERSION } from './wordColumns.ts';
import { packSections, unpackSections } from '../serialize.ts';
import { mulberry32 } from '../split/prng.ts';

// real data: the bundled jigsaw sample; fitted vectorizers and seeded weights (independent of training's choices)
const rows = parse(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url)), { relax_column_count: true }) as string[][];
const texts = rows.map((r) => r[1]!);
const base = { minDf: 2, maxFeatures: null, lowercase: true, sublinearTf: true };
const configs: VectorizerConfig[] = [{ ...base, analyzer: 'word', ngramRange: [1, 2] }, { ...base, analyzer: 'char_wb', ngramRange: [2, 5] }];
const vectorizers = configs.map((c) => TfidfVectorizer.fitTransform(texts.slice(0, 800), c).vectorizer);
const nFeatures = vectorizers.reduce((s, v) => s + v.nFeatures, 0), rand = mulberry32(3);
const weights = Float32Array.from({ length: (nFeatures + 1) * 3 }, () => rand.next() * 4 - 2);
const info = { epochs: 1, converged: false, maxViolation: 0, nDocuments: 800, nWordFeatures: vectorizers[0]!.nFeatures, nCharFeatures: vectorizers[1]!.nFeatures };
const model = new TextClassifierModel('multi-label', ['a', 'b', 'c'], resolveTextClassifierOptions({}), vectorizers, { nFeatures, nLabels: 3, weights, interceptScaling: 1 }, info);
const file = model.serialize();
const held = [...texts.slice(800), 'UPPER Case, punctuation! naïve café 😀 the the THE', '', 'x'.repeat(60)];

/** The same file with its header and sections changed (e.g. the word columns left out: a file saved before them). */
function rewrite(change: (header: Record<string, unknown>, sections: Record<string, Uint8Array>) => void): Buffer {
  const { header, section } = unpackSections(file);
  const sections = Object.fromEntries(Object.keys(header.sections as object).map((n) => [n, section(n)]));
  const h = { ...header };
  delete h.sections;
  delete h.littleEndian;
  change(h, sections);
  return packSections(h, sections);
}
const older = rewrite((h, s) => { delete h.wordColumns; delete s.wordcols1; });
/** Words the char_wb scorer worked out and cached itself (not found in the file). */
const computedWords = (s: FusedTextScorer) => (s as unknown as { blocks: { charWb: { nWords: number } | null }[] }).blocks[1]!.charWb!.nWords;

describe('stored char_wb word columns (model file)', () => {
  it('scores bit for bit as a file without them (saved before they existed) and as model.predict, computing fewer words', () => {
    const withWords = new FusedTextScorer(TextClassifierModel.deserialize(file, true)), without = new FusedTextScorer(TextClassifierModel.deserialize(older, true));
    const expected = model.predict(held);
    expect(withWords.score(held)).toEqual(expected);
    expect(without.score(held)).toEqual(expected);
    expect((unpackSections(file).header.wordColumns as { version: number }).version).toBe(WORD_COLUMNS_VERSION);
    expect(computedWords(withWords)).toBeLessThan(computedWords(without) * 0.8);
  });

  it('stores for each of the word block\'s words what a cold cache computes for it (CharWbColumns.run)', () => {
    const stored = modelWordColumns.get(TextClassifierModel.deserialize(file))![1]!;
    const words = vectorizers[0]!.terms.filter((t) => !t.includes(' ')), keys = hashTerms(words);
    const cold = new CharWbColumns(vectorizers[1]!.lookupTable, 2, 5, true);
    for (let w = 0; w < words.length; w += 7) {
      let s = fmix32(keys.h1[w]!) & stored.mask;
      while (stored.slots[4 * s] !== keys.h1[w] || stored.slots[4 * s + 1] !== keys.h2[w]) s = (s + 1) & stored.mask;
      const start = stored.slots[4 * s + 2]! - 1, n = cold.run(words[w]!);
      expect(Array.from(stored.ids.subarray(start, start + stored.slots[4 * s + 3]!))).toEqual(Array.from(cold.ids.subarray(0, n)));
    }
  });

  it('ignores another version, and refuses a damaged section instead of scoring with it', () => {
    const other = rewrite((h) => { h.wordColumns = { ...(h.wordColumns as object), version: WORD_COLUMNS_VERSION + 1 }; });
    expect(modelWordColumns.get(TextClassifierModel.deserialize(other))).toEqual([undefined, undefined]);
    expect(new FusedTextScorer(TextClassifierModel.deserialize(other)).score(held)).toEqual(model.predict(held));
    const badId = rewrite((h, s) => {
      const t = new Int32Array(s.wordcols1!.slice().buffer), head = (h.wordColumns as { blocks: { slots: number }[] }).blocks[0]!.slots * 4;
      t[head + 5] = nFeatures;
      s.wordcols1 = new Uint8Array(t.buffer);
    });
    expect(() => TextClassifierModel.deserialize(badId)).toThrow(/stored word columns hold an entry out of range/);
    const truncated = rewrite((_h, s) => { s.wordcols1 = s.wordcols1!.subarray(0, 1024); });
    expect(() => TextClassifierModel.deserialize(truncated)).toThrow(/stored word columns are truncated/);
  });
});

describe('knownColumnsOfWords (the columns serialize stores, in one analyzer pass)', () => {
  const char = vectorizers[1]!;
  /** What the scorer's cache works out for each word on its own. */
  const wordByWord = (words: string[]) => {
    const cold = new CharWbColumns(char.lookupTable, 2, 5, true);
    return words.map((w) => Array.from(cold.ids.subarray(0, cold.run(w))));
  };
  const perWord = (words: string[]) => {
    const got = knownColumnsOfWords(words, char);
    return words.map((_, w) => Array.from(got.ids.subarray(got.starts[w]!, got.starts[w + 1]!)));
  };

  it('gives each word exactly the columns CharWbColumns.run lists (order, repeats, unknown n-grams dropped)', () => {
    const words = [...new Set(vectorizers[0]!.terms.filter((t) => !t.includes(' ')))];
    // short words (padded length below min n), astral and accented characters, Greek sigma (lowercased by context)
    words.push('a', 'x', 'ΣΑΣ', 'όσοσ', '😀😀', 'naïve', 'é', 'the', 'THE', '\ud800');
    expect(perWord(words)).toEqual(wordByWord(words));
    expect(perWord([])).toEqual([]);
  });

  it('works each word out on its own when one of them is not a single char_wb word', () => {
    const words = ['hello', 'two\u00a0words', 'world'];
    expect(perWord(words)).toEqual(wordByWord(words));
  });
});

describe('storedWords (which of the word block\'s terms get stored columns)', () => {
  it('keeps the one-word terms, lowercased, each once in column order, of at most 48 code points', () => {
    const astral = '😀'.repeat(30), long = 'x'.repeat(49);
    const terms = ['Hello', 'hello', 'two words', 'nb\u00a0sp', 'ΣΑΣ', astral, astral + '😀'.repeat(19), long, 'x'.repeat(48), '\ud800lone', 'end\u2028', 'é'];
    // the rule as first written: whole strings, spread into code points
    const expected = [...new Set(terms.filter((t) => ![...t].some((ch) => /^\s$/u.test(ch))).map((t) => t.toLowerCase()))].filter((t) => t.length > 0 && [...t].length <= 48);
    expect(storedWords(terms, true)).toEqual(expected);
    expect(storedWords(terms, true)).toEqual(['hello', 'σας', astral, 'x'.repeat(48), '\ud800lone', 'é']);
    expect(storedWords(['A', 'a'], false)).toEqual(['A', 'a']);
  });
});
