import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES } from './errors.ts';

// docs/errors.md is the user-facing code table; it must list exactly the codes in ERROR_CODES,
// with the same HTTP status, so documentation can never drift from behaviour.
describe('error code table', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map<string, number>();
  for (const line of doc.split('\n')) {
    const m = /^\|\s*`?([A-Z][A-Z0-9_]+)`?\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (m) documented.set(m[1]!, Number(m[2]));
  }

  it('documents every code with its status', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(documented.get(code), `docs/errors.md is missing ${code}`).toBe(info.status);
    }
  });

  it('documents no code that does not exist', () => {
    const extra = [...documented.keys()].filter((c) => !(c in ERROR_CODES));
    expect(extra).toEqual([]);
  });

  it('AppError carries code, status and problems', () => {
    const e = new AppError('CSV_MALFORMED', 'row 3 has 1 column', { problems: [{ row: 3, problem: 'too few columns', fix: 'quote the text' }] });
    expect(e.status).toBe(400);
    expect(e.problems?.[0]?.row).toBe(3);
  });
});
