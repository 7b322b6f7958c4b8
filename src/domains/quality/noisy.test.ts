/**
 * The noisy-label finder and dataset edits through the real app: planted label flips come out on top (synthetic
 * data; and jigsaw-10k with 20 planted clean ↔ toxic flips, ≥ 10 of them in the top 100), and "fix label" /
 * "drop row" write a new dataset version in the same layout while the old version stays.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/types.ts';
import { mulberry32, permutation } from '../../ml/split/prng.ts';
import { HAS_SHARED_DATA, NO_DATA_MESSAGE, SHARED_DATA, upload } from '../datasets/testing/harness.ts';
import { parseLabeledText } from '../text/formats.ts';
import { multiClassCsv } from '../text/testing/synthetic.ts';
import { applyEdits } from './edits.ts';
import type { NoisyLabelsResult } from './noisy.ts';
import { datasetEditsSchema } from './schema.ts';
import { openApp, runJob, succeeded, tempDir, type OpenApp } from './testing/app.ts';

const data = tempDir();
let t: OpenApp;

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const editsOf = (e: unknown) => datasetEditsSchema.parse(e);

async function fileOf(name: string, version: number): Promise<string> {
  return (await t.app.inject({ method: 'GET', url: `/api/v1/datasets/${name}/versions/${version}/file` })).body;
}

async function edit(name: string, version: number, body: unknown): Promise<{ statusCode: number; json: () => { job: Job; version: { version: number }; edits: Record<string, unknown>; code?: string; problems?: Array<{ row: number }> } }> {
  return t.app.inject({ method: 'POST', url: `/api/v1/datasets/${name}/versions/${version}/edits`, payload: body as Record<string, unknown> });
}

beforeAll(async () => {
  t = await openApp(data.dir);
}, 30_000);

afterAll(async () => {
  await t?.close();
  data.remove();
});

describe('noisy-label finder (synthetic, multi-class) and edits', () => {
  // 60 rows per class; flip 4 rows to another class (Comprehend CSV rows are 1-based records).
  const lines = multiClassCsv(60, 4).trim().split('\n');
  const flipped = [7, 50, 101, 160];
  for (const row of flipped) {
    const [label, ...rest] = lines[row - 1]!.split(',');
    lines[row - 1] = `${label === 'billing' ? 'account' : 'billing'},${rest.join(',')}`;
  }

  it('ranks the flipped rows first and suggests their true class', async () => {
    expect((await upload(t.app, 'tickets.csv', `${lines.join('\n')}\n`, { header: 'false' })).statusCode).toBe(201);
    const res = await succeeded<NoisyLabelsResult>(runJob(t, '/api/v1/text/experiments/noisy-labels', { dataset: 'tickets', mode: 'multi-class', top: 10, folds: 4 }));
    expect(res).toMatchObject({ mode: 'multi-class', n_rows: 180, folds: 4 });
    expect(res.rows).toHaveLength(10);
    expect(res.rows.slice(0, 4).map((r) => r.row).sort((a, b) => a - b)).toEqual(flipped);
    const first = res.rows[0]!;
    expect(Object.keys(first).sort()).toEqual(['label', 'labels', 'row', 'score', 'suggested', 'text']);
    expect(first.suggested[0]).not.toBe(first.labels[0]);
    expect(first.score).toBeGreaterThan(0.5);
  }, 60_000);

  it('"fix label" and "drop row" create a new version; the old one stays', async () => {
    const res = await edit('tickets', 1, { relabel: [{ row: 7, labels: ['billing'] }], drop: [50] });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.version.version).toBe(2);
    expect(body.edits).toMatchObject({ fromVersion: 1, format: 'comprehend-csv', dropped: 1, relabeled: 1 });
    expect((await t.ctx.queue.wait(body.job.id, { timeoutMs: 30_000 })).status).toBe('succeeded');
    const versions = (await t.app.inject({ method: 'GET', url: '/api/v1/datasets/tickets' })).json().versions.map((v: { version: number; status: string }) => [v.version, v.status]);
    expect(versions).toEqual(expect.arrayContaining([[1, 'ready'], [2, 'ready']]));
    const v1 = parseLabeledText(await fileOf('tickets', 1), { mode: 'multi-class', format: 'comprehend-csv' }).docs;
    const v2 = parseLabeledText(await fileOf('tickets', 2), { mode: 'multi-class', format: 'comprehend-csv' }).docs;
    expect(v1).toHaveLength(180);
    expect(v2).toHaveLength(179);
    expect(v2[6]).toMatchObject({ text: v1[6]!.text, labels: ['billing'] });
    expect(v2.map((d) => d.text)).not.toContain(v1[49]!.text);
    expect(v2.slice(50).map((d) => d.text)).toEqual(v1.slice(51).map((d) => d.text));
    // the new version trains like any other
    const job = await runJob(t, '/api/v1/text/classifiers', { name: 'tickets-fixed', dataset: 'tickets', datasetVersion: 2, mode: 'multi-class' });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  }, 60_000);

  it('refuses rows that are not data rows, and rows both dropped and relabeled', async () => {
    const bad = await edit('tickets', 1, { drop: [181, 3] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('DATASET_EDIT_ROW_UNKNOWN');
    expect(bad.json().problems!.map((p) => p.row)).toEqual([181]);
    expect((await edit('tickets', 1, { drop: [3], relabel: [{ row: 3, labels: ['billing'] }] })).json().code).toBe('DATASET_EDIT_ROW_UNKNOWN');
    expect((await edit('tickets', 1, {})).json().code).toBe('VALIDATION_FAILED');
    expect((await edit('nope', 1, { drop: [1] })).json().code).toBe('DATASET_NOT_FOUND');
  });
});

describe('dataset edits keep each layout', () => {
  it('wide CSV: relabels through the 0/1 columns (noneLabel clears them) and keeps other columns', () => {
    const csv = 'id,comment_text,toxic,threat\n1,"hello, there",0,0\n2,you are bad,1,0\n3,"I will ""find"" you",1,1\n';
    // row 1 is the header, as in the parser (LabeledDocument.row): id 2 is row 3
    const out = applyEdits(csv, editsOf({ relabel: [{ row: 3, labels: ['clean'] }, { row: 4, labels: ['threat'] }], drop: [] }));
    expect(out.format).toBe('wide-csv');
    expect(out.content).toBe('id,comment_text,toxic,threat\n1,"hello, there",0,0\n2,you are bad,0,0\n3,"I will ""find"" you",0,1\n');
    expect(applyEdits(csv, editsOf({ drop: [3] })).content).toBe('id,comment_text,toxic,threat\n1,"hello, there",0,0\n3,"I will ""find"" you",1,1\n');
    expect(() => applyEdits(csv, editsOf({ relabel: [{ row: 3, labels: ['insult'] }] }))).toThrow(/insult/);
    expect(() => applyEdits(csv, editsOf({ drop: [1] }))).toThrow(/row 1 is not a data row/);
  });

  it('Comprehend CSV (multi-label delimiter) and JSON Lines', () => {
    const out = applyEdits('a|b,first text\nb,"second, text"\n', editsOf({ relabel: [{ row: 2, labels: ['a', 'c'] }] }));
    expect(out.content).toBe('a|b,first text\na|c,"second, text"\n');
    const jsonl = '{"text":"one","labels":["x"]}\n\n{"text":"two","label":"y","id":7}\n{"text":"three","label":"y"}\n';
    const j = applyEdits(jsonl, editsOf({ relabel: [{ row: 3, labels: ['x'] }, { row: 4, labels: ['x', 'y'] }], drop: [1] }));
    expect(j.format).toBe('jsonl');
    expect(j.content.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ text: 'two', label: 'x', id: 7 }, { text: 'three', labels: ['x', 'y'] }]);
    expect(() => applyEdits(jsonl, editsOf({ drop: [2] }))).toThrow(/row 2/);
    expect(() => applyEdits('{"source":"a","l":0,"l-metadata":{"class-name":"x"}}\n', editsOf({ drop: [1] }))).toThrow(/manifest/i);
  });
});

describe.skipIf(!HAS_SHARED_DATA)('noisy-label finder on jigsaw-10k with planted flips', () => {
  const FILE = join(SHARED_DATA, 'jigsaw-toxic-balanced-10k', 'train_10k.csv.gz');

  it('finds at least 10 of 20 planted flips in the top 100 (2,000-row subset)', async () => {
    expect(existsSync(FILE)).toBe(true);
    const records = parse(gunzipSync(readFileSync(FILE)).toString('utf8'), { relax_column_count: true }) as string[][];
    const header = records[0]!;
    const rows = records.slice(1).filter((r) => r.length === header.length && r[1]!.trim() !== '');
    const col = (name: string) => header.indexOf(name);
    const labelCols = header.slice(2).map(col);
    const subset = Array.from(permutation(rows.length, mulberry32(3)).slice(0, 2000), (i) => [...rows[i]!]);
    // Plant 20 flips: 10 clean rows marked toxic, 10 toxic+obscene rows marked clean (all label columns 0).
    const planted = new Set<number>();
    let toToxic = 0, toClean = 0;
    for (const i of permutation(subset.length, mulberry32(11))) {
      const r = subset[i]!;
      const clean = labelCols.every((c) => r[c] === '0');
      if (toToxic < 10 && clean) { r[col('toxic')] = '1'; planted.add(i + 2); toToxic++; }
      else if (toClean < 10 && r[col('toxic')] === '1' && r[col('obscene')] === '1') { for (const c of labelCols) r[c] = '0'; planted.add(i + 2); toClean++; }
      if (planted.size === 20) break;
    }
    const csv = [header, ...subset].map((r) => r.map(csvField).join(',')).join('\n');
    expect((await upload(t.app, 'jigsaw-noisy.csv', csv)).statusCode).toBe(201);
    const res = await succeeded<NoisyLabelsResult>(runJob(t, '/api/v1/text/experiments/noisy-labels', { dataset: 'jigsaw-noisy', mode: 'multi-label', format: 'wide-csv', top: 100 }, 120_000));
    const found = res.rows.filter((r) => planted.has(r.row));
    console.log(`noisy-label finder: ${found.length} of 20 planted flips in the top 100 of ${res.n_rows} rows (${res.seconds} s)`);
    expect(found.length).toBeGreaterThanOrEqual(10);
    // Fix them: drop the found rows → version 2 has fewer rows, version 1 is unchanged.
    const e = await edit('jigsaw-noisy', 1, { drop: found.map((r) => r.row), format: 'wide-csv' });
    expect(e.statusCode).toBe(202);
    expect((await t.ctx.queue.wait(e.json().job.id, { timeoutMs: 30_000 })).status).toBe('succeeded');
    expect(parseLabeledText(await fileOf('jigsaw-noisy', 2), { mode: 'multi-label', format: 'wide-csv' }).docs).toHaveLength(2000 - found.length);
    expect(parseLabeledText(await fileOf('jigsaw-noisy', 1), { mode: 'multi-label', format: 'wide-csv' }).docs).toHaveLength(2000);
  }, 120_000);
});

if (!HAS_SHARED_DATA) console.warn(NO_DATA_MESSAGE);
