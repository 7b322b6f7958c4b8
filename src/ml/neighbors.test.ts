import { describe, expect, it } from 'vitest';
import { fitOod, nearestNeighbors, oodScore } from './neighbors.ts';
import { imagesReference as ref } from './__reference__/imagesReference.ts';

describe('cosine neighbours and k-NN OOD (reference: numpy brute force)', () => {
  const r = ref.neighbors;
  it('nearestNeighbors returns the most similar rows first', () => {
    const nn = nearestNeighbors(r.query, r.X, r.n, r.d, 5);
    expect(nn.map((x) => x.index)).toEqual(r.top5);
    nn.forEach((x, i) => expect(x.similarity).toBeCloseTo(r.top5Similarity[i], 9));
    expect(nearestNeighbors(r.query, r.X, r.n, r.d, 100)).toHaveLength(r.n);
  });

  it('fitOod: leave-one-out k-th NN distances, threshold at the quantile; oodScore: distance and percentile', () => {
    const m = fitOod(r.X, r.n, r.d, { k: r.k, quantile: r.quantile });
    expect(m.kind).toBe('knn-cosine');
    m.trainDistances.forEach((v, i) => expect(v).toBeCloseTo(r.trainDistances[i], 9));
    expect(m.threshold).toBeCloseTo(r.threshold, 9);
    const s = oodScore(m, r.query, r.X, r.n, r.d);
    expect(s.distance).toBeCloseTo(r.queryDistance, 9);
    expect(s.percentile).toBeCloseTo(r.queryPercentile, 9);
    expect(s.outOfDistribution).toBe(r.queryDistance > r.threshold);
  });

  it('flags a vector pointing away from every training row', () => {
    const d = 4, X = [1, 0.1, 0, 0, 1, 0, 0.1, 0, 0.9, 0.1, 0.1, 0, 1, 0.05, 0.05, 0];
    const m = fitOod(X, 4, d, { k: 1 });
    expect(oodScore(m, [1, 0.05, 0.05, 0], X, 4, d).outOfDistribution).toBe(false);
    const far = oodScore(m, [0, 0, 0, 1], X, 4, d);
    expect(far.outOfDistribution).toBe(true);
    expect(far.percentile).toBe(100);
    expect(far.distance).toBeCloseTo(1, 12);
  });

  it('rejects bad shapes', () => {
    expect(() => nearestNeighbors([1, 2], [1, 2, 3, 4], 2, 2, 1)).not.toThrow();
    expect(() => nearestNeighbors([1], [1, 2, 3, 4], 2, 2, 1)).toThrow(/query has 1 values/);
    expect(() => fitOod([1, 2], 1, 2)).toThrow(/at least 2/);
  });
});
