import { describe, expect, it } from 'vitest';
import { dotBlock } from './kernels.ts';
import { mulberry32 } from '../split/prng.ts';

/** The sum dotBlock promises, written plainly: float64, p in order, one label at a time. */
function reference(W: Float32Array, S: number, base: number, width: number, indices: Int32Array, data: Float32Array, from: number, to: number): number[] {
  return Array.from({ length: width }, (_, j) => {
    let a = 0;
    for (let p = from; p < to; p++) a += data[p]! * W[base + indices[p]! * S + j]!;
    return a;
  });
}

describe('dotBlock (one kernel for the solver and the fused text scorer)', () => {
  const rand = mulberry32(11);
  const rows = 300, indices = Int32Array.from({ length: 200 }, () => Math.floor(rand.next() * rows));
  const data = Float32Array.from({ length: 200 }, () => rand.next() * 2 - 1);

  it('sums rows at any base and stride into out[c..c+width), bit for bit the plain float64 sum, touching nothing else', () => {
    // the solver's shape (padded stride 8, base = c) and the scorer's (the model's own stride 7, a block's first column as base)
    for (const [S, first] of [[8, 0], [7, 0], [7, 120], [28, 35], [3, 10], [1, 5]] as const) {
      const W = Float32Array.from({ length: (rows + first + 1) * S + 8 }, () => rand.next() * 4 - 2);
      for (let c = 0; c < S; c += 8) {
        const left = S - c, width = left > 4 ? 8 : left > 2 ? 4 : left > 1 ? 2 : 1;
        for (const [from, to] of [[0, 200], [17, 90], [5, 5]] as const) {
          const out = new Float64Array(S + 8).fill(-7);
          dotBlock(W, S, first * S + c, width, indices, data, from, to, out, c);
          expect(Array.from(out.subarray(c, c + width))).toEqual(reference(W, S, first * S + c, width, indices, data, from, to));
          for (let l = 0; l < out.length; l++) if (l < c || l >= c + width) expect(out[l]).toBe(-7);
        }
      }
    }
  });
});
