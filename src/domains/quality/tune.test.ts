/**
 * Decision-rule tuning through the real app: the tune job (out-of-fold thresholds, before/after report and its
 * artifacts), the decision API (validation, manual edits, reset) and the effect on what endpoints and batch jobs
 * return — including after a restart on the same data dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/types.ts';
import { multipart, upload } from '../datasets/testing/harness.ts';
import { multiClassCsv } from '../text/testing/synthetic.ts';
import { openApp, openAppWithModels, runJob, succeeded, tempDir, type OpenApp } from './testing/app.ts';
import type { TuneResult } from './tune.ts';
import type { TuningReport } from '../classifiers/tuningReport.ts';

const data = tempDir();
let t: OpenApp;

const decisionUrl = (m: string) => `/api/v1/text/models/${m}/decision`;
const classify = async (text: string, ep = 'multi-ep') => (await t.app.inject({ method: 'POST', url: `/api/v1/endpoints/${ep}/classify`, payload: { Text: text } })).json();

async function batchPredicted(model: string, lines: string[]): Promise<unknown[]> {
  const body = await multipart([{ name: 'model', value: model }, { name: 'inputFormat', value: 'one-doc-per-line' }, { name: 'file', fileName: 'in.txt', content: `${lines.join('\n')}\n` }]);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/batch-jobs', ...body });
  const job = await t.ctx.queue.wait(res.json<{ job: Job }>().job.id, { timeoutMs: 30_000 });
  const out = await t.app.inject({ method: 'GET', url: `/api/v1/text/batch-jobs/${job.id}/output?format=jsonl` });
  return out.body.trim().split('\n').map((l) => JSON.parse(l).Predicted);
}

beforeAll(async () => {
  t = await openAppWithModels(data.dir);
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'multi-ep', model: 'multi:1' } })).statusCode).toBe(201);
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'tickets-ep', model: 'tickets:1' } })).statusCode).toBe(201);
}, 60_000);

afterAll(async () => {
  await t?.close();
  data.remove();
});

describe('text.tune (multi-label)', () => {
  let result: TuneResult;

  it('tunes per-label thresholds on out-of-fold training scores and reports before/after on the test split', async () => {
    result = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/multi/versions/1/tune', { objective: 'f1' }));
    expect(Object.keys(result.thresholds!).sort()).toEqual(['account', 'billing', 'shipping']);
    for (const v of Object.values(result.thresholds!)) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    for (const m of [result.before, result.after]) {
      for (const k of ['macro_f1', 'micro_f1', 'precision_macro', 'recall_macro', 'hamming_loss', 'mean_auc', 'per_label']) expect(m).toHaveProperty(k);
    }
    Object.values(result.thresholds!).forEach((v, j) => expect(result.after.thresholds![j]).toBeCloseTo(v, 4));
    expect(result.after.n_documents).toBe(result.before.n_documents);
    expect(result.after.macro_f1).toBeGreaterThan(0.8);
    expect(result.tuneSeconds).toBeGreaterThan(0);

    const d = (await t.app.inject({ method: 'GET', url: decisionUrl('multi/versions/1') })).json();
    expect(d).toMatchObject({ mode: 'multi-label', objective: 'f1', source: 'oof-5fold', thresholdRule: 'first maximum', abstainBelow: null });
    expect(d.thresholds).toEqual(result.thresholds);
    expect(Date.parse(d.tunedAt)).toBeGreaterThan(0);
    const version = (await t.app.inject({ method: 'GET', url: '/api/v1/models/multi/versions/1' })).json();
    expect(version.meta.decision.thresholds).toHaveLength(3);
    expect(Object.keys(version.artifacts)).toEqual(expect.arrayContaining(['tuning-report.json', 'tuning-report.html', 'pr-curves.svg', 'model.bin']));
  }, 60_000);

  it('keeps the report as JSON (downsampled curves, chosen points), self-contained HTML, SVG and PNG', async () => {
    const get = (format: string) => t.app.inject({ method: 'GET', url: `/api/v1/text/models/multi/versions/1/tuning-report?format=${format}` });
    const report = (await get('json')).json<TuningReport>();
    expect(report).toMatchObject({ kind: 'tuning-report', mode: 'multi-label', objective: 'f1', folds: 5 });
    expect(report.nTrain + report.nTest).toBe(150);
    expect(report.before.macro_f1).toBe(result.before.macro_f1);
    expect(report.curves).toHaveLength(3);
    for (const c of report.curves) {
      expect(c.recall.length).toBe(c.precision.length);
      expect(c.recall.length).toBeLessThanOrEqual(200);
      expect(c.chosen!.threshold).toBe(result.thresholds![c.label]);
      expect(c.baseline!.threshold).toBe(0.5);
    }
    expect(Object.keys(report.validation)).toHaveLength(3);
    const html = await get('html');
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('<svg');
    expect(html.body).not.toMatch(/<script|<link|src="http|href="http/);
    const svg = await get('svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.body.startsWith('<svg')).toBe(true);
    const png = await get('png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const untuned = await t.app.inject({ method: 'GET', url: '/api/v1/text/models/tickets/versions/1/tuning-report' });
    expect(untuned.statusCode).toBe(404);
    expect(untuned.json().code).toBe('TUNING_REPORT_NOT_FOUND');
  });

  it('applies thresholds to the endpoint and batch Predicted at once, keeping raw scores', async () => {
    const text = 'invoice refund charged payment card bill';
    const before = await classify(text);
    expect(before.Predicted).toContain('billing');
    expect(before.Predicted).not.toContain('account');
    const put = await t.app.inject({ method: 'PUT', url: decisionUrl('multi/versions/1'), payload: { thresholds: { account: 0, billing: 1 } } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ source: 'manual', objective: 'f1' });
    expect(put.json().thresholds).toMatchObject({ account: 0, billing: 1, shipping: result.thresholds!.shipping });
    const after = await classify(text);
    expect(after.Predicted).toEqual(['account']);
    expect(after.Labels).toEqual(before.Labels);
    expect(await batchPredicted('multi:1', [text, 'parcel courier tracking delivery'])).toEqual([['account'], ['account', 'shipping']]);
  }, 30_000);

  it('rejects bad decision updates with a clear error', async () => {
    const put = (payload: unknown, m = 'multi/versions/1') => t.app.inject({ method: 'PUT', url: decisionUrl(m), payload: payload as Record<string, unknown> });
    const unknown = await put({ thresholds: { threat: 0.3 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('TEXT_UNKNOWN_LABEL');
    expect(unknown.json().detail).toContain('"threat"');
    expect(unknown.json().problems[0].fix).toContain('account, billing, shipping');
    const range = await put({ thresholds: { account: 1.5 } });
    expect(range.statusCode).toBe(400);
    expect(range.json().code).toBe('VALIDATION_FAILED');
    expect(range.json().detail).toContain('thresholds.account');
    expect((await put({ abstainBelow: 0.5 })).json().code).toBe('VALIDATION_FAILED');
    expect((await put({ thresholds: { billing: 0.4 } }, 'tickets/versions/1')).json().code).toBe('VALIDATION_FAILED');
    expect((await put({ bogus: 1 })).json().code).toBe('VALIDATION_FAILED');
    expect((await t.app.inject({ method: 'GET', url: decisionUrl('multi/versions/9') })).json().code).toBe('MODEL_NOT_FOUND');
    const badObjective = await t.app.inject({ method: 'POST', url: '/api/v1/text/models/multi/versions/1/tune', payload: { objective: 'fbeta' } });
    expect(badObjective.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('DELETE resets to the defaults (0.5 per label)', async () => {
    const del = await t.app.inject({ method: 'DELETE', url: decisionUrl('multi/versions/1') });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({ thresholds: null, abstainBelow: null, objective: null });
    const r = await classify('invoice refund charged payment card bill');
    expect(r.Predicted).toContain('billing');
    expect(r.Predicted).not.toContain('account');
  });
});

describe('text.tune (multi-class) and restarts', () => {
  it('chooses an abstain level for a target precision; a manual level makes the endpoint abstain', async () => {
    const res = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/tickets/versions/1/tune', { objective: { precision: 0.99 }, folds: 3 }));
    expect(res.thresholds).toBeNull();
    expect(res.objective).toBe('precision>=0.99');
    expect(res.after).toHaveProperty('abstained');
    expect(res.after.precision_macro).toBeGreaterThanOrEqual(res.before.precision_macro - 0.05);
    const d = (await t.app.inject({ method: 'GET', url: decisionUrl('tickets/versions/1') })).json();
    expect(d).toMatchObject({ mode: 'multi-class', source: 'oof-3fold', thresholdRule: null, thresholds: null });
    expect(d.abstainBelow).toBe(res.abstainBelow);
    await t.app.inject({ method: 'PUT', url: decisionUrl('tickets/versions/1'), payload: { abstainBelow: 0.99 } });
    const r = await classify('we it was the', 'tickets-ep');
    expect(r.Predicted).toBeNull();
    expect(r.Classes).toHaveLength(3);
  }, 60_000);

  it('rebuilds the parts of a model trained with a user test set (the test file is never tuned on)', async () => {
    expect((await upload(t.app, 'holdout.csv', multiClassCsv(10, 77), { header: 'false' })).statusCode).toBe(201);
    await succeeded(runJob(t, '/api/v1/text/classifiers', { name: 'tickets-ts', dataset: 'tickets', testDataset: 'holdout', mode: 'multi-class' }));
    const res = await succeeded<TuneResult>(runJob(t, '/api/v1/text/models/tickets-ts/versions/1/tune', { objective: 'f1', folds: 3 }));
    expect(res.before.n_documents).toBe(30);
    // F objective: per-class offsets were tuned out of fold (null when plain argmax was best) and are the stored rule
    expect(res).toHaveProperty('offsets');
    if (res.offsets) expect(Object.keys(res.offsets).sort()).toEqual(Object.keys(res.before.per_label).sort());
    expect((await t.app.inject({ method: 'GET', url: decisionUrl('tickets-ts/versions/1') })).json().offsets).toEqual(res.offsets);
    const report = (await t.app.inject({ method: 'GET', url: '/api/v1/text/models/tickets-ts/versions/1/tuning-report' })).json<TuningReport>();
    expect(report).toMatchObject({ nTrain: 180, nTest: 30, mode: 'multi-class' });
    expect(report.curves[0]!.label).toBe('answered (top class)');
  }, 60_000);

  it('keeps decision rules across a restart on the same data dir', async () => {
    await t.app.inject({ method: 'PUT', url: decisionUrl('multi/versions/1'), payload: { thresholds: { shipping: 0 } } });
    await t.close();
    t = await openApp(data.dir);
    const d = (await t.app.inject({ method: 'GET', url: decisionUrl('multi/versions/1') })).json();
    expect(d.thresholds).toEqual({ account: 0.5, billing: 0.5, shipping: 0 });
    expect((await classify('reset my password login')).Predicted).toEqual(['account', 'shipping']);
    expect((await classify('we it was the', 'tickets-ep')).Predicted).toBeNull();
  }, 30_000);
});
