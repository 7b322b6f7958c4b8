import { describe, expect, it } from 'vitest';
// Produced by src/ml/__reference__/tokenize_reference.py with scikit-learn 1.2.1 (Debian python3-sklearn), Python 3.11.
import ref from '../__reference__/tokenize_reference.json' with { type: 'json' };
import { charWbNgrams, codePoints, isSpaceChar, isWordChar, normalizeWhitespace, splitWhitespace, wordNgrams, wordTokens } from './tokenize.ts';
import { analyze, hashTerm, NgramScratch, type AnalyzerKind } from './analyzers.ts';

describe('tokenize (vs scikit-learn analyzers)', () => {
  ref.docs.forEach((doc, i) => {
    it(`doc ${i}: ${JSON.stringify(doc).slice(0, 40)}`, () => {
      expect(wordTokens(doc)).toEqual(ref.tokens[i]);
      expect(wordNgrams(wordTokens(doc), [1, 2])).toEqual(ref.word12[i]);
      expect(charWbNgrams(doc, [2, 5])).toEqual(ref.charwb25[i]);
      expect(charWbNgrams(doc, [4, 5])).toEqual(ref.charwb45[i]);
    });
  });

  it('classifies characters as Python does', () => {
    expect(isWordChar('_'.charCodeAt(0))).toBe(true);
    expect(isWordChar(0x0301)).toBe(false); // combining acute: not \w in Python
    expect(isWordChar(0x1d400)).toBe(true); // MATHEMATICAL BOLD CAPITAL A
    expect(isSpaceChar(0x1c)).toBe(true); // Python whitespace, not JS \s
    expect(isSpaceChar(0xfeff)).toBe(false); // JS \s, not Python whitespace
    expect(isSpaceChar(0x200b)).toBe(false);
  });

  it('normalises whitespace like sklearn (runs of ≥ 2 become one space, single ones stay)', () => {
    expect(normalizeWhitespace('a\tb  c\n\n d')).toBe('a\tb c d');
    expect(splitWhitespace('\x1cfs\x1dgs \ufeffbom')).toEqual(['fs', 'gs', '\ufeffbom']);
  });

  it('counts code points, replacing lone surrogates', () => {
    expect(codePoints('a😀\ud800b')).toEqual([97, 0x1f600, 0xfffd, 98]);
  });

  it('word n-grams above 2 and ranges that skip unigrams', () => {
    expect(wordNgrams(['a1', 'b2', 'c3'], [2, 3])).toEqual(['a1 b2', 'b2 c3', 'a1 b2 c3']);
    expect(wordNgrams(['a1'], [2, 3])).toEqual([]);
  });
});

describe('hashing analyzers agree with the string analyzers', () => {
  const multiset = (keys: string[]) => keys.sort().join('|');
  const cases: [AnalyzerKind, [number, number]][] = [['word', [1, 2]], ['word', [1, 3]], ['word', [2, 2]], ['char_wb', [2, 5]], ['char_wb', [4, 5]], ['char_wb', [1, 3]]];
  for (const [kind, range] of cases) {
    it(`${kind} ${range.join('-')}`, () => {
      const s = new NgramScratch();
      for (const doc of [...ref.docs, 'x'.repeat(5000) + ' long   words ' + 'ab '.repeat(3000)]) {
        analyze(kind, doc, true, range, s);
        const got: string[] = [];
        for (let k = 0; k < s.count; k++) got.push(`${s.h1[k]}:${s.h2[k]}`);
        const strings = kind === 'word' ? wordNgrams(wordTokens(doc), range) : charWbNgrams(doc, range);
        expect(multiset(got)).toBe(multiset(strings.map((t) => hashTerm(t).join(':'))));
      }
    });
  }
});
