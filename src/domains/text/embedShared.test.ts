/**
 * embedShared: chunks claimed by several embedders give every text its own row, in input order, and the same rows
 * whatever the number of embedders (the chunks, and so the encoder's batches, do not depend on it); the rows land
 * in this thread's cache.
 */
import { describe, expect, it } from 'vitest';
import { embedTexts, ENCODER_DIM } from '../../ml/text/sentenceEncoder.ts';
import { embedShared, type Embedder } from './embedShared.ts';

const texts = Array.from({ length: 450 }, (_, i) => `${i % 7 === 0 ? 'REALLY ' : ''}document number ${i} about ${['refunds', 'parcels', 'rude people', 'the weather'][i % 4]}${' and more'.repeat(i % 5)}`);

describe('embedShared', () => {
  it('embeds every text into its own row, the same rows with one embedder or three, and reports progress', async () => {
    const calls: number[] = [];
    // uncached: each run computes its rows, so equal rows mean the same batches whatever the embedder count
    const counted = (tag: number): Embedder => async (t) => { calls.push(tag); return embedTexts(t, { noCache: true }); };
    let last = 0;
    const one = await embedShared(texts, [counted(0)]);
    const three = await embedShared(texts, [counted(1), counted(2), counted(3)], { onProgress: (d) => { last = d; } });
    expect(last).toBe(texts.length);
    expect(Array.from(three)).toEqual(Array.from(one));
    expect(new Set(calls.filter((c) => c > 0)).size).toBeGreaterThan(1);
    // row i is text i's embedding: text i embedded alone (uncached) agrees to float rounding of other batch shapes
    for (const i of [0, 1, 77, 449]) {
      const alone = await embedTexts([texts[i]!], { noCache: true }), row = one.subarray(i * ENCODER_DIM, (i + 1) * ENCODER_DIM);
      expect(Math.max(...Array.from(alone, (v, k) => Math.abs(v - row[k]!)))).toBeLessThan(1e-4);
      // embedShared kept the row in this thread's cache: a cached lookup answers it exactly
      expect(Array.from(await embedTexts([texts[i]!]))).toEqual(Array.from(row));
    }
  }, 120_000);

  it('stops claiming at a cancelled signal, and refuses an embedder that answers the wrong number of rows', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(embedShared(texts, [(t) => embedTexts(t)], { signal: ac.signal })).rejects.toThrow(/abort/i);
    await expect(embedShared(texts.slice(0, 3), [async () => new Float32Array(ENCODER_DIM)])).rejects.toThrow(/1 embeddings for 3 texts/);
  }, 60_000);
});
