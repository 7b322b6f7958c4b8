import { describe, expect, it } from 'vitest';
import { csrFromDense, csrToDense, hstack, nnz, rowSquaredNorms, sliceRows } from './csr.ts';

const A = csrFromDense([1, 0, 2, 0, 0, 0, 0, 3, 4], 3, 3);
const B = csrFromDense([5, 0, 6, 7, 0, 0], 3, 2);

describe('csr', () => {
  it('round-trips dense matrices and skips zeros', () => {
    expect(nnz(A)).toBe(4);
    expect(Array.from(csrToDense(A))).toEqual([1, 0, 2, 0, 0, 0, 0, 3, 4]);
  });

  it('slices rows in the given order, with repeats', () => {
    const s = sliceRows(A, [2, 0, 2]);
    expect(s.nRows).toBe(3);
    expect(Array.from(csrToDense(s))).toEqual([0, 3, 4, 1, 0, 2, 0, 3, 4]);
    expect(() => sliceRows(A, [3])).toThrow(/out of range/);
  });

  it('hstacks blocks with column offsets', () => {
    const h = hstack([A, B]);
    expect(h.nCols).toBe(5);
    expect(Array.from(csrToDense(h))).toEqual([1, 0, 2, 5, 0, 0, 0, 0, 6, 7, 0, 3, 4, 0, 0]);
    expect(() => hstack([A, csrFromDense([1], 1, 1)])).toThrow(/rows/);
  });

  it('computes squared row norms', () => {
    expect(Array.from(rowSquaredNorms(A))).toEqual([5, 0, 25]);
  });
});
