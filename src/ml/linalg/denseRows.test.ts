import { describe, expect, it } from 'vitest';
import { DenseRows } from './denseRows.ts';
import { simdKernels } from './simd.ts';

function rand(len: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: len }, () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 1073741824 - 1; });
}

// n × p × k: 1×1×1, odd sizes, sizes off the 4-row / 2-column / 4-class padding and the 256-column block
const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [5, 7, 3], [4, 2, 4], [9, 257, 6], [13, 513, 7], [2, 300, 2]];

describe('DenseRows: logits Z·Vᵀ and gradient Rᵀ·Z', () => {
  it('has WebAssembly SIMD on this Node (else the JS fallback runs and these tests cover only it)', () => {
    expect(simdKernels(1)).not.toBeNull();
  });

  it('falls back to plain JS when the wasm memory cannot be had', () => {
    expect(simdKernels(2 ** 40)).toBeNull();
  });

  for (const useSimd of [true, false]) {
    it.each(SHAPES)(`${useSimd ? 'SIMD' : 'plain JS'}: matches the naive products for n=%i p=%i k=%i`, (n, p, k) => {
      const Z = rand(n * p, n + p), theta = rand(k * p + k, k), R = rand(n * k, 3), grad = rand(k * p + k, 4), init = grad.slice();
      const rows = new DenseRows(Z, n, p, k, useSimd);
      expect(rows.vectorised).toBe(useSimd);
      const out = new Float64Array(n * k).fill(99);
      for (let rep = 0; rep < 2; rep++) { // twice: the second call must not see state left by the first
        rows.logits(theta, out);
        for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
          let s = 0;
          for (let j = 0; j < p; j++) s += Z[i * p + j] * theta[c * p + j];
          expect(out[i * k + c]).toBeCloseTo(s, 10);
        }
      }
      rows.addGradient(R, grad);
      for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) {
        let s = init[c * p + j];
        for (let i = 0; i < n; i++) s += R[i * k + c] * Z[i * p + j];
        expect(grad[c * p + j]).toBeCloseTo(s, 10);
      }
      for (let c = 0; c < k; c++) expect(grad[k * p + c]).toBe(init[k * p + c]); // intercept slots untouched
    });
  }

  for (const useSimd of [true, false]) {
    it.each([1, 2, 5, 8, 11])(`${useSimd ? 'SIMD' : 'plain JS'}: gram gives X·Xᵀ exactly symmetric for n=%i (rowSpace relies on it)`, (n) => {
      const d = 301, X = rand(n * d, n), G = new Float64Array(n * n).fill(99);
      new DenseRows(X, n, d, 1, useSimd).gram(G);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += X[i * d + q] * X[j * d + q];
        expect(G[i * n + j]).toBeCloseTo(s, 10);
        expect(G[i * n + j]).toBe(G[j * n + i]);
      }
    });
  }
});
