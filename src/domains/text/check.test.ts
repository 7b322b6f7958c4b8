/**
 * POST /text/classifiers/check: training's data rules as a dry run — the answer a training job would give, before
 * any job is started (200 with ok/problems; no model, no job).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../datasets/testing/harness.ts';
import { appWithCsvs } from './testing/app.ts';
import { multiClassCsv } from './testing/synthetic.ts';

let t: TestApp;
const check = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/v1/text/classifiers/check', payload: body });

beforeAll(async () => {
  // few: 20 documents per class; the import reads every row, but multi-class training needs 50 per class.
  t = await appWithCsvs({ enough: multiClassCsv(60), few: multiClassCsv(20) });
}, 60_000);
afterAll(async () => t?.close());

describe('training data check (dry run)', () => {
  it('says a dataset with too few documents per class would fail, naming the label and the fix', async () => {
    const res = await check({ dataset: 'few', mode: 'multi-class' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: false, mode: 'multi-class', documents: 60, errors: 3, dataset: { ref: 'few', version: 1 } });
    expect(body.labels).toHaveLength(3);
    const first = body.problems[0];
    expect(first).toMatchObject({ field: 'label', severity: 'error', code: 'TEXT_TOO_FEW_EXAMPLES' });
    expect(first.problem).toMatch(/has 20 documents; multi-class training needs at least 50 per label/);
    expect(first.fix).toMatch(/Add at least 30 more documents/);
    // No job was started and no model registered.
    expect((await t.ctx.queue.list({ type: 'text.train' })).items).toHaveLength(0);
  });

  it('passes the same data in multi-label mode when it meets that mode’s minimums, and a good dataset in multi-class', async () => {
    expect((await check({ dataset: 'few', mode: 'multi-label' })).json()).toMatchObject({ ok: true, errors: 0 });
    expect((await check({ dataset: 'enough', datasetVersion: 1 })).json()).toMatchObject({ ok: true, documents: 180, errors: 0 });
  });

  it('applies the test-set rule and answers 404 for an unknown dataset', async () => {
    expect((await check({ dataset: 'enough', testDataset: 'few' })).json()).toMatchObject({ ok: true });
    expect((await check({ dataset: 'nope' })).statusCode).toBe(404);
  });
});
