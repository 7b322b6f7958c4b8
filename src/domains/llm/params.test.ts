import { describe, expect, it } from 'vitest';
import { fromOpenAi, fromTgi, invocationBodySchema, samplerOptions } from './params.ts';
import { classifyInputs } from './service.ts';

describe('TGI parameters', () => {
  it('defaults to greedy, 20 new tokens (TGI)', () => {
    const p = fromTgi(undefined);
    expect(p).toMatchObject({ maxNewTokens: 20, doSample: false });
    expect(samplerOptions(p)).toEqual({ temperature: 0, repeatPenalty: false });
  });

  it('samples when a warper is set, like TGI (temperature ≠ 1, top_k, top_p < 1)', () => {
    expect(fromTgi({ temperature: 0.6, top_p: 0.9 }).doSample).toBe(true);
    expect(fromTgi({ top_k: 40 }).doSample).toBe(true);
    expect(fromTgi({ temperature: 1 }).doSample).toBe(false);
    expect(fromTgi({ temperature: 0.6, do_sample: false }).doSample).toBe(false);
    expect(samplerOptions(fromTgi({ temperature: 0.6, top_p: 0.9, top_k: 50, seed: 7 }))).toEqual({ temperature: 0.6, topP: 0.9, topK: 50, seed: 7, repeatPenalty: false });
    expect(samplerOptions(fromTgi({ do_sample: true }))).toMatchObject({ temperature: 1 });
  });

  it('maps repetition_penalty (multiplicative) to llama.cpp repeat penalty', () => {
    expect(samplerOptions(fromTgi({ repetition_penalty: 1.2 })).repeatPenalty).toEqual({ lastTokens: 64, penalty: 1.2 });
  });

  it('rejects unknown parameters and out-of-range values', () => {
    expect(invocationBodySchema.safeParse({ inputs: 'x', parameters: { max_new_token: 5 } }).success).toBe(false);
    expect(invocationBodySchema.safeParse({ inputs: 'x', parameters: { top_p: 1.5 } }).success).toBe(false);
    expect(invocationBodySchema.safeParse({ inputs: 'x', parameters: { max_new_tokens: 0 } }).success).toBe(false);
    expect(invocationBodySchema.safeParse({ inputs: 'x', parameters: { max_new_tokens: 5, stop: ['\n'], return_full_text: true, truncate: true } }).success).toBe(true);
  });
});

describe('payload kinds', () => {
  it('tells text inputs from Llama-2 dialogs', () => {
    expect(classifyInputs('hi')).toEqual({ kind: 'text', texts: ['hi'], single: true });
    expect(classifyInputs(['a', 'b'])).toEqual({ kind: 'text', texts: ['a', 'b'], single: false });
    const d = [{ role: 'user' as const, content: 'hi' }];
    expect(classifyInputs([d])).toEqual({ kind: 'chat', dialogs: [d] });
    expect(classifyInputs(d)).toEqual({ kind: 'chat', dialogs: [d] });
  });
});

describe('OpenAI parameters', () => {
  it('samples at temperature 1 by default and is greedy at 0', () => {
    expect(samplerOptions(fromOpenAi({ model: 'm', prompt: 'x' }))).toMatchObject({ temperature: 1 });
    expect(samplerOptions(fromOpenAi({ model: 'm', prompt: 'x', temperature: 0, top_p: 0.5 }))).toEqual({ temperature: 0, repeatPenalty: false });
  });

  it('takes max_completion_tokens over max_tokens, a string stop, penalties', () => {
    const p = fromOpenAi({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 5, max_completion_tokens: 7, stop: '\n', frequency_penalty: 0.5 });
    expect(p).toMatchObject({ maxNewTokens: 7, stop: ['\n'], frequencyPenalty: 0.5 });
    expect(samplerOptions(p).repeatPenalty).toEqual({ lastTokens: 64, penalty: 1, frequencyPenalty: 0.5 });
    expect(fromOpenAi({ model: 'm', prompt: 'x' }, 16).maxNewTokens).toBe(16);
    expect(fromOpenAi({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).maxNewTokens).toBeUndefined();
  });
});
