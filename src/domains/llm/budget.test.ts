import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { fitBudget } from './budget.ts';

const range = (n: number, from = 10) => Array.from({ length: n }, (_, i) => from + i);

describe('context budget', () => {
  it('passes a prompt that fits, exactly up to the context size', () => {
    const b = fitBudget([1, ...range(255)], 256, 512, { hasBos: true });
    expect(b).toEqual({ tokens: [1, ...range(255)], maxNewTokens: 256, truncatedTokens: 0 });
  });

  it('says by how much a prompt overflows (never truncates silently)', () => {
    let err: unknown;
    try {
      fitBudget([1, ...range(611)], 256, 512, { hasBos: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('LLM_CONTEXT_OVERFLOW');
    expect(e.status).toBe(400);
    expect(e.message).toContain('prompt is 612 tokens + max_new_tokens 256 = 868 > context 512, 356 too many');
    expect(e.extra).toEqual({ promptTokens: 612, maxNewTokens: 256, contextSize: 512, excessTokens: 356 });
    expect(e.problems?.[0]?.fix).toMatch(/truncate: true/);
  });

  it('names the parameter the caller used', () => {
    expect(() => fitBudget(range(10), 600, 512, { hasBos: false, maxLabel: 'max_tokens' })).toThrow(/\+ max_tokens 600 = 610 > context 512, 98 too many/);
  });

  it('truncate: true keeps BOS and the newest prompt tokens', () => {
    const b = fitBudget([1, ...range(611)], 256, 512, { hasBos: true, truncate: true });
    expect(b.tokens).toHaveLength(256);
    expect(b.tokens[0]).toBe(1);
    expect(b.tokens.at(-1)).toBe(10 + 610);
    expect(b.truncatedTokens).toBe(356);
  });

  it('truncate: N keeps at most the last N prompt tokens, then still checks the budget', () => {
    const b = fitBudget([1, ...range(100)], 20, 512, { hasBos: true, truncate: 30 });
    expect(b.tokens).toEqual([1, ...range(30, 80)]);
    expect(b.truncatedTokens).toBe(70);
    expect(() => fitBudget([1, ...range(600)], 100, 512, { hasBos: true, truncate: 500 })).toThrow(/prompt is 501 tokens \+ max_new_tokens 100 = 601 > context 512, 89 too many/);
  });

  it('without max new tokens, generation may use the rest of the context', () => {
    expect(fitBudget([1, 2, 3], undefined, 64, { hasBos: true }).maxNewTokens).toBe(61);
    expect(() => fitBudget(range(64), undefined, 64, { hasBos: false })).toThrow(/prompt is 64 tokens \+ max_new_tokens 1 = 65 > context 64, 1 too many/);
  });
});
