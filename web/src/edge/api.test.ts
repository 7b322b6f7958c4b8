import { describe, expect, it } from 'vitest';
import { ago } from './api.ts';

describe('edge page helpers', () => {
  it('says how long ago a device was seen', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(ago(null, now)).toBe('never');
    expect(ago('2026-01-01T11:59:48Z', now)).toBe('12 s ago');
    expect(ago('2026-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(ago('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
  });
});
