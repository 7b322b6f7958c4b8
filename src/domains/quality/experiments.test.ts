/** The sweep and learning-curve jobs through the real app: points on a fixed test split, charts, kept models, cancellation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/types.ts';
import { upload } from '../datasets/testing/harness.ts';
import { multiLabelCsv } from '../text/testing/synthetic.ts';
import type { LearningCurveResult, SweepResult } from './experiments.ts';
import { openApp, runJob, succeeded, tempDir, type OpenApp } from './testing/app.ts';

const data = tempDir();
let t: OpenApp;

beforeAll(async () => {
  t = await openApp(data.dir);
  expect((await upload(t.app, 'multi.csv', multiLabelCsv(200, 3), { header: 'false' })).statusCode).toBe(201);
}, 30_000);

afterAll(async () => {
  await t?.close();
  data.remove();
});

describe('oversampling sweep', () => {
  it("trains one model per N of the label's positives and charts its precision / recall / F1", async () => {
    const res = await succeeded<SweepResult>(runJob(t, '/api/v1/text/experiments/sweep', {
      dataset: 'multi', mode: 'multi-label', label: 'shipping', positives: [200, 5, 20], keepModels: true, name: 'sweep-shipping',
    }));
    expect(res).toMatchObject({ label: 'shipping', method: 'oversample' });
    expect(res.n_train + res.n_test).toBe(200);
    expect(Math.abs(res.n_test - 40)).toBeLessThanOrEqual(4);
    expect(res.points.map((p) => p.n)).toEqual([5, 20, 200]);
    const avail = res.available_positives;
    expect(avail).toBeGreaterThan(20);
    expect(res.points[0]).toMatchObject({ positives_unique: 5, positives_trained: 5 });
    expect(res.points[2]).toMatchObject({ positives_unique: avail, positives_trained: 200 });
    expect(res.points[2]!.n_train).toBe(res.n_train - avail + 200);
    for (const p of res.points) for (const k of ['precision', 'recall', 'f1', 'macro_f1', 'micro_f1', 'auc'] as const) expect(p[k]).toBeGreaterThanOrEqual(0);
    expect(res.points[2]!.f1).toBeGreaterThan(0.8);
    expect(res.chartSvg.startsWith('<svg')).toBe(true);
    expect(res.chartSvg).toContain('shipping F1');
    const models = (await t.app.inject({ method: 'GET', url: '/api/v1/models?name=sweep-shipping' })).json().items;
    expect(models).toHaveLength(3);
    expect(models.map((m: { params: { experiment: { n: number } } }) => m.params.experiment.n).sort((a: number, b: number) => a - b)).toEqual([5, 20, 200]);
    const jobs = (await t.app.inject({ method: 'GET', url: '/api/v1/jobs?type=text.sweep' })).json().items as Job[];
    const svg = await t.app.inject({ method: 'GET', url: `/api/v1/text/experiments/${jobs[0]!.id}/chart` });
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    const png = await t.app.inject({ method: 'GET', url: `/api/v1/text/experiments/${jobs[0]!.id}/chart?format=png` });
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);

  it('class-weight method: balanced weights instead of duplicates; discards models by default', async () => {
    const res = await succeeded<SweepResult>(runJob(t, '/api/v1/text/experiments/sweep', { dataset: 'multi', mode: 'multi-label', label: 'billing', positives: [10, 500], method: 'class-weight' }));
    expect(res.points[1]).toMatchObject({ n: 500, positives_trained: res.available_positives });
    expect(res.points.every((p) => p.model === undefined)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/models?name=multi-sweep-billing' })).json().items).toEqual([]);
  }, 60_000);

  it('fails with TEXT_UNKNOWN_LABEL for a label the data lacks; can be cancelled', async () => {
    const bad = await runJob(t, '/api/v1/text/experiments/sweep', { dataset: 'multi', mode: 'multi-label', label: 'threat', positives: [10] });
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('TEXT_UNKNOWN_LABEL');
    expect(bad.error?.message).toContain('account, billing, shipping');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/experiments/sweep', payload: { dataset: 'multi', mode: 'multi-label', label: 'billing', positives: Array.from({ length: 20 }, (_, i) => 100 * (i + 1)) } });
    const id = res.json<{ job: Job }>().job.id;
    await new Promise<void>((resolve) => {
      const stop = t.ctx.queue.subscribe((e) => {
        if (e.message.startsWith('N = ') || ['succeeded', 'failed', 'cancelled'].includes(e.status)) { stop(); resolve(); }
      }, id);
    });
    await t.app.inject({ method: 'POST', url: `/api/v1/jobs/${id}/cancel` });
    const done = await t.ctx.queue.wait(id, { timeoutMs: 30_000 });
    expect(done.status).toBe('cancelled');
    const chart = await t.app.inject({ method: 'GET', url: `/api/v1/text/experiments/${id}/chart` });
    expect(chart.json().code).toBe('CONFLICT');
  }, 60_000);
});

describe('learning curve', () => {
  it('measures macro/micro F1 and mean AUC on nested fractions of the training part', async () => {
    const res = await succeeded<LearningCurveResult>(runJob(t, '/api/v1/text/experiments/learning-curve', { dataset: 'multi', mode: 'multi-label', fractions: [1, 0.25, 0.5] }));
    expect(res.points.map((p) => p.fraction)).toEqual([0.25, 0.5, 1]);
    expect(res.points.map((p) => p.n_train)).toEqual([0.25, 0.5, 1].map((f) => Math.ceil(f * res.n_train)));
    for (const p of res.points) expect(Object.keys(p).sort()).toEqual(['fraction', 'macro_f1', 'mean_auc', 'micro_f1', 'n_train', 'train_seconds']);
    expect(res.points[2]!.macro_f1).toBeGreaterThan(0.8);
    expect(res.chartSvg).toContain('Learning curve');
  }, 60_000);
});
