/**
 * The CLI as a user runs it: a real `sagebrush` process on a temp embedded store. Checks the
 * scriptable contract (`--json` fields, exit codes) end to end.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliSandbox } from './testing.ts';
import { multiClassCsv } from '../domains/text/testing/synthetic.ts';

const { dir, cli, cleanup } = createCliSandbox('main');
afterAll(cleanup);

describe('sagebrush CLI (embedded store)', () => {
  it('imports a dataset, lists it and previews rows', async () => {
    const file = join(dir, 'tickets.csv');
    writeFileSync(file, multiClassCsv(60));
    const imported = await cli(['--json', 'datasets', 'import', file, '--header', 'false']);
    expect(imported.code, imported.stderr).toBe(0);
    const out = JSON.parse(imported.stdout);
    expect(out.version).toMatchObject({ rowCount: 180, status: 'ready', format: 'csv' });
    const list = JSON.parse((await cli(['--json', 'datasets', 'list'])).stdout);
    expect(list.items.map((d: { name: string }) => d.name)).toContain('tickets');
    const preview = JSON.parse((await cli(['--json', 'datasets', 'preview', 'tickets', '--limit', '2'])).stdout);
    expect(preview.rows).toHaveLength(2);
    const jobs = JSON.parse((await cli(['--json', 'jobs', 'list'])).stdout);
    expect(jobs.items[0]).toMatchObject({ type: 'datasets.import', status: 'succeeded' });
  }, 60_000);

  it('text train --json prints the metrics contract; predict writes Comprehend JSON Lines', async () => {
    const train = join(dir, 'train.csv');
    writeFileSync(train, multiClassCsv(60, 5));
    const r = await cli(['--json', 'text', 'train', train, '--mode', 'multi-class', '--name', 'support']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    for (const key of ['model', 'train_seconds', 'labels', 'accuracy', 'macro_f1', 'micro_f1', 'per_label', 'mean_auc']) expect(m).toHaveProperty(key);
    expect(m.model).toMatchObject({ name: 'support', version: 1 });
    expect(Object.keys(m.per_label.billing).sort()).toEqual(['auc', 'f1', 'precision', 'recall', 'support']);

    const input = join(dir, 'docs.txt');
    writeFileSync(input, 'refund my invoice\nparcel delivery tracking\n');
    const out = join(dir, 'results.jsonl');
    const p = await cli(['text', 'predict', 'support:1', input, '--out', out]);
    expect(p.code, p.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ File: 'docs.txt', Line: '0' });
    expect(lines[1].Classes[0].Name).toBe('shipping');
  }, 90_000);

  it('exits 1 with the error code and the fix for user errors', async () => {
    const bad = join(dir, 'few.csv');
    writeFileSync(bad, multiClassCsv(10));
    const r = await cli(['text', 'train', bad, '--mode', 'multi-class']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TEXT_TOO_FEW_EXAMPLES');
    expect(r.stderr).toMatch(/Add at least 40 more/);
    const missing = await cli(['datasets', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('DATASET_NOT_FOUND');
  }, 60_000);
});
