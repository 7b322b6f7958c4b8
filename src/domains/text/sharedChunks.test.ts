import { describe, expect, it } from 'vitest';
import { claimChunk, createSharedChunks, markDone, MIN_CHUNK, POOL_MAX, scoreClaimed, scoredUntil, stopClaims } from './sharedChunks.ts';

describe('shared chunks (a batch as one pool of work every thread claims from)', () => {
  it('hands out every document exactly once, in guided chunks that shrink to MIN_CHUNK as the run ends', () => {
    const c = createSharedChunks(1996, 7, 2), sizes: number[] = [];
    let expected = 0;
    for (let k = claimChunk(c, POOL_MAX); k; k = claimChunk(c, POOL_MAX)) {
      expect(k[0]).toBe(expected);
      expected = k[1];
      sizes.push(k[1] - k[0]);
    }
    expect(expected).toBe(1996);
    expect(sizes[0]).toBe(499); // a quarter of what is left with two threads claiming
    expect(sizes.at(-2)).toBe(MIN_CHUNK);
    expect(claimChunk(c, POOL_MAX)).toBeNull();
  });

  it('reports the scored run from a document on, whatever order chunks finish in; stopClaims ends the handing out', () => {
    const c = createSharedChunks(300, 1, 1);
    const a = claimChunk(c, 100)!, b = claimChunk(c, 100)!;
    markDone(c, b[0], b[1]);
    expect(scoredUntil(c, 0)).toBe(0); // the first chunk is not in yet
    markDone(c, a[0], a[1]);
    expect(scoredUntil(c, 0)).toBe(b[1]);
    stopClaims(c);
    expect(claimChunk(c, 100)).toBeNull();
  });

  it('a scoring thread scores the chunks it claims into the shared scores (its own output views)', () => {
    const texts = Array.from({ length: 700 }, (_, i) => `doc ${i}`), c = createSharedChunks(texts.length, 2, 1);
    const done = scoreClaimed(c, texts, 2, (part, out) => part.forEach((t, i) => { out[2 * i] = Number(t.slice(4)); out[2 * i + 1] = -1; }));
    expect(done).toBe(700);
    expect(scoredUntil(c, 0)).toBe(700);
    expect(Array.from(c.scores.filter((_, i) => i % 2 === 0))).toEqual(texts.map((_, i) => i));
  });
});
