import { describe, expect, it } from 'vitest';
import { kindLabel, modelPageFor } from './kinds.ts';

describe('model kinds', () => {
  it('opens each kind on its own page', () => {
    expect(modelPageFor({ name: 'topics', version: 2, kind: 'text-classifier' })).toBe('/models/topics/2');
    expect(modelPageFor({ name: 'ham quick', version: 1, kind: 'image-classifier' })).toBe('/images/models/ham%20quick/1');
    expect(modelPageFor({ name: 'tiny', version: 1, kind: 'llm' })).toBe('/llm');
    expect(modelPageFor({ name: 'x', version: 1, kind: 'other' })).toBe('/models/x/1');
  });
  it('labels kinds for people', () => {
    expect(kindLabel('image-classifier')).toBe('Image classifier');
    expect(kindLabel('text-classifier')).toBe('Text classifier');
    expect(kindLabel('something-new')).toBe('something-new');
  });
});
