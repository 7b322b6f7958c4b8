import { describe, expect, it } from 'vitest';
import { ruleFromDecision, ruleFromModel, ruleName, ruleSentence, thresholdFor } from './decision.ts';

describe('live decision rule', () => {
  it('reads tuned thresholds stored in label order on the version', () => {
    const r = ruleFromModel({ params: { mode: 'multi-label', labels: ['a', 'b'] }, meta: { decision: { thresholds: [0.07, 0.4], source: 'oof-5fold', objective: 'f1' } } });
    expect(ruleName(r)).toBe('tuned');
    expect(thresholdFor(r, 'a', false)).toBe(0.07);
    expect(thresholdFor(r, 'b', true)).toBe(0.4);
  });
  it('names the defaults: @0.5 for multi-label, top class for multi-class', () => {
    const ml = ruleFromModel({ params: { mode: 'multi-label', labels: ['a'] }, meta: {} });
    expect(ruleName(ml)).toBe('@0.5');
    expect(thresholdFor(ml, 'a', false)).toBe(0.5);
    expect(ruleSentence(ml)).toContain('0.500');
    const mc = ruleFromModel({ params: { mode: 'multi-class', labels: ['a', 'b'] }, meta: null });
    expect(ruleName(mc)).toBe('top class');
    expect(thresholdFor(mc, 'a', true)).toBeNull();
  });
  it('marks the abstain level on the top class and names hand edits', () => {
    const r = ruleFromDecision({ mode: 'multi-class', labels: ['a', 'b'], thresholds: null, abstainBelow: 0.4, source: 'manual' });
    expect(ruleName(r)).toBe('edited');
    expect(thresholdFor(r, 'a', true)).toBe(0.4);
    expect(thresholdFor(r, 'b', false)).toBeNull();
  });
});
