import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.ts';

describe('agent outbox', () => {
  it('one file per id (rewriting an id keeps one item), survives a restart, drops half-written temp files, tracks size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-outbox-'));
    const a = new Outbox(dir);
    a.put('results', 'r1', { n: 1 });
    a.put('results', 'r1', { n: 1 }); // re-processing the same image after a crash
    a.put('results', 'r2', { n: 2 });
    a.put('feedback', 'f1', { data: 'x'.repeat(100) });
    writeFileSync(join(dir, 'results', 'r3.json.tmp'), '{"n":'); // a crash mid-write
    expect(a.size.counts).toEqual({ heartbeats: 0, results: 2, feedback: 1 });
    const b = new Outbox(dir);
    expect(b.size).toEqual(a.size);
    expect(readdirSync(join(dir, 'results')).sort()).toEqual(['r1.json', 'r2.json']);
    const taken = b.take<{ n: number }>('results', 10);
    expect(taken.map((t) => t.body.n)).toEqual([1, 2]);
    b.remove('results', taken[0]!.file);
    expect(b.size.counts.results).toBe(1);
    for (let i = 0; i < 5; i++) b.put('heartbeats', `hb${i}`, { i });
    b.trimHeartbeats(2);
    expect(b.take<{ i: number }>('heartbeats', 10).map((t) => t.body.i)).toEqual([3, 4]);
  });
});
