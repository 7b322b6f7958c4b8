import { describe, expect, it } from 'vitest';
import { DISTINCT_CAP, LENGTH_BINS, TableProfiler } from './stats.ts';
import { newId } from '../../core/ids.ts';
import { checkDatasetName, looksLikeHeader, nameFromFileName, safeFileName } from './validate.ts';

describe('TableProfiler', () => {
  it('profiles ids, text, labels and numbers', () => {
    const p = new TableProfiler(['id', 'text', 'label', 'score', 'empty']);
    const texts = ['short', 'a somewhat longer comment here', 'x'.repeat(300), 'mid length text for the row', 'tiny'];
    texts.forEach((text, i) => p.addRow([`r${i}`, text, i % 2 ? 'spam' : 'ham', String(i * 1.5), '']));
    const { stats, columns } = p.finish();
    expect(columns.map((c) => c.role)).toEqual(['id', 'text', 'label', 'number', 'other']);
    const [id, text, label, score, empty] = stats.columns;
    expect(id).toMatchObject({ distinct: 5, distinctCapped: false, type: 'string' });
    expect(label.labels).toEqual([{ label: 'ham', count: 3 }, { label: 'spam', count: 2 }]);
    expect(score).toMatchObject({ type: 'number', numeric: { min: 0, max: 6, mean: 3 } });
    expect(score.length).toBeUndefined();
    expect(empty).toMatchObject({ type: 'empty', nonEmpty: 0, empty: 5 });
    const lengths = texts.map((t) => t.length).sort((a, b) => a - b);
    expect(text.length).toMatchObject({ min: lengths[0], median: lengths[2], p95: lengths[4], max: 300 });
    expect(text.length?.histogram).toHaveLength(LENGTH_BINS.length);
    expect(text.length?.histogram.at(-1)).toEqual({ from: 10000, to: null, count: 0 });
    expect(text.length?.histogram.find((b) => b.from === 250)?.count).toBe(1);
    expect(stats.kind).toBe('text');
  });

  it('caps distinct counting and keeps exact percentiles for long values', () => {
    const p = new TableProfiler(['v']);
    for (let i = 0; i < DISTINCT_CAP + 500; i++) p.addRow([`value-${i}`]);
    p.addRow(['y'.repeat(20_000)]);
    const c = p.finish().stats.columns[0];
    expect(c.distinctCapped).toBe(true);
    expect(c.distinct).toBeGreaterThan(DISTINCT_CAP);
    expect(c.length?.max).toBe(20_000);
    expect(c.labels).toBeUndefined();
  });
});

describe('validation helpers', () => {
  it('recognises headers', () => {
    expect(looksLikeHeader([['id', 'comment_text', 'toxic'], ['1', 'hello', '0']])).toBe(true);
    expect(looksLikeHeader([['spam', 'Buy now!'], ['ham', 'hi']])).toBe(false);
    expect(looksLikeHeader([['pos', 'great'], ['neg', 'bad'], ['pos', 'fine']])).toBe(false); // label value repeats
    expect(looksLikeHeader([['a', 'a'], ['1', '2']])).toBe(false);
  });

  it('derives names and safe file names', () => {
    expect(nameFromFileName('Toxic Comments (1).csv')).toBe('Toxic-Comments-1');
    expect(nameFromFileName('../../.hidden.csv')).toBe('hidden');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('Über Daten.CSV')).toBe('ber_Daten.csv');
    expect(safeFileName('...')).toBe('upload');
    expect(checkDatasetName('ham10000_v2')).toBe('ham10000_v2');
    expect(() => checkDatasetName('ds_0mx0t0nko7c141ee71f01')).toThrow(/Invalid dataset name/);
    // A real id (ids.ts: 9 time + 3 counter + 10 hex characters) and version ids have the shape too.
    for (const id of [newId('ds'), newId('dsv'), 'ds_abc123']) expect(() => checkDatasetName(id)).toThrow(/shape of a dataset id/);
    expect(checkDatasetName('ds-2024')).toBe('ds-2024');
    expect(checkDatasetName('DS_Train')).toBe('DS_Train');
    expect(() => checkDatasetName('a/b')).toThrow(/Invalid dataset name/);
  });

  it('gives exact length percentiles and histogram counts, short and long lengths mixed', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (const count of [1, 2, 3, 19, 20, 21, 200]) {
      const lengths = Array.from({ length: count }, () => (rand(10) === 0 ? 16_000 + rand(1_000) : 1 + rand(rand(2) ? 40 : 6_000)));
      const p = new TableProfiler(['text']);
      for (const n of lengths) p.addRow(['y'.repeat(n)]);
      const got = p.finish().stats.columns[0]!.length!;
      const sorted = [...lengths].sort((a, b) => a - b);
      const rank = (r: number) => sorted[r - 1];
      expect(got).toMatchObject({ min: sorted[0], median: rank(Math.ceil(count * 0.5)), p95: rank(Math.ceil(count * 0.95)), max: sorted.at(-1) });
      const bins = LENGTH_BINS.map((from, i) => sorted.filter((n) => n >= from && (i + 1 === LENGTH_BINS.length || n < LENGTH_BINS[i + 1]!)).length);
      expect(got.histogram.map((b) => b.count), `${count} values`).toEqual(bins);
    }
  });
});

