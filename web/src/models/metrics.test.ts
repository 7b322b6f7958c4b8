import { describe, expect, it } from 'vitest';
import { endpointNameFor, formatMetric, isPerLabelMatrix, isValidEndpointName, multiClassCells, multiLabelMatrices, overallRows, perLabelRows, readScores } from './metrics.ts';

describe('model metrics helpers', () => {
  it('lists the overall metrics, hamming loss only when present', () => {
    const rows = overallRows({ accuracy: 0.9, macro_f1: 0.8, mean_auc: null });
    expect(rows.map((r) => r.key)).not.toContain('hamming_loss');
    expect(rows.find((r) => r.key === 'accuracy')?.value).toBe(0.9);
    expect(rows.find((r) => r.key === 'mean_auc')?.value).toBeNull();
    expect(overallRows({ hamming_loss: 0.1 }).map((r) => r.key)).toContain('hamming_loss');
    expect(formatMetric(0.12345)).toBe('0.123');
    expect(formatMetric(undefined)).toBe('—');
  });

  it('orders per-label rows by the model labels', () => {
    const per = { b: { precision: 1, recall: 1, f1: 1, support: 2, auc: null }, a: { precision: 0.5, recall: 0.5, f1: 0.5, support: 3, auc: null } };
    expect(perLabelRows({ per_label: per }, ['a', 'b']).map((r) => r.label)).toEqual(['a', 'b']);
    expect(perLabelRows({ per_label: per }).map((r) => r.label)).toEqual(['b', 'a']);
    expect(perLabelRows(null)).toEqual([]);
  });

  it('reads confusion matrices', () => {
    const cells = multiClassCells([[3, 1], [0, 4]], ['x', 'y'])!;
    expect(cells).toHaveLength(4);
    expect(cells[0]).toEqual({ actual: 'x', predicted: 'x', count: 3, rowFraction: 0.75 });
    expect(multiClassCells([[1]], ['x', 'y'])).toBeNull();
    const ml = multiLabelMatrices([[[5, 1], [2, 3]]], ['toxic'])!;
    expect(ml[0]!.label).toBe('toxic');
    expect(ml[0]!.cells.find((c) => c.actual === 'yes' && c.predicted === 'yes')?.count).toBe(3);
    expect(isPerLabelMatrix([[[5, 1], [2, 3]]])).toBe(true);
    expect(isPerLabelMatrix([[5, 1], [2, 3]])).toBe(false);
  });

  it('reads classify answers', () => {
    expect(readScores({ Classes: [{ Name: 'a', Score: 0.1 }, { Name: 'b', Score: 0.9 }], Predicted: 'b' })).toEqual({
      scores: [{ Name: 'b', Score: 0.9 }, { Name: 'a', Score: 0.1 }],
      predicted: ['b'],
    });
    expect(readScores({ Labels: [{ Name: 'a', Score: 0.7 }], Predicted: ['a'] }).predicted).toEqual(['a']);
    expect(readScores({ Predicted: null })).toEqual({ scores: [], predicted: [] });
  });

  it('derives valid, free endpoint names', () => {
    expect(endpointNameFor('my_model.v2', 1, [])).toBe('my-model-v2');
    expect(endpointNameFor('clf', 3, ['clf'])).toBe('clf-v3');
    expect(endpointNameFor('clf', 3, ['clf', 'clf-v3'])).toBe('clf-v3-2');
    expect(endpointNameFor('_x', 1, [])).toBe('x');
    expect(isValidEndpointName(endpointNameFor('__', 1, []))).toBe(true);
    expect(isValidEndpointName('a_b')).toBe(false);
  });
});
