import { describe, expect, it } from 'vitest';
import { detectTextFormat, parseLabeledText } from './formats.ts';

describe('parseLabeledText', () => {
  it('reads Comprehend multi-class CSV, quoted newlines and rejoined unquoted commas', () => {
    const r = parseLabeledText('A,"hello, world\nsecond line"\nB,plain, with comma\n', { mode: 'multi-class' });
    expect(r.format).toBe('comprehend-csv');
    expect(r.docs).toEqual([
      { row: 1, text: 'hello, world\nsecond line', labels: ['A'] },
      { row: 2, text: 'plain, with comma', labels: ['B'] },
    ]);
  });

  it('splits multi-label labels on the chosen delimiter', () => {
    const r = parseLabeledText('COMEDY|MYSTERY,"A band of misfit teens"\nDRAMA,x\n', { mode: 'multi-label' });
    expect(r.docs[0]!.labels).toEqual(['COMEDY', 'MYSTERY']);
    const colon = parseLabeledText('a:b,text\n', { mode: 'multi-label', delimiter: ':' });
    expect(colon.docs[0]!.labels).toEqual(['a', 'b']);
  });

  it('reports a one-column row with its row number', () => {
    const r = parseLabeledText('A,ok\njustalabel\n', { mode: 'multi-class' });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ row: 2, code: 'TEXT_ROW_MALFORMED' });
  });

  it('reads the Kaggle/Jigsaw wide CSV with 0/1 label columns and a none label', () => {
    const csv = 'id,comment_text,toxic,threat\n1,"you, fool",1,0\n2,nice,0,0\n3,bad,1,1\n';
    expect(detectTextFormat(csv)).toBe('wide-csv');
    const r = parseLabeledText(csv, { mode: 'multi-label' });
    expect(r.docs.map((d) => d.labels)).toEqual([['toxic'], ['clean'], ['toxic', 'threat']]);
    expect(r.docs[0]).toMatchObject({ row: 2, text: 'you, fool' });
    const chosen = parseLabeledText(csv, { mode: 'multi-label', labelColumns: ['threat'], noneLabel: 'ok' });
    expect(chosen.docs.map((d) => d.labels)).toEqual([['ok'], ['ok'], ['threat']]);
  });

  it('names a missing label column', () => {
    const r = parseLabeledText('id,text,toxic\n1,a,1\n', { mode: 'multi-label', labelColumns: ['nope'] });
    expect(r.problems.some((p) => p.code === 'TEXT_COLUMN_MISSING' && p.field === 'nope')).toBe(true);
  });

  it('reads JSON Lines {text, labels}', () => {
    const r = parseLabeledText('{"text":"a","labels":["x","y"]}\n{"text":"b","label":"x"}\nnot json\n', { mode: 'multi-label' });
    expect(r.format).toBe('jsonl');
    expect(r.docs.map((d) => d.labels)).toEqual([['x', 'y'], ['x']]);
    expect(r.problems[0]).toMatchObject({ row: 3, code: 'TEXT_ROW_MALFORMED' });
  });

  it('reads bare-CR and mixed line breaks as the dataset import does (old Mac files)', () => {
    const lf = parseLabeledText('A,first\nB,"two\nlines"\nA,third\n', { mode: 'multi-class' });
    const cr = parseLabeledText('A,first\rB,"two\nlines"\r\nA,third\r', { mode: 'multi-class' });
    expect(cr.problems).toEqual([]);
    expect(cr.docs.map((d) => [d.labels, d.text])).toEqual(lf.docs.map((d) => [d.labels, d.text]));
    const jsonl = parseLabeledText('{"text":"a","labels":["x"]}\r{"text":"b","labels":["y"]}\r', { mode: 'multi-label' });
    expect(jsonl.problems).toEqual([]);
    expect(jsonl.docs.map((d) => [d.row, d.labels])).toEqual([[1, ['x']], [2, ['y']]]);
  });

  it('reads Ground Truth augmented manifests (multi-class and multi-label)', () => {
    const mc = '{"source":"good film","genre":1,"genre-metadata":{"class-name":"comedy","confidence":0.9,"type":"groundtruth/text-classification"}}\n';
    const r1 = parseLabeledText(mc, { mode: 'multi-class' });
    expect(r1.format).toBe('augmented-manifest');
    expect(r1.docs[0]).toEqual({ row: 1, text: 'good film', labels: ['comedy'] });
    const ml = '{"source":"x","genres":[0,2],"genres-metadata":{"class-map":{"0":"action","2":"drama"},"type":"groundtruth/text-classification-multilabel"}}\n';
    expect(parseLabeledText(ml, { mode: 'multi-label' }).docs[0]!.labels).toEqual(['action', 'drama']);
  });
});
