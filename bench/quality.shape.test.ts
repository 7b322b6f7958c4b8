import { describe, expect, it } from 'vitest';
import { SHAPE_FEATURES, shapeFeatures, shapeOf } from './quality.shape.ts';

describe('shapeOf', () => {
  it('counts capitals, all-caps words, marks, length and stretched letters', () => {
    const [caps, capsWords, excl, quest, len, stretched, punct] = shapeOf('YOU are SOOO dumb!!! ok?');
    expect(caps).toBeCloseTo(7 / 16, 9);
    expect(capsWords).toBeCloseTo(2 / 5, 9);
    expect(excl).toBeCloseTo(Math.log1p(3), 9);
    expect(quest).toBeCloseTo(Math.log1p(1), 9);
    expect(len).toBeCloseTo(Math.log1p(24), 9);
    // 'OOO' and '!!!' are runs of three
    expect(stretched).toBeCloseTo(Math.log1p(2), 9);
    expect(punct).toBe(0);
    expect(shapeOf('')).toEqual(SHAPE_FEATURES.map(() => 0));
  });
});

describe('shapeFeatures', () => {
  it('standardises each column (mean 0, sd 1) and leaves a constant column at 0', () => {
    const texts = ['A', 'bb', 'CCC ok', 'dddd!'], E = SHAPE_FEATURES.length, Z = shapeFeatures(texts);
    for (let c = 0; c < E; c++) {
      const col = texts.map((_, i) => Z[i * E + c]!), m = col.reduce((a, b) => a + b, 0) / texts.length;
      expect(m).toBeCloseTo(0, 6);
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / texts.length);
      expect([0, 1].some((v) => Math.abs(sd - v) < 1e-5)).toBe(true);
    }
    // no '?' anywhere: that column is constant
    expect(texts.map((_, i) => Z[i * E + SHAPE_FEATURES.indexOf('questions')])).toEqual([0, 0, 0, 0]);
  });
});
