/**
 * model.py: the llama2.c checkpoint and the GGUF load to the same logits (the Q/K layouts agree), and greedy
 * decoding from our torch model matches what node-llama-cpp generates from the same GGUF.
 */
import { describe, expect, it } from 'vitest';
import { llamaCpp, probe, TINY_BIN, TINY_GGUF, TINY_TOK, trainerMissing } from './testing/kit.ts';

const missing = trainerMissing();

describe.skipIf(missing !== null)(`llama model parity${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('GGUF and llama2.c .bin give the same logits; greedy tokens match node-llama-cpp', { timeout: 120_000 }, async () => {
    const prompt = 'Once upon a time';
    const ours = await probe('greedy', TINY_GGUF, TINY_BIN, TINY_TOK, prompt, '40');
    expect(ours.max_abs_logit_diff).toBeLessThan(1e-4);
    const theirs = await llamaCpp(TINY_GGUF, prompt, 40);
    expect(ours.text).toBe(theirs.text);
    expect(ours.text).toContain('Lily');
  });
});
