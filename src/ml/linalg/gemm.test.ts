import { describe, expect, it } from 'vitest';
import { gemmNT, gemmTN } from './gemm.ts';

function rand(len: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: len }, () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 1073741824 - 1; });
}

// shapes: 1×1, odd, and sizes that are not multiples of the 2/4 register blocks or the 256 cache blocks
const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [2, 4, 1], [5, 3, 2], [7, 9, 257], [6, 7, 513], [1, 7, 300], [13, 1, 260]];

describe('gemmNT: out = A·Bᵀ', () => {
  it.each(SHAPES)('matches the naive product for m=%i n=%i K=%i', (m, n, K) => {
    const A = rand(m * K, m + 1), B = rand(n * K, n + 2), out = new Float64Array(m * n).fill(99);
    gemmNT(A, B, out, m, n, K);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < K; q++) s += A[i * K + q] * B[j * K + q];
      expect(out[i * n + j]).toBeCloseTo(s, 10);
    }
  });

  it('gives an exactly symmetric Gram matrix X·Xᵀ', () => {
    const X = rand(9 * 301, 5), G = new Float64Array(81);
    gemmNT(X, X, G, 9, 9, 301);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) expect(G[i * 9 + j]).toBe(G[j * 9 + i]);
  });
});

describe('gemmTN: out += Aᵀ·B', () => {
  it.each(SHAPES)('matches the naive product for m=%i n=%i K=%i, adding to out', (m, n, K) => {
    const A = rand(K * m, m + 3), B = rand(K * n, n + 4), out = rand(m * n, 7), init = out.slice();
    gemmTN(A, B, out, K, m, n);
    for (let c = 0; c < m; c++) for (let j = 0; j < n; j++) {
      let s = init[c * n + j];
      for (let q = 0; q < K; q++) s += A[q * m + c] * B[q * n + j];
      expect(out[c * n + j]).toBeCloseTo(s, 10);
    }
  });
});
