import { describe, expect, it } from 'vitest';
import { API_JSON_MAX_DEPTH, depthExceededAt, jsonBodyTooDeep } from './json-depth.ts';

describe('depthExceededAt', () => {
  it('measures JSON nesting without recursion; brackets in strings do not count', () => {
    const at = (t: string, limit: number) => depthExceededAt(Buffer.from(t), 0, Buffer.byteLength(t), limit);
    expect(at('{"a":[[1]]}', 3)).toBe(-1);
    expect(at('{"a":[[[1]]]}', 3)).toBe(7);
    expect(at('{"a":"[[[[\\"[[["}', 1)).toBe(-1);
    expect(at('['.repeat(1_000_000), 64)).toBe(64);
  });
});

describe('jsonBodyTooDeep', () => {
  it('names the limit and the offset for a body 100,000 levels deep, and passes a body within the limit', () => {
    const deep = Buffer.from(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    const err = jsonBodyTooDeep(deep, API_JSON_MAX_DEPTH);
    expect(err).toMatchObject({ code: 'JSON_TOO_DEEP', extra: { maxDepth: 256 }, problems: [{ field: 'body' }] });
    expect(err!.message).toContain('more than 256 levels');
    expect(jsonBodyTooDeep(Buffer.from(`${'['.repeat(256)}${']'.repeat(256)}`), API_JSON_MAX_DEPTH)).toBeUndefined();
    expect(jsonBodyTooDeep(deep, 128, 'FHIR_RESOURCE_INVALID')?.code).toBe('FHIR_RESOURCE_INVALID');
  });
});
