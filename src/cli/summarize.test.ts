/** `sagebrush summarize` as a user runs it: a real process on a temp embedded store, extractive engine. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliSandbox } from './testing.ts';

const { dir, cli, cleanup } = createCliSandbox('sum');
afterAll(cleanup);

const DOC = `# Reef survey

## Background
Coral reefs cover less than one percent of the ocean floor. Reefs support a quarter of all marine species. In this study, we measured bleaching on forty reefs over ten years.

## Results
Bleaching increased on thirty of the forty reefs. Reefs in shallow water bleached most often. Recovery took five years on average.

## Conclusions
Warming water is bleaching most reefs, and shallow reefs recover slowly.
`;

describe('sagebrush summarize', () => {
  it('writes summary.md with the extractive engine and reports the run on stderr', async () => {
    const file = join(dir, 'reefs.md');
    writeFileSync(file, DOC);
    const out = join(dir, 'summary.md');
    const r = await cli(['summarize', file, '--extractive', '--words', '25', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('Warming water is bleaching most reefs');
    expect(md).toMatch(/^<!-- Summary of reefs\.md \(extractive;/);
    expect(r.stderr).toMatch(/\d+ words → \d+ words · extractive · 1 chunk\(s\), 0 LLM call\(s\)/);
  }, 60_000);

  it('--json prints the result contract; bad input exits 1 with the code', async () => {
    const file = join(dir, 'docs.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'a', text: DOC })}\n${JSON.stringify({ id: 'b', text: 'A single sentence about the weather in Lisbon in May.' })}\n`);
    const r = await cli(['--json', 'summarize', file, '--words', '20']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ engine: 'extractive', chunks: 2, tokenMax: null, llmCalls: 0 });
    expect(j.documents.map((d: { id: string }) => d.id)).toEqual(['a', 'b']);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"x"}\n');
    const e = await cli(['summarize', bad]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('JSONL_MALFORMED');
    expect(e.stderr).toMatch(/row 1, field text: no "text" string → Give each line a "text" field/);
    const noEp = await cli(['summarize', file, '--endpoint', 'missing']);
    expect(noEp.code).toBe(1);
    expect(noEp.stderr).toContain('ENDPOINT_NOT_FOUND');
  }, 60_000);
});
