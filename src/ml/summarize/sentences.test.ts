import { describe, expect, it } from 'vitest';
import { segmentDocument, splitSentences } from './sentences.ts';

describe('sentence segmentation', () => {
  // [what the case shows, text, the sentences expected]
  const CASES: Array<[string, string, string[]]> = [
    [
      'keeps abbreviations, genus names, decimals and citation markers inside sentences (lower-cased text)',
      'infection by t. cruzi was 2.5 times higher, e.g. in fibroblasts  <cit> . as shown in fig. 3, smith et al. agree [12]. the end.',
      ['infection by t. cruzi was 2.5 times higher, e.g. in fibroblasts  <cit> .', 'as shown in fig. 3, smith et al. agree [12].', 'the end.'],
    ],
    [
      'ends a sentence after a unit that follows a number',
      'cells were incubated for 2 h. serum was added at 37 °c. plates were read.',
      ['cells were incubated for 2 h.', 'serum was added at 37 °c.', 'plates were read.'],
    ],
    [
      'in cased text only splits before a capital, and keeps initials',
      'We met Dr. Smith and J. Doe. They work on E. coli strains. Results follow! Is it true? Yes.',
      ['We met Dr. Smith and J. Doe.', 'They work on E. coli strains.', 'Results follow!', 'Is it true?', 'Yes.'],
    ],
    [
      '"no." and "etc." end sentences unless a number follows',
      'see sample no. 4 for details. the answer was no. we tried a, b, etc. then stopped.',
      ['see sample no. 4 for details.', 'the answer was no.', 'we tried a, b, etc.', 'then stopped.'],
    ],
  ];
  it.each(CASES)('%s', (_what, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });

  it('segments sections at headings and paragraphs at blank lines', () => {
    const doc = segmentDocument('BACKGROUND\nfirst para one. first para two.\n\nsecond para.\nRESULTS\nresult one.\n\n## Conclusions\nwe conclude.\n');
    expect(doc.sections.map((s) => s.heading)).toEqual(['BACKGROUND', 'RESULTS', 'Conclusions']);
    expect(doc.paragraphs).toBe(4);
    expect(doc.sentences.map((s) => [s.text, s.section, s.paragraph, s.indexInParagraph])).toEqual([
      ['first para one.', 0, 0, 0],
      ['first para two.', 0, 0, 1],
      ['second para.', 0, 1, 0],
      ['result one.', 1, 2, 0],
      ['we conclude.', 2, 3, 0],
    ]);
  });

  it('offsets point into the original text', () => {
    const text = 'Intro\nalpha beta. gamma delta.';
    for (const s of segmentDocument(text).sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('short lower-case lines are text, not headings', () => {
    expect(segmentDocument('a\nthe f\nResults').sections.map((s) => s.heading)).toEqual(['', 'Results']);
    expect(splitSentences('a\nthe f')).toEqual(['a', 'the f']);
  });
});
