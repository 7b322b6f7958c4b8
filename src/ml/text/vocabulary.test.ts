import { describe, expect, it } from 'vitest';
// Produced by src/ml/__reference__/tfidf_reference.py with scikit-learn 1.2.1 (Debian python3-sklearn).
import refJson from '../__reference__/tfidf_reference.json' with { type: 'json' };
import { TfidfVectorizer, type VectorizerConfig } from './vocabulary.ts';
import type { Csr } from '../sparse/csr.ts';
import { hashTerms, hashUtf8Terms } from './analyzers.ts';

type Block = { idf: Record<string, number>; train: Record<string, number>[]; test: Record<string, number>[] };
type Limited = Block & { maxFeatures: number };
const ref = refJson as unknown as { train: string[]; test: string[]; word: Block; char: Block; wordLimited: Limited; charLimited: Limited; wordRawTf: Block };

const base = { minDf: 2, maxFeatures: null, lowercase: true, sublinearTf: true };
const cases: [string, VectorizerConfig, Block][] = [
  ['word 1-2, min_df 2', { ...base, analyzer: 'word', ngramRange: [1, 2] }, ref.word],
  ['char_wb 2-5, min_df 2', { ...base, analyzer: 'char_wb', ngramRange: [2, 5] }, ref.char],
  [`word, max_features ${ref.wordLimited.maxFeatures}`, { ...base, analyzer: 'word', ngramRange: [1, 2], maxFeatures: ref.wordLimited.maxFeatures }, ref.wordLimited],
  [`char_wb, max_features ${ref.charLimited.maxFeatures}`, { ...base, analyzer: 'char_wb', ngramRange: [2, 5], maxFeatures: ref.charLimited.maxFeatures }, ref.charLimited],
  ['word, raw tf, min_df 1', { ...base, analyzer: 'word', ngramRange: [1, 1], minDf: 1, sublinearTf: false }, ref.wordRawTf],
];

function rowsByTerm(m: Csr, terms: readonly string[]): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (let i = 0; i < m.nRows; i++) {
    const row: Record<string, number> = {};
    for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) row[terms[m.indices[p]]] = m.data[p];
    out.push(row);
  }
  return out;
}

function expectRowsClose(got: Record<string, number>[], want: Record<string, number>[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) => {
    expect(Object.keys(row).sort(), `row ${i} terms`).toEqual(Object.keys(want[i]).sort());
    for (const [t, v] of Object.entries(want[i])) expect(Math.abs(row[t] - v), `row ${i} term ${JSON.stringify(t)}`).toBeLessThan(1e-5);
  });
}

describe('TfidfVectorizer (vs scikit-learn TfidfVectorizer)', () => {
  for (const [name, config, want] of cases) {
    it(name, () => {
      const { vectorizer, matrix } = TfidfVectorizer.fitTransform(ref.train, config);
      expect([...vectorizer.terms].sort()).toEqual(Object.keys(want.idf).sort());
      vectorizer.terms.forEach((t, j) => expect(Math.abs(vectorizer.idf[j] - want.idf[t])).toBeLessThan(1e-5));
      expectRowsClose(rowsByTerm(matrix, vectorizer.terms), want.train);
      expectRowsClose(rowsByTerm(vectorizer.transform(ref.train), vectorizer.terms), want.train);
      expectRowsClose(rowsByTerm(vectorizer.transform(ref.test), vectorizer.terms), want.test);
    });
  }

  it('restores from JSON and from terms with identical transforms', () => {
    const { vectorizer } = TfidfVectorizer.fitTransform(ref.train, cases[1][1]);
    const again = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(vectorizer.toJSON())));
    expect(again.transform(ref.test)).toEqual(vectorizer.transform(ref.test));
    expect(again.vocabulary().get(' fox')).toBe(vectorizer.vocabulary().get(' fox'));
    const fromBuf = TfidfVectorizer.deserialize(vectorizer.serialize());
    expect(fromBuf.transform(ref.test)).toEqual(vectorizer.transform(ref.test));
    expect(fromBuf.terms).toEqual(vectorizer.terms);
    expect(fromBuf.config).toEqual(vectorizer.config);
  });

  it('restores from UTF-8 term bytes (model files) with lazily decoded strings', () => {
    const { vectorizer } = TfidfVectorizer.fitTransform(ref.train, cases[1][1]);
    const utf8 = Buffer.from(vectorizer.terms.join('\n'), 'utf8');
    const again = TfidfVectorizer.fromUtf8Terms(vectorizer.config, utf8, vectorizer.idf);
    expect(again.transform(ref.test)).toEqual(vectorizer.transform(ref.test));
    expect(again.terms).toEqual(vectorizer.terms);
    const tricky = ['a', ' é', '東京', '😀x', ' ab ', 'z\u0301', '\ufffd'];
    const fromBytes = hashUtf8Terms(Buffer.from(tricky.join('\n'), 'utf8'), tricky.length);
    expect(fromBytes).toEqual(hashTerms(tricky));
    expect(() => hashUtf8Terms(Buffer.from('a\nb'), 3)).toThrow(/2 terms, expected 3/);
    expect(TfidfVectorizer.fromUtf8Terms(vectorizer.config, new Uint8Array(0), new Float32Array(0)).nFeatures).toBe(0);
  });

  it('keeps an empty vocabulary when nothing reaches min_df', () => {
    const { vectorizer, matrix } = TfidfVectorizer.fitTransform(['alpha beta', 'gamma delta'], { ...base, analyzer: 'word', ngramRange: [1, 1] });
    expect(vectorizer.nFeatures).toBe(0);
    expect(matrix.nCols).toBe(0);
    expect(Array.from(matrix.indptr)).toEqual([0, 0, 0]);
  });

  it('rejects mismatched restore input', () => {
    expect(() => TfidfVectorizer.fromTerms(cases[0][1], ['a', 'b'], new Float32Array(1))).toThrow(/2 terms but 1 idf/);
    expect(() => TfidfVectorizer.fromTerms(cases[0][1], ['a', 'a'], new Float32Array(2))).toThrow(/duplicate/);
  });

  it('reports progress and honours an aborted signal', () => {
    const seen: number[] = [];
    TfidfVectorizer.fitTransform(ref.train, cases[0][1], { onProgress: (f) => seen.push(f) });
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(1);
    const ac = new AbortController();
    ac.abort();
    expect(() => TfidfVectorizer.fitTransform(ref.train, cases[0][1], { signal: ac.signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });
});
