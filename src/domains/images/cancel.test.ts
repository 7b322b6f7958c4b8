/**
 * A user's cancel of an image build is recorded as cancelled — on the job and on the model version the build
 * created — not as a failure; and the build's stages are in its job log (withStageLog).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../datasets/testing/harness.ts';
import { HAS_HAM, hamApp, NO_HAM_MESSAGE } from './testing.ts';

if (!HAS_HAM) console.warn(NO_HAM_MESSAGE);

describe.skipIf(!HAS_HAM)('cancelling an image build', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await hamApp();
  }, 120_000);
  afterAll(async () => t?.close());

  it('ends the job and the model version as cancelled, with the stages logged', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images/models', payload: { name: 'stopped', dataset: 'ham', build: 'quick' } });
    expect(res.statusCode, res.body).toBe(202);
    const { job } = res.json<{ job: { id: string } }>();
    // Cancel once the build is embedding images (running, past reading and checking).
    await expect.poll(async () => { const j = await t.ctx.queue.get(job.id); return j.status === 'running' && j.progress > 0.04; }, { timeout: 60_000, interval: 50 }).toBe(true);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel` })).statusCode).toBe(200);
    const done = await t.ctx.queue.wait(job.id, { timeoutMs: 60_000 });
    expect(done.status).toBe('cancelled');
    expect(done.error).toBeNull();
    const model = (await t.app.inject({ method: 'GET', url: '/api/v1/models/stopped/versions/1' })).json<{ status: string }>();
    expect(model.status).toBe('cancelled');
    const logs = (await t.ctx.queue.logs(job.id)).map((l) => l.message);
    expect(logs.slice(0, 2)).toEqual(['reading the dataset', 'checking 170 images']);
    expect(logs.some((m) => m.startsWith('embedding '))).toBe(true);
  }, 120_000);
});
