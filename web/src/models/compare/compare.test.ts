import { describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../api/types.ts';
import { defaultVersions, flatten, formatDelta, labelRows, metricRows, paramRows, parseVersions } from './compare.ts';

const mv = (version: number, extra: Partial<ModelVersion> = {}): ModelVersion => ({ id: `m${version}`, name: 'm', version, kind: 'text-classifier', status: 'ready', datasetVersionId: null, jobId: null, artifacts: {}, createdAt: '', ...extra });

describe('version comparison helpers', () => {
  it('reads ?versions= as distinct positive integers, at most 4, in the given order', () => {
    expect(parseVersions('3, 1,x,3,0,-2,2,5,6')).toEqual([3, 1, 2, 5]);
    expect(parseVersions(null)).toEqual([]);
  });

  it('defaults to the two newest ready versions, older first', () => {
    expect(defaultVersions([mv(1), mv(2), mv(3, { status: 'failed' }), mv(4)])).toEqual([2, 4]);
    expect(defaultVersions([mv(1, { status: 'training' }), mv(2)])).toEqual([1, 2]);
  });

  it('flattens parameters and marks the rows that differ', () => {
    expect(flatten({ mode: 'multi-label', options: { C: 1, wordNgram: [1, 2], charNgram: null }, labels: ['a'], split: { testRows: [1, 2], seed: 0 } })).toEqual({
      mode: 'multi-label',
      'options.C': '1',
      'options.wordNgram': '1–2',
      'options.charNgram': '—',
      'split.seed': '0',
    });
    const rows = paramRows([mv(1, { params: { mode: 'multi-class', options: { C: 1 } } }), mv(2, { params: { mode: 'multi-class', options: { C: 0.5 } } })]);
    expect(rows.find((r) => r.key === 'options.C')).toEqual({ key: 'options.C', values: ['1', '0.5'], differs: true });
    expect(rows.find((r) => r.key === 'mode')?.differs).toBe(false);
  });

  it('gives deltas against the first version, and reads lower-is-better metrics the right way round', () => {
    const rows = metricRows([mv(1, { metrics: { macro_f1: 0.8, hamming_loss: 0.1 } }), mv(2, { metrics: { macro_f1: 0.9, hamming_loss: 0.2 } }), mv(3, { metrics: {} })]);
    expect(rows.map((r) => r.key)).toEqual(['macro_f1', 'hamming_loss']);
    expect(rows[0]!.deltas[0]).toBeNull();
    expect(rows[0]!.deltas[1]).toBeCloseTo(0.1, 12);
    expect(rows[0]!.deltas[2]).toBeNull();
    expect(formatDelta(rows[0]!.deltas[1]!)).toEqual({ text: '+0.100', tone: 'good' });
    expect(formatDelta(rows[1]!.deltas[1]!, true)).toEqual({ text: '+0.100', tone: 'bad' });
    expect(formatDelta(-0.0001)).toEqual({ text: '±0.000', tone: 'same' });
  });

  it('lines up per-label F1 over the union of labels', () => {
    const rows = labelRows([
      mv(1, { metrics: { per_label: { a: { f1: 0.5, precision: 0, recall: 0, support: 3, auc: null } } } }),
      mv(2, { metrics: { per_label: { a: { f1: 0.75, precision: 0, recall: 0, support: 3, auc: null }, b: { f1: 1, precision: 1, recall: 1, support: 2, auc: null } } } }),
    ]);
    expect(rows.map((r) => [r.label, r.f1, r.deltas])).toEqual([
      ['a', [0.5, 0.75], [null, 0.25]],
      ['b', [null, 1], [null, null]],
    ]);
  });
});
