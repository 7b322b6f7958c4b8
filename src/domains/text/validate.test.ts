import { describe, expect, it } from 'vitest';
import type { LabeledDocument } from './formats.ts';
import { duplicateKey, labelCounts, validateDelimiter, validateTestDocs, validateTrainingDocs } from './validate.ts';

function docs(spec: Record<string, number>, text = (l: string, i: number) => `${l} document number ${i}`): LabeledDocument[] {
  const out: LabeledDocument[] = [];
  for (const [label, n] of Object.entries(spec)) for (let i = 0; i < n; i++) out.push({ row: out.length + 1, text: text(label, i), labels: label.split('|') });
  return out;
}

const codes = (ps: Array<{ code?: string; severity?: string }>, severity = 'error') => [...new Set(ps.filter((p) => (p.severity ?? 'error') === severity).map((p) => p.code))];

describe('Comprehend validation rules', () => {
  it('accepts data that meets every rule', () => {
    expect(codes(validateTrainingDocs(docs({ a: 50, b: 50 }), { mode: 'multi-class' }))).toEqual([]);
  });

  it('multi-class needs ≥ 2 classes and ≥ 50 documents per class', () => {
    expect(codes(validateTrainingDocs(docs({ a: 60 }), { mode: 'multi-class' }))).toEqual(['TEXT_TOO_FEW_CLASSES']);
    const p = validateTrainingDocs(docs({ a: 60, b: 49 }), { mode: 'multi-class' });
    expect(codes(p)).toEqual(['TEXT_TOO_FEW_EXAMPLES']);
    expect(p.find((x) => x.code === 'TEXT_TOO_FEW_EXAMPLES')!.fix).toMatch(/at least 1 more/);
  });

  it('multi-class allows at most 1,000 classes', () => {
    const spec = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`c${i}`, 50]));
    expect(codes(validateTrainingDocs(docs(spec), { mode: 'multi-class' }))).toEqual(['TEXT_TOO_MANY_CLASSES']);
  });

  it('multi-label needs ≥ 10 documents per label, ≥ 50 in total, ≤ 100 labels', () => {
    expect(codes(validateTrainingDocs(docs({ a: 30, 'a|b': 9, c: 20 }), { mode: 'multi-label' }))).toEqual(['TEXT_TOO_FEW_EXAMPLES']);
    expect(codes(validateTrainingDocs(docs({ a: 20, b: 20 }), { mode: 'multi-label' }))).toEqual(['TEXT_TOO_FEW_DOCUMENTS']);
    const spec = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`l${i}`, 10]));
    expect(codes(validateTrainingDocs(docs(spec), { mode: 'multi-label' }))).toEqual(['TEXT_TOO_MANY_CLASSES']);
  });

  it('rejects empty text, empty labels, padded labels and over-long labels, naming the row', () => {
    const d = docs({ a: 50, b: 50 });
    d[3] = { ...d[3]!, text: '   ' };
    d[4] = { ...d[4]!, labels: [''] };
    d[5] = { ...d[5]!, labels: ['a '] };
    d[6] = { ...d[6]!, labels: ['x'.repeat(5001)] };
    const p = validateTrainingDocs(d, { mode: 'multi-class' });
    expect(p.find((x) => x.code === 'TEXT_EMPTY_DOCUMENT')).toMatchObject({ row: 4 });
    expect(p.find((x) => x.code === 'TEXT_EMPTY_LABEL')).toMatchObject({ row: 5 });
    expect(p.find((x) => x.code === 'TEXT_LABEL_WHITESPACE')).toMatchObject({ row: 6 });
    expect(p.find((x) => x.code === 'TEXT_LABEL_TOO_LONG')).toMatchObject({ row: 7 });
  });

  it('rejects a document over 10 MB', () => {
    const d = docs({ a: 50, b: 50 });
    d[0] = { ...d[0]!, text: 'x'.repeat(10 * 1024 * 1024 + 1) };
    expect(codes(validateTrainingDocs(d, { mode: 'multi-class' }))).toContain('TEXT_DOCUMENT_TOO_LARGE');
  });

  it('measures a document\'s size in UTF-8 bytes: 3.5M three-byte characters are over the limit, 10M ASCII ones are not', () => {
    const d = docs({ a: 50, b: 50 });
    d[0] = { ...d[0]!, text: '\u20ac'.repeat(3_500_000) }; // 10.5 MB in UTF-8 from 3.5M UTF-16 units
    d[1] = { ...d[1]!, text: 'x'.repeat(10 * 1024 * 1024) }; // exactly the limit
    const p = validateTrainingDocs(d, { mode: 'multi-class' }).filter((x) => x.code === 'TEXT_DOCUMENT_TOO_LARGE');
    expect(p.map((x) => x.row)).toEqual([1]);
  });

  it('finds blank documents whatever the whitespace, and never flags text that only starts with it', () => {
    const d = docs({ a: 50, b: 50 });
    const texts = ['', '\u00a0\u2029 \t', '\ufeff', ' \u3000x', '\n.', '\u00e9'];
    texts.forEach((text, i) => { d[i] = { ...d[i]!, text }; });
    const p = validateTrainingDocs(d, { mode: 'multi-class' }).filter((x) => x.code === 'TEXT_EMPTY_DOCUMENT');
    expect(p.map((x) => x.row)).toEqual([1, 2, 3]);
  });

  it('counts a label once per document however often the document repeats it, in first-seen order', () => {
    const counts = labelCounts([{ row: 1, text: 'x', labels: ['b', 'a', 'b'] }, { row: 2, text: 'y', labels: ['a', 'a', 'a'] }, { row: 3, text: 'z', labels: ['c'] }]);
    expect([...counts]).toEqual([['b', 1], ['a', 2], ['c', 1]]);
  });

  it('names the first other delimiter (in Comprehend\'s list order) a merged label holds', () => {
    const d = docs({ a: 50, b: 50 });
    d[0] = { ...d[0]!, labels: ['x/y;z'] };
    d[1] = { ...d[1]!, labels: ['p\\q'] };
    d[2] = { ...d[2]!, labels: ['plain-label_1'] };
    const p = validateTrainingDocs(d, { mode: 'multi-label', delimiter: '|' }).filter((x) => x.code === 'TEXT_DELIMITER_MERGED');
    expect(p.map((x) => [x.row, /contains (".*"), another/.exec(x.problem)![1]])).toEqual([[1, '";"'], [2, '"\\\\"']]);
    expect(validateTrainingDocs(d, { mode: 'multi-label', delimiter: ';' }).filter((x) => x.code === 'TEXT_DELIMITER_MERGED').map((x) => x.row)).toEqual([1, 2]);
  });

  it('accepts only Comprehend delimiters and warns when a label holds another delimiter (merged labels)', () => {
    expect(validateDelimiter('|')).toEqual([]);
    expect(validateDelimiter('ab')[0]!.code).toBe('TEXT_DELIMITER_INVALID');
    expect(validateDelimiter(',')[0]!.code).toBe('TEXT_DELIMITER_INVALID');
    const merged = docs({ 'a;b': 20, a: 30, b: 30 }).map((d) => (d.labels[0] === 'a;b' ? { ...d, labels: ['a;b'] } : d));
    const p = validateTrainingDocs(merged, { mode: 'multi-label' });
    const w = p.find((x) => x.code === 'TEXT_DELIMITER_MERGED')!;
    expect(w.severity).toBe('warning');
    expect(w.fix).toMatch(/--delimiter ";"/);
  });

  it('warns about duplicate texts with conflicting labels and a header row', () => {
    const d = docs({ a: 50, b: 50 }, (_l, i) => `same text ${i}`);
    const p = validateTrainingDocs(d, { mode: 'multi-class' });
    expect(codes(p)).toEqual([]);
    expect(p.find((x) => x.code === 'TEXT_DUPLICATE_CONFLICT')).toMatchObject({ severity: 'warning', row: 51 });
    const withHeader = [{ row: 1, text: 'text', labels: ['label'] }, ...docs({ a: 50, b: 50 })];
    expect(codes(validateTrainingDocs(withHeader, { mode: 'multi-class' }), 'warning')).toContain('TEXT_HEADER_ROW');
  });

  it('requires every training label in a user test set', () => {
    const p = validateTestDocs(docs({ a: 50, b: 50 }), docs({ a: 5 }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ code: 'TEXT_TEST_LABEL_MISSING' });
    expect(p[0]!.problem).toContain('"b"');
  });

  it('compares documents for duplicates by exactly the old key (trim, whitespace runs as one space, lower case)', () => {
    const reference = (t: string) => t.trim().replace(/\s+/g, ' ').toLowerCase();
    const crafted = ['', ' ', '  ', 'a', ' a', 'a ', 'a  b', 'a b', 'A B', 'a\tb', 'a\nb', 'a\r\nb', 'a\u00a0b', '\u00a0a', 'a\u2028b', 'a\ufeff', '\ufeffa', 'a\u3000b', 'a \u00a0b', 'İstanbul', 'ΣΑΣ', 'x\vy', 'x\fy'];
    for (const t of crafted) expect(duplicateKey(t), JSON.stringify(t)).toBe(reference(t));
    const alphabet = [' ', ' ', '\t', '\n', '\u00a0', '\u2029', 'a', 'B', 'İ', 'ß', '\u00e9'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 2000; i++) {
      const t = Array.from({ length: rand(8) }, () => alphabet[rand(alphabet.length)]).join('');
      expect(duplicateKey(t), JSON.stringify(t)).toBe(reference(t));
    }
  });

  it('finds conflicting duplicates that differ only in case and whitespace', () => {
    const d = docs({ a: 50, b: 50 });
    d[60] = { ...d[60]!, text: ` A  Document\tnumber\u00a04 ` };
    const p = validateTrainingDocs(d, { mode: 'multi-class' }).filter((x) => x.code === 'TEXT_DUPLICATE_CONFLICT');
    expect(p).toEqual([expect.objectContaining({ row: 61, problem: expect.stringContaining('same text as row 5') })]);
  });
});
