import { describe, expect, it } from 'vitest';
import { binsToBars, extractLabelCounts, extractLengthHistogram, toBins, toCounts } from './stats.ts';

/** The shape src/domains/datasets/stats.ts writes for a `label,text` CSV. */
const TABULAR = {
  kind: 'text',
  rowCount: 6,
  columnCount: 2,
  blankRows: 0,
  columns: [
    { name: 'label', type: 'string', role: 'label', nonEmpty: 6, empty: 0, distinct: 2, distinctCapped: false, labels: [{ label: 'pos', count: 4 }, { label: 'neg', count: 2 }], length: { unit: 'characters', min: 3, median: 3, p95: 3, max: 3, mean: 3, histogram: [{ from: 1, to: 10, count: 6 }, { from: 10, to: null, count: 0 }] } },
    { name: 'text', type: 'string', role: 'text', nonEmpty: 6, empty: 0, distinct: 6, distinctCapped: false, length: { unit: 'characters', min: 12, median: 30, p95: 80, max: 90, mean: 35.5, histogram: [{ from: 1, to: 10, count: 0 }, { from: 10, to: 25, count: 2 }, { from: 25, to: 50, count: 3 }, { from: 50, to: 100, count: 1 }, { from: 100, to: null, count: 0 }] } },
  ],
};

describe('dataset stats readers', () => {
  it('reads the datasets domain shape', () => {
    const labels = extractLabelCounts(TABULAR);
    expect(labels?.data).toEqual([{ label: 'pos', value: 4 }, { label: 'neg', value: 2 }]);
    expect(labels?.source).toBe('columns.label.labels');
    const lengths = extractLengthHistogram(TABULAR);
    expect(lengths?.column).toBe('text');
    expect(lengths?.data).toEqual([{ label: '10–24', value: 2 }, { label: '25–49', value: 3 }, { label: '50–99', value: 1 }]);
    expect(lengths?.summary?.median).toBe(30);
  });

  it('prefers multi-label counts and reads wide 0/1 label columns', () => {
    const multi = { columns: [{ name: 'labels', role: 'label', labels: [{ label: 'a|b', count: 1 }], multiLabels: [{ label: 'a', count: 1 }, { label: 'b', count: 1 }] }] };
    expect(extractLabelCounts(multi)?.data.map((d) => d.label)).toEqual(['a', 'b']);
    const wide = {
      columns: [
        { name: 'toxic', role: 'label', labels: [{ label: '0', count: 8 }, { label: '1', count: 2 }] },
        { name: 'threat', role: 'label', labels: [{ label: '0', count: 10 }] },
      ],
    };
    expect(extractLabelCounts(wide)?.data).toEqual([{ label: 'toxic', value: 2 }, { label: 'threat', value: 0 }]);
    expect(extractLabelCounts({ kind: 'images', labels: [{ label: 'nv', count: 9 }] })?.data).toEqual([{ label: 'nv', value: 9 }]);
  });

  it('reads label counts in other layouts', () => {
    expect(toCounts({ a: 2, b: 1 })).toEqual([{ label: 'a', value: 2 }, { label: 'b', value: 1 }]);
    expect(toCounts([{ name: 'x', rows: 3 }])).toEqual([{ label: 'x', value: 3 }]);
    expect(toCounts([['a', 5]])).toEqual([{ label: 'a', value: 5 }]);
    expect(toCounts({ min: 1, max: 'x' })).toBeNull();
    expect(extractLabelCounts({ rows: 3, labelCounts: { a: 2, b: 1 } })?.data).toHaveLength(2);
    expect(extractLabelCounts(null)).toBeNull();
    expect(extractLabelCounts({ rows: 3 })).toBeNull();
  });

  it('reads histograms as bins or edges + counts', () => {
    expect(toBins([{ x0: 0, x1: 10, count: 3 }])).toEqual([{ x0: 0, x1: 10, count: 3 }]);
    expect(toBins({ edges: [0, 10, 20], counts: [4, 2] })).toEqual([{ x0: 0, x1: 10, count: 4 }, { x0: 10, x1: 20, count: 2 }]);
    expect(toBins({ edges: [0, 10], counts: [4, 2] })).toBeNull();
    expect(binsToBars([{ from: 5000, to: 10000, count: 1 }, { from: 10000, to: null, count: 2 }])).toEqual([{ label: '5000–9999', value: 1 }, { label: '≥ 10000', value: 2 }]);
    expect(extractLengthHistogram({ textLength: { histogram: [{ start: 0, end: 9, count: 7 }] } })?.data).toEqual([{ label: '0–8', value: 7 }]);
    expect(extractLengthHistogram({ labels: { a: 1 } })).toBeNull();
  });
});
