import { describe, expect, it } from 'vitest';
import { createMicroBatcher } from './batcher.ts';

describe('createMicroBatcher', () => {
  it('scores concurrent requests in one call and returns each its own results in order', async () => {
    const calls: string[][] = [];
    const b = createMicroBatcher(async (texts: string[]) => {
      calls.push(texts);
      return texts.map((t) => t.toUpperCase());
    });
    const [a, c, d] = await Promise.all([b.run(['a']), b.run(['b', 'c']), b.run(['d'])]);
    expect(a).toEqual(['A']);
    expect(c).toEqual(['B', 'C']);
    expect(d).toEqual(['D']);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('splits batches at maxBatch and propagates errors to the requests of the failed batch only', async () => {
    const calls: number[] = [];
    const b = createMicroBatcher(async (texts: string[]) => {
      calls.push(texts.length);
      if (texts.includes('boom')) throw new Error('boom');
      return texts;
    }, 2);
    const results = await Promise.allSettled([b.run(['x', 'y']), b.run(['boom']), b.run(['z'])]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: ['x', 'y'] });
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect(calls[0]).toBe(2);
  });
});
