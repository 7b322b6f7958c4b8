import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeepNewest } from './keepNewest.ts';

const dirWith = (n: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-keep-'));
  for (let i = 0; i < n; i++) put(dir, i);
  return dir;
};
/** File `i` gets modification time 1000 + i seconds: higher i is newer. */
const put = (dir: string, i: number) => {
  writeFileSync(join(dir, `f${i}`), 'x');
  utimesSync(join(dir, `f${i}`), 1000 + i, 1000 + i);
};

describe('KeepNewest', () => {
  it('keeps a folder at exactly `keep` newest files however the additions are spread over passes', () => {
    const dir = dirWith(0);
    const k = new KeepNewest(5);
    for (let i = 0; i < 13; i++) {
      put(dir, i);
      k.added(dir);
      if (i % 3 === 0) k.prune(); // passes of uneven size
    }
    k.prune();
    expect(readdirSync(dir).sort()).toEqual(['f10', 'f11', 'f12', 'f8', 'f9']);
  });

  it('counts files already there at start, and does not touch a folder under its bound', () => {
    const dir = dirWith(4);
    const k = new KeepNewest(5);
    put(dir, 4);
    k.added(dir);
    expect(k.prune()).toBe(0);
    put(dir, 5);
    k.added(dir);
    expect(k.prune()).toBe(1);
    expect(readdirSync(dir)).not.toContain('f0');
  });

  it('a missing folder is no error', () => {
    const k = new KeepNewest(1);
    const gone = join(tmpdir(), `sb-keep-missing-${process.pid}`);
    k.added(gone);
    k.added(gone);
    expect(k.prune()).toBe(0);
  });
});
