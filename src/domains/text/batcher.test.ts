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
    }, { maxBatch: 2 });
    const results = await Promise.allSettled([b.run(['x', 'y']), b.run(['boom']), b.run(['z'])]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: ['x', 'y'] });
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect(calls[0]).toBe(2);
  });

  it('keeps at most maxInFlight batches running and batches what waits meanwhile', async () => {
    let running = 0, peak = 0;
    const sizes: number[] = [];
    const b = createMicroBatcher(async (texts: string[]) => {
      running++; peak = Math.max(peak, running); sizes.push(texts.length);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return texts;
    }, { maxInFlight: 2, maxBatch: 4 });
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => b.run([`t${i}`])));
    expect(all.map((r) => r[0])).toEqual(Array.from({ length: 30 }, (_, i) => `t${i}`));
    expect(peak).toBe(2);
    expect(sizes).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
  });

  it('refuses with SCORING_QUEUE_FULL and a Retry-After estimate when the queue is full, and frees the slots after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = createMicroBatcher(async (texts: string[]) => { await gate; return texts; }, { maxInFlight: 1, maxQueued: 3 });
    const first = b.run(['running']);
    await new Promise((r) => setImmediate(r)); // the first batch is running now
    const waiting = [b.run(['a', 'b']), b.run(['c'])];
    const refused = await b.run(['d']).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'SCORING_QUEUE_FULL', status: 429, extra: { retryAfter: expect.any(Number) } });
    expect((refused as { extra: { retryAfter: number } }).extra.retryAfter).toBeGreaterThanOrEqual(1);
    release();
    expect(await first).toEqual(['running']);
    expect(await Promise.all(waiting)).toEqual([['a', 'b'], ['c']]);
    expect(b.queued).toBe(0);
    expect(await b.run(['e'])).toEqual(['e']);
  });

  it('a request whose client went away leaves the queue unscored (REQUEST_CANCELLED); the others are scored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const scored: string[] = [];
    const b = createMicroBatcher(async (texts: string[]) => { await gate; scored.push(...texts); return texts; }, { maxInFlight: 1 });
    const first = b.run(['running']);
    await new Promise((r) => setImmediate(r));
    const ac = new AbortController();
    const gone = b.run(['gone'], ac.signal).catch((e: unknown) => e);
    const kept = b.run(['kept']);
    ac.abort();
    expect(await gone).toMatchObject({ code: 'REQUEST_CANCELLED' });
    expect(b.queued).toBe(1);
    release();
    await first;
    expect(await kept).toEqual(['kept']);
    expect(scored).toEqual(['running', 'kept']);
    expect(await b.run(['late'], AbortSignal.abort()).catch((e: unknown) => e)).toMatchObject({ code: 'REQUEST_CANCELLED' });
  });

  it('sends the next batch out before handing back the answers of the batch that finished', async () => {
    const calls: string[][] = [];
    const gates: Array<() => void> = [];
    const b = createMicroBatcher(async (texts: string[]) => {
      calls.push(texts);
      await new Promise<void>((r) => gates.push(r));
      return texts.map((t) => t.toUpperCase());
    }, { maxInFlight: 1 });
    const first = b.run(['a']).then((r) => ({ r, batchesSent: calls.length }));
    await new Promise((r) => setImmediate(r)); // ['a'] is being scored
    const second = b.run(['b']);
    const third = b.run(['c']);
    gates[0]!();
    // when 'a' gets its answer, what waited meanwhile is already out as the next batch (its scorer is busy with it)
    expect(await first).toEqual({ r: ['A'], batchesSent: 2 });
    expect(calls).toEqual([['a'], ['b', 'c']]);
    gates[1]!();
    expect(await Promise.all([second, third])).toEqual([['B'], ['C']]);
    expect(b.queued).toBe(0);
  });

  it('a scorer that throws at once fails only its batch; the next one is scored', async () => {
    let n = 0;
    const b = createMicroBatcher((texts: string[]) => {
      if (n++ === 0) throw new Error('no scorer');
      return Promise.resolve(texts);
    });
    await expect(b.run(['x'])).rejects.toThrow('no scorer');
    expect(await b.run(['y'])).toEqual(['y']);
  });
});
