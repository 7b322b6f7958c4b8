/**
 * Text classification through the real app in-process: upload → train job → model registry →
 * Comprehend-shaped outputs (output.tar.gz, batch JSON Lines, real-time classify) → evaluation.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/types.ts';
import { multipart, upload, type TestApp } from '../datasets/testing/harness.ts';
import { appWithCsvs } from './testing/app.ts';
import { multiClassCsv, multiLabelCsv, syntheticSentence } from './testing/synthetic.ts';
import { mulberry32 } from '../../ml/split/prng.ts';
import { makeZip } from '../datasets/testing/zip-writer.ts';

let t: TestApp;

async function trainJob(body: Record<string, unknown>): Promise<Job> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/classifiers', payload: body });
  expect(res.statusCode, res.body).toBe(202);
  return t.ctx.queue.wait(res.json<{ job: Job }>().job.id, { timeoutMs: 60_000 });
}

/** Minimal tar reader: name → content of each regular file. */
function untar(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let off = 0; off + 512 <= buf.length; ) {
    const name = buf.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(buf.subarray(off + 124, off + 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    out[name] = buf.subarray(off + 512, off + 512 + size).toString('utf8');
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

beforeAll(async () => {
  t = await appWithCsvs({ tickets: multiClassCsv(60), multi: multiLabelCsv(150) });
}, 60_000);
afterAll(async () => t?.close());

describe('text classifier training', () => {
  let model: { name: string; version: number };

  it('trains a multi-class model and registers a version with Comprehend metrics', async () => {
    const job = await trainJob({ name: 'tickets', dataset: 'tickets', mode: 'multi-class' });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const result = job.result as { model: { name: string; version: number }; metrics: Record<string, unknown> };
    model = result.model;
    expect(model).toMatchObject({ name: 'tickets', version: 1 });
    const m = result.metrics as { accuracy: number; macro_f1: number; per_label: Record<string, { f1: number; support: number; auc: number }>; confusion_matrix: number[][]; n_test: number };
    expect(m.accuracy).toBeGreaterThan(0.9);
    expect(Object.keys(m.per_label).sort()).toEqual(['account', 'billing', 'shipping']);
    expect(m.per_label.billing!.support).toBe(12); // 20 % of 60, stratified
    expect(m.confusion_matrix).toHaveLength(3);
    expect(m.confusion_matrix.flat().reduce((a, b) => a + b, 0)).toBe(m.n_test);

    const version = (await t.app.inject({ method: 'GET', url: '/api/v1/models/tickets/versions/1' })).json();
    expect(version).toMatchObject({ name: 'tickets', version: 1, kind: 'text-classifier', status: 'ready' });
    expect(version.params).toMatchObject({ mode: 'multi-class', labels: ['account', 'billing', 'shipping'] });
    expect(version.datasetVersionId).toMatch(/^dsv_|^[\w]+$/);
    expect(Object.keys(version.artifacts).sort()).toEqual(['metrics.json', 'model.bin', 'output.tar.gz', 'split.json']);
  }, 60_000);

  it('writes output.tar.gz with confusion_matrix.json in Comprehend layout', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/models/tickets/versions/1/artifacts/output.tar.gz' });
    expect(res.statusCode).toBe(200);
    const files = untar(gunzipSync(res.rawPayload));
    const cm = JSON.parse(files['output/confusion_matrix.json']!);
    expect(Object.keys(cm).sort()).toEqual(['all_labels', 'confusion_matrix', 'labels', 'type']);
    expect(cm.type).toBe('multi_class');
    expect(cm.labels).toEqual(['account', 'billing', 'shipping']);
    expect(cm.confusion_matrix.every((row: number[]) => row.length === 3)).toBe(true);
    expect(JSON.parse(files['output/metrics.json']!).macro_f1).toBeGreaterThan(0.9);
  });

  it('trains multi-label with per-label 2×2 matrices and hamming loss', async () => {
    const job = await trainJob({ name: 'multi', dataset: 'multi', mode: 'multi-label' });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const m = (job.result as { metrics: { hamming_loss: number; confusion_matrix: number[][][]; micro_f1: number; mean_auc: number } }).metrics;
    expect(m.hamming_loss).toBeLessThan(0.2);
    expect(m.confusion_matrix).toHaveLength(3);
    expect(m.confusion_matrix[0]).toHaveLength(2);
    expect(m.mean_auc).toBeGreaterThan(0.9);
    const files = untar(gunzipSync((await t.app.inject({ method: 'GET', url: '/api/v1/models/multi/versions/1/artifacts/output.tar.gz' })).rawPayload));
    expect(JSON.parse(files['output/confusion_matrix.json']!).type).toBe('multi_label');
  }, 60_000);

  it('fails the job with the rule code and row-level problems on invalid data, registering nothing', async () => {
    await upload(t.app, 'small.csv', multiClassCsv(20), { header: 'false' });
    const job = await trainJob({ name: 'small', dataset: 'small', mode: 'multi-class' });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('TEXT_TOO_FEW_EXAMPLES');
    expect(job.error?.problems?.[0]?.fix).toMatch(/Add at least 30 more/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/models?name=small' })).json().items).toEqual([]);
  }, 30_000);

  it('rejects a bad request before queueing', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/classifiers', payload: { name: 'x', dataset: 'nope', mode: 'multi-class' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('DATASET_NOT_FOUND');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/text/classifiers', payload: { name: 'x', dataset: 'tickets', mode: 'sideways' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });

  describe('real-time endpoint', () => {
    it('classifies one text or up to 25 in Comprehend shape', async () => {
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'tickets-ep', model: 'tickets:1' } });
      expect(created.statusCode, created.body).toBe(201);
      const rng = mulberry32(9);
      const one = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/tickets-ep/classify', payload: { Text: syntheticSentence('shipping', () => rng.next()) } });
      expect(one.statusCode).toBe(200);
      const body = one.json();
      expect(Object.keys(body).sort()).toEqual(['Classes', 'Predicted']);
      expect(body.Classes).toHaveLength(3);
      expect(Object.keys(body.Classes[0]).sort()).toEqual(['Name', 'Score']);
      expect(body.Classes[0].Name).toBe('shipping');
      expect(body.Predicted).toBe('shipping');
      const many = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/tickets-ep/classify', payload: { TextList: ['refund my invoice payment', '', 'reset my password login'] } });
      const list = many.json();
      expect(list.ResultList.map((r: { Index: number }) => r.Index)).toEqual([0, 2]);
      expect(list.ErrorList).toEqual([expect.objectContaining({ Index: 1, ErrorCode: 'TEXT_INVALID' })]);
      const tooMany = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/tickets-ep/classify', payload: { TextList: Array(26).fill('x') } });
      expect(tooMany.json().code).toBe('VALIDATION_FAILED');
      const oversize = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/tickets-ep/classify', payload: { Text: 'x'.repeat(10 * 1024 + 1) } });
      expect(oversize.json().problems[0].fix).toMatch(/batch job/);
    });

    it('refuses to delete a model version an endpoint uses', async () => {
      const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/models/tickets/versions/1' });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('IN_USE');
      expect(res.json().detail).toContain('tickets-ep');
    });

    it('answers 404 ENDPOINT_NOT_FOUND for an unknown endpoint and 409 for a duplicate name', async () => {
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/nope/classify', payload: { Text: 'x' } })).json().code).toBe('ENDPOINT_NOT_FOUND');
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'tickets-ep', model: 'tickets' } })).json().code).toBe('ALREADY_EXISTS');
    });
  });

  describe('batch analysis', () => {
    async function runBatch(fileName: string, content: Buffer | string, fields: Record<string, string>): Promise<{ job: Job; lines: Array<Record<string, unknown>> }> {
      const body = await multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', fileName, content }]);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/batch-jobs', ...body });
      expect(res.statusCode, res.body).toBe(202);
      const job = await t.ctx.queue.wait(res.json<{ job: Job }>().job.id, { timeoutMs: 30_000 });
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      const out = await t.app.inject({ method: 'GET', url: `/api/v1/text/batch-jobs/${job.id}/output?format=jsonl` });
      return { job, lines: out.body.trim().split('\n').map((l) => JSON.parse(l)) };
    }

    it('one document per line → {File, Line, Classes} in input order, bad lines as error entries', async () => {
      const input = 'refund for my invoice payment\r\n\nmy parcel courier delivery\nreset password\u2028now\n';
      const { lines } = await runBatch('docs.txt', input, { model: 'tickets', inputFormat: 'one-doc-per-line' });
      expect(lines.map((l) => l.Line)).toEqual(['0', '1', '2', '3']);
      expect(lines[0]).toMatchObject({ File: 'docs.txt', Line: '0' });
      expect((lines[0]!.Classes as Array<{ Name: string }>)[0]!.Name).toBe('billing');
      expect(lines[1]).toMatchObject({ ErrorCode: 'EMPTY_DOCUMENT' });
      expect(lines[3]).toMatchObject({ ErrorCode: 'INVALID_DOCUMENT' });
      expect((lines[2]!.Classes as Array<{ Name: string }>)[0]!.Name).toBe('shipping');
    });

    it('multi-label models write Labels; CSV input reads the text column', async () => {
      const { lines } = await runBatch('in.csv', 'id,text\n1,invoice refund card\n2,"login, password reset"\n', { model: 'multi', inputFormat: 'csv', column: 'text' });
      expect(lines).toHaveLength(2);
      expect(Object.keys(lines[0]!).sort()).toEqual(['File', 'Labels', 'Line', 'Predicted']);
      expect(lines[1]!.Predicted).toContain('account');
    });

    it('one document per file from a zip; the output tar holds the JSON Lines', async () => {
      const zip = makeZip([{ name: 'a.txt', data: 'refund invoice payment card' }, { name: 'docs/b.txt', data: 'tracking parcel shipped box' }]);
      const { job, lines } = await runBatch('docs.zip', zip, { model: 'tickets', inputFormat: 'one-doc-per-file' });
      expect(lines.map((l) => l.File)).toEqual(['a.txt', 'docs/b.txt']);
      expect(lines[0]).not.toHaveProperty('Line');
      const tar = await t.app.inject({ method: 'GET', url: `/api/v1/text/batch-jobs/${job.id}/output?format=tar.gz` });
      expect(untar(gunzipSync(tar.rawPayload))['predictions.jsonl']!.trim().split('\n')).toHaveLength(2);
    });
  });

  it('evaluates a model on another labeled dataset, rejecting unknown labels', async () => {
    await upload(t.app, 'holdout.csv', multiClassCsv(10, 77), { header: 'false' });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/evaluations', payload: { model: 'tickets', dataset: 'holdout', mode: 'multi-class' } });
    const job = await t.ctx.queue.wait(res.json<{ job: Job }>().job.id, { timeoutMs: 30_000 });
    expect(job.status).toBe('succeeded');
    expect((job.result as { metrics: { accuracy: number; n_documents: number } }).metrics).toMatchObject({ n_documents: 30 });
    await upload(t.app, 'other.csv', multiClassCsv(5, 3).replace(/^billing/gm, 'refunds'), { header: 'false' });
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/text/evaluations', payload: { model: 'tickets', dataset: 'other', mode: 'multi-class' } });
    const failed = await t.ctx.queue.wait(bad.json<{ job: Job }>().job.id, { timeoutMs: 30_000 });
    expect(failed.error?.code).toBe('TEXT_UNKNOWN_LABEL');
  }, 60_000);
});
