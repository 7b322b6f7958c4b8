import { describe, expect, it } from 'vitest';
import { callLabel, EMPTY_FORM, formFields, requestOptions } from './form.ts';

const DEFAULTS = { map: 'M {text}', combine: 'C {text}', refine: 'R {existing_answer} {text}' };

describe('summarize form', () => {
  it('extractive: only the word budget', () => {
    expect(requestOptions({ ...EMPTY_FORM, maxWords: 120, chunkSize: 50 })).toEqual({ engine: 'extractive', maxWords: 120 });
  });

  it('LLM: endpoint, mode, numbers set, and prompts only when edited', () => {
    const f = { ...EMPTY_FORM, engine: 'tiny', mode: 'refine' as const, chunkSize: 300, mapPrompt: DEFAULTS.map, refinePrompt: 'Mine {existing_answer} {text}', combinePrompt: 'ignored in refine {text}' };
    expect(requestOptions(f, DEFAULTS)).toEqual({ engine: { endpoint: 'tiny' }, mode: 'refine', chunkSize: 300, refinePrompt: 'Mine {existing_answer} {text}' });
  });

  it('multipart fields spell the engine as endpoint:NAME', () => {
    expect(formFields({ engine: { endpoint: 'tiny' }, chunkSize: 300 })).toEqual({ engine: 'endpoint:tiny', chunkSize: '300' });
    expect(formFields({ engine: 'extractive' })).toEqual({ engine: 'extractive' });
  });

  it('labels calls', () => {
    expect(callLabel({ stage: 'map', index: 2, round: 0 })).toBe('map 3');
    expect(callLabel({ stage: 'collapse', index: 0, round: 1 })).toBe('collapse r1 · 1');
    expect(callLabel({ stage: 'combine', index: 0, round: 0 })).toBe('combine');
  });
});
