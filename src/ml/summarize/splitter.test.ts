import { describe, expect, it } from 'vitest';
import { splitText } from './splitter.ts';

describe('recursive character splitter (LangChain semantics)', () => {
  it('keeps paragraphs whole when they fit, merging small ones', () => {
    const text = 'aaa aaa.\n\nbbb bbb.\n\nccc ccc ccc ccc ccc.';
    // The separator stays at the start of the piece after it: "\n\nccc … ccc." is 22 characters.
    expect(splitText(text, { chunkSize: 23 })).toEqual(['aaa aaa.\n\nbbb bbb.', 'ccc ccc ccc ccc ccc.']);
  });

  it('falls back to lines, then sentences, then words, then characters', () => {
    expect(splitText('one two.\nthree four.', { chunkSize: 12 })).toEqual(['one two.', 'three four.']);
    expect(splitText('Alpha beta. Gamma delta. Epsilon.', { chunkSize: 14 })).toEqual(['Alpha beta.', 'Gamma delta.', 'Epsilon.']);
    expect(splitText('abcdefgh ijklmnop', { chunkSize: 9 })).toEqual(['abcdefgh', 'ijklmnop']);
    expect(splitText('abcdefghij', { chunkSize: 4 })).toEqual(['abcd', 'efgh', 'ij']);
  });

  it("matches LangChain's own test_iterative_text_splitter (chunk_size 10, overlap 1, its default separators)", () => {
    const text = "Hi.\n\nI'm Harrison.\n\nHow? Are? You?\nOkay then f f f f.\nThis is a weird text to write, but gotta test the splittingggg some how.\n\nBye!\n\n-H.";
    expect(splitText(text, { chunkSize: 10, chunkOverlap: 1, separators: ['\n\n', '\n', ' ', ''] })).toEqual([
      'Hi.', "I'm", 'Harrison.', 'How? Are?', 'You?', 'Okay then', 'f f f f.', 'This is a', 'weird', 'text to', 'write,', 'but gotta',
      'test the', 'splitting', 'gggg', 'some how.', 'Bye!', '-H.',
    ]);
  });

  it('overlaps consecutive chunks by at most chunkOverlap and covers every word', () => {
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`);
    const text = words.join(' ');
    const chunks = splitText(text, { chunkSize: 100, chunkOverlap: 20 });
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(100);
    const seen = new Set(chunks.flatMap((c) => c.split(' ')));
    expect(words.every((w) => seen.has(w))).toBe(true);
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]!.split(' ');
      const cur = chunks[i]!.split(' ');
      const shared = prev.filter((w) => cur.includes(w)).join(' ');
      expect(shared.length).toBeGreaterThan(0);
      expect(shared.length).toBeLessThanOrEqual(20);
    }
  });

  it('measures with a custom length function (e.g. tokens)', () => {
    const tokens = (s: string) => (s.match(/\S+/g) ?? []).length;
    const text = Array.from({ length: 50 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const chunks = splitText(text, { chunkSize: 30, chunkOverlap: 5, length: tokens });
    for (const c of chunks) expect(tokens(c)).toBeLessThanOrEqual(30);
    expect(chunks.length).toBeGreaterThanOrEqual(9);
    // Split at sentence ends, not inside sentences.
    for (const c of chunks) expect(c.endsWith('here.')).toBe(true);
  });

  it('rejects bad sizes with a message naming the argument', () => {
    expect(() => splitText('x', { chunkSize: 0 })).toThrow(/chunkSize/);
    expect(() => splitText('x', { chunkSize: 10, chunkOverlap: 10 })).toThrow(/chunkOverlap/);
  });
});
