/**
 * tokenizer.py: the GGUF vocab and llama2.c's tok512.bin encode like node-llama-cpp's tokenizer (no BOS),
 * including byte fallback for characters outside the vocab, and decode back to the text.
 */
import { describe, expect, it } from 'vitest';
import { llamaCpp, probe, TINY_GGUF, TINY_TOK, trainerMissing } from './testing/kit.ts';

const missing = trainerMissing();
const STRINGS = ['Once upon a time', 'Lily said, "Can I play?"\nThe dog barked.', 'héllo wörld 😀 ÿ', '  two  spaces', 'x'];

describe.skipIf(missing !== null)(`tokenizer parity with node-llama-cpp${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('encodes the same ids from the GGUF vocab, from tok512.bin and in llama.cpp', { timeout: 120_000 }, async () => {
    const ours = await probe('tokenize', TINY_GGUF, TINY_TOK, JSON.stringify(STRINGS));
    const theirs = await llamaCpp(TINY_GGUF, 'x', 1, STRINGS);
    expect(ours.gguf).toEqual(theirs.tokenized);
    expect(ours.llama2c).toEqual(ours.gguf);
    expect(ours.decoded).toEqual(STRINGS);
    expect(ours.gguf[2].some((id: number) => id >= 3 && id < 259)).toBe(true); // byte-fallback tokens for the emoji
  });
});
