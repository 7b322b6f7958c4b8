import { describe, expect, it } from 'vitest';
import { datasetHints, initialValues, looksMultiLabel, numValue, schemaColumns, suggestName, toCheckRequest, toRequest, validate } from './form.ts';

describe('create-classifier form', () => {
  it('sends only what was chosen', () => {
    const v = { ...initialValues('tickets', 2), name: 'tickets-clf' };
    expect(validate(v)).toEqual({});
    expect(toRequest(v)).toEqual({ name: 'tickets-clf', dataset: 'tickets', datasetVersion: 2, mode: 'multi-class', testFraction: 0.2, seed: 42 });
  });

  it('adds wide-CSV columns, a test dataset and options', () => {
    const v = {
      ...initialValues('jig'),
      name: 'jig',
      mode: 'multi-label' as const,
      format: 'wide-csv' as const,
      textColumn: 'comment_text',
      labelColumns: ['toxic', 'insult'],
      noneLabel: 'ok',
      testSource: 'dataset' as const,
      testDataset: 'jig-test',
      wordNgram: [1, 3] as [number, number],
      C: 2,
      classWeight: 'balanced' as const,
    };
    expect(toRequest(v)).toEqual({
      name: 'jig',
      dataset: 'jig',
      mode: 'multi-label',
      format: 'wide-csv',
      textColumn: 'comment_text',
      labelColumns: ['toxic', 'insult'],
      noneLabel: 'ok',
      testDataset: 'jig-test',
      options: { wordNgram: [1, 3], C: 2, classWeight: 'balanced' },
    });
  });

  it('explains what is wrong', () => {
    const e = validate({ ...initialValues(), name: 'bad name!', testFraction: 1.5, wordNgram: [3, 1], charNgram: [2, ''], maxEpochs: 0 });
    expect(Object.keys(e).sort()).toEqual(['charNgram', 'dataset', 'maxEpochs', 'name', 'testFraction', 'wordNgram']);
    expect(validate({ ...initialValues('d'), name: 'x', mode: 'multi-label', delimiter: 'ab' }).delimiter).toBeTruthy();
  });

  it('reads schema, labels and inputs', () => {
    expect(schemaColumns({ columns: [{ name: 'text', role: 'text' }, { bad: 1 }] })).toEqual([{ name: 'text', role: 'text' }]);
    expect(schemaColumns(null)).toEqual([]);
    expect(looksMultiLabel(['clean', 'toxic|insult'])).toBe(true);
    expect(looksMultiLabel(['a', 'b'])).toBe(false);
    expect(suggestName('support tickets')).toBe('support-tickets-classifier');
    expect(numValue('')).toBe('');
    expect(numValue('0.3')).toBe(0.3);
    expect(numValue(4)).toBe(4);
  });
});

describe('dataset hints', () => {
  it('reads a Comprehend multi-label CSV', () => {
    const stats = { columns: [{ name: 'column_1', role: 'label', labels: [{ label: 'clean', count: 5 }, { label: 'toxic|insult', count: 2 }, { label: 'toxic', count: 1 }] }, { name: 'column_2', role: 'text' }] };
    const h = datasetHints({ header: false, columns: [{ name: 'column_1' }, { name: 'column_2' }] }, stats);
    expect(h.mode).toBe('multi-label');
    expect(h.labels).toEqual([{ label: 'clean', count: 5 }, { label: 'toxic', count: 3 }, { label: 'insult', count: 2 }]);
  });

  it('reads a wide CSV', () => {
    const schema = { header: true, columns: [{ name: 'id', type: 'number' }, { name: 'comment_text', type: 'string' }, { name: 'toxic', type: 'number' }, { name: 'insult', type: 'number' }] };
    const stats = { columns: [{ name: 'id' }, { name: 'comment_text' }, { name: 'toxic', labels: [{ label: '0', count: 8 }, { label: '1', count: 2 }] }, { name: 'insult', labels: [{ label: '1', count: 4 }, { label: '0', count: 6 }] }] };
    expect(datasetHints(schema, stats)).toEqual({ format: 'wide-csv', mode: 'multi-label', textColumn: 'comment_text', labels: [{ label: 'toxic', count: 2 }, { label: 'insult', count: 4 }] });
  });
});

describe('toCheckRequest', () => {
  it('keeps the data fields of the training request and drops name, split and options', () => {
    const v = { ...initialValues('tickets', 2), name: 'x', mode: 'multi-label' as const, delimiter: '~', testFraction: 0.3, C: 2 };
    expect(toCheckRequest(v)).toEqual({ dataset: 'tickets', datasetVersion: 2, mode: 'multi-label', delimiter: '~' });
    expect(toCheckRequest({ ...initialValues('tickets'), testSource: 'dataset', testDataset: 'held-out' })).toEqual({ dataset: 'tickets', mode: 'multi-class', testDataset: 'held-out' });
  });
});
