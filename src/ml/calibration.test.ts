import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, fitTemperature, temperatureNll } from './calibration.ts';
import { imagesReference as ref } from './__reference__/imagesReference.ts';

describe('fitTemperature (reference: scipy bounded minimize_scalar over log T)', () => {
  const t = ref.temperature;
  it('finds the NLL-minimising temperature and reports NLL / ECE before and after', () => {
    const r = fitTemperature(t.logits, t.y, t.n, t.k);
    expect(r.temperature).toBeCloseTo(t.temperature, 5);
    expect(r.nllBefore).toBeCloseTo(t.nllBefore, 9);
    expect(r.nllAfter).toBeCloseTo(t.nllAfter, 9);
    expect(r.eceBefore).toBeCloseTo(t.eceBefore, 9);
    expect(r.eceAfter).toBeCloseTo(t.eceAfter, 6);
    expect(r.nllAfter).toBeLessThan(r.nllBefore);
    expect(temperatureNll(t.logits, t.y, t.n, t.k, r.temperature * 1.01)).toBeGreaterThan(r.nllAfter);
  });

  it('ECE is 0 for perfectly calibrated one-hot predictions and counts over-confidence', () => {
    expect(expectedCalibrationError([1, 0, 0, 1], [0, 1], 2, 2)).toBe(0);
    // both rows say 0.9 for class 0, one is right: |0.5 − 0.9| = 0.4
    expect(expectedCalibrationError([0.9, 0.1, 0.9, 0.1], [0, 1], 2, 2)).toBeCloseTo(0.4, 12);
  });

  it('rejects bad input', () => {
    expect(() => fitTemperature([1, 2, 3], [0], 1, 2)).toThrow(/expected n×k/);
    expect(() => fitTemperature([1, 2], [2], 1, 2)).toThrow(/y\[0\] = 2/);
  });
});
