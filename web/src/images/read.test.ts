import { describe, expect, it } from 'vitest';
import { etaSeconds, formatSeconds, groupedMetricRows, guessGroupColumn, guessLabelColumn, labelCountWarnings, saliencyOpacities, suggestModelName } from './read.ts';

describe('image page helpers', () => {
  it('guesses the group and label columns of the HAM10000 manifest', () => {
    const cols = ['path', 'image_id', 'lesion_id', 'dx', 'dx_type', 'age', 'sex', 'localization'];
    expect(guessGroupColumn(cols)).toBe('lesion_id');
    expect(guessLabelColumn(cols)).toBe('dx');
    expect(guessGroupColumn(['path', 'label'])).toBe('');
    expect(guessGroupColumn(['path', 'label', 'patient_id'])).toBe('patient_id');
  });

  it('warns about labels under the Canvas minimum, unless the server already did', () => {
    const labels = [
      { label: 'mel', count: 60 },
      { label: 'vasc', count: 10 },
      { label: 'df', count: 10 },
    ];
    const w = labelCountWarnings(labels, [{ field: 'df', problem: 'df has 10 images', fix: 'add', severity: 'warning' }]);
    expect(w).toHaveLength(1);
    expect(w[0]!.field).toBe('vasc');
    expect(w[0]!.problem).toBe('vasc has 10 images; Canvas asks for ≥25');
    expect(w[0]!.severity).toBe('warning');
  });

  it('extrapolates the time left linearly', () => {
    const start = '2026-01-01T00:00:00.000Z';
    const now = new Date(start).getTime() + 10_000;
    expect(etaSeconds(0.25, start, now)).toBeCloseTo(30, 6);
    expect(etaSeconds(0, start, now)).toBeNull();
    expect(etaSeconds(0.5, null, now)).toBeNull();
    expect(formatSeconds(30)).toBe('30 s');
    expect(formatSeconds(95)).toBe('1 min 35 s');
  });

  it('flattens per-class metrics for the grouped chart in label order', () => {
    const rows = groupedMetricRows(
      { per_label: { b: { precision: 0.5, recall: 0.25, f1: 0.3333, support: 4, auc: null }, a: { precision: 1, recall: 1, f1: 1, support: 2, auc: 0.9 } } },
      ['a', 'b'],
    );
    expect(rows.map((r) => `${r.label}:${r.metric}`)).toEqual(['a:precision', 'a:recall', 'a:F1', 'a:AUC', 'b:precision', 'b:recall', 'b:F1']);
  });

  it('scales saliency drops to opacities', () => {
    expect(saliencyOpacities([0.2, -0.1, 0.1, 0])).toEqual([1, 0, 0.5, 0]);
    expect(saliencyOpacities([-1, 0])).toEqual([0, 0]);
  });

  it('suggests a model name from the dataset', () => {
    expect(suggestModelName('ham10000 sample')).toBe('ham10000-sample-classifier');
    expect(suggestModelName('__')).toBe('image-classifier');
  });
});
