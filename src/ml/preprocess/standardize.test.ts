import { describe, expect, it } from 'vitest';
import { applyStandardizer, fitStandardizer } from './standardize.ts';
import { imagesReference as ref } from '../__reference__/imagesReference.ts';

describe('fitStandardizer / applyStandardizer (sklearn StandardScaler)', () => {
  const s = ref.standardize;
  it('matches mean_, scale_ (a constant column gets scale 1) and transform', () => {
    const st = fitStandardizer(s.X, s.n, s.d);
    for (let j = 0; j < s.d; j++) {
      expect(st.mean[j]).toBeCloseTo(s.mean[j], 9);
      expect(st.scale[j]).toBeCloseTo(s.scale[j], 9);
    }
    expect(st.scale[5]).toBe(1);
    const out = applyStandardizer(st, Float32Array.from(s.X), s.n);
    expect(out).toBeInstanceOf(Float32Array);
    for (let j = 0; j < s.d; j++) expect(out[j]).toBeCloseTo(s.transformedRow0[j], 5);
  });

  it('rejects mismatched shapes', () => {
    expect(() => fitStandardizer([1, 2, 3], 2, 2)).toThrow(/X has 3 values/);
    const st = fitStandardizer([1, 2, 3, 4], 2, 2);
    expect(() => applyStandardizer(st, [1, 2, 3], 1)).toThrow(/fitted on 2 features/);
  });
});
