import { describe, expect, it } from 'vitest';
import { fitDenseLogit } from './denseLogit.ts';

// the fixture of scikit-learn 1.2.1's check (LogisticRegression(C, solver='liblinear', intercept_scaling=1, tol=1e-12)):
// Z[i][c] = sin(1.3 i + 0.7 c)·(1 + c), y_i = 1 when sin(0.9 i) + 0.5 Z[i][0] > 0.2
const n = 60, W = 3;
const Z = Float32Array.from({ length: n * W }, (_, k) => Math.sin(1.3 * Math.floor(k / W) + 0.7 * (k % W)) * (1 + (k % W)));
const y = Array.from({ length: n }, (_, i) => (Math.sin(0.9 * i) + 0.5 * Z[i * W]! > 0.2 ? 1 : 0));
const rows = Array.from({ length: n }, (_, i) => i);

describe('fitDenseLogit', () => {
  it("matches scikit-learn's liblinear optimum (bias regularised, intercept scaling 1)", () => {
    const sklearn: Record<number, number[]> = { 0.1: [0.168148, 0.186928, -0.075533, -0.125849], 1: [0.26144, 0.281946, -0.137388, -0.205153] };
    for (const [C, want] of Object.entries(sklearn)) {
      const w = fitDenseLogit(Z, W, y, Number(C), rows, [0, 1, 2]);
      want.forEach((v, a) => expect(w[a]!).toBeCloseTo(v, 4));
    }
  });

  it('fits on the rows and columns it is given only', () => {
    const wide = new Float32Array(n * 5);
    for (let i = 0; i < n; i++) for (let c = 0; c < W; c++) wide[i * 5 + [4, 0, 2][c]!] = Z[i * W + c]!;
    const full = fitDenseLogit(Z, W, y, 1, rows, [0, 1, 2]);
    expect(Array.from(fitDenseLogit(wide, 5, y, 1, rows, [4, 0, 2]))).toEqual(Array.from(full));
    const half = rows.filter((i) => i % 2 === 0);
    expect(fitDenseLogit(Z, W, y, 1, half, [0, 1, 2])[0]).not.toBeCloseTo(full[0]!, 3);
  });
});
