/**
 * Pipeline runs through the real app (issue 14): the example pipeline on a small real text dataset registers the
 * model when macro F1 clears the parameter, waits for approval and deploys on approval; lineage both ways; a second
 * run reuses cached steps; a false condition skips registration; unknown parameters are refused; retries, timeouts,
 * cancel and a command step from the scripts folder (and not from outside it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, problem, upload, type TestApp } from '../datasets/testing/harness.ts';
import { multiClassCsv } from '../text/testing/synthetic.ts';
import type { PipelineRun } from './schema.ts';
import { exampleDefinition, finished, settled, stepOf, waitForRun } from './testing.ts';

const PARAMS = { dataset: 'tickets', mode: 'multi-class', modelName: 'tickets-clf', endpoint: 'tickets', minF1: 0.1 };

describe('pipeline runs', () => {
  let t: TestApp;
  let attempts = 0;
  const scripts = join(tmpdir(), `sb-pipeline-scripts-${process.pid}`);
  beforeAll(async () => {
    mkdirSync(scripts, { recursive: true });
    writeFileSync(join(scripts, 'double.mjs'), `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const i=JSON.parse(s);console.error('doubling '+i.n);console.log(JSON.stringify({doubled:i.n*2}))});`);
    t = await createTestApp({ pipelineScriptsDir: scripts });
    await t.ctx.services.pipelines.start(); // as `serve` does when it listens (an injected app starts no orchestrator)
    const up = await upload(t.app, 'tickets.csv', multiClassCsv(60), { header: 'false' });
    expect(up.statusCode, up.body).toBe(201);
    const q = t.ctx.queue;
    // Ad-hoc job types (not in JobTypes) for the retry, timeout and cancel cases.
    const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((res, rej) => {
      const timer = setTimeout(res, ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), rej(signal.reason as Error)), { once: true });
    });
    q.register({ type: 'test.sleep', payload: z.object({ ms: z.number() }), result: z.object({ slept: z.number() }), run: async ({ job, signal }) => (await sleep(job.payload.ms as number, signal), { slept: job.payload.ms as number }) });
    q.register({ type: 'test.flaky', payload: z.object({}), result: z.object({ attempt: z.number() }), run: async () => { attempts++; if (attempts < 2) throw new Error('flaky'); return { attempt: attempts }; } });
  }, 90_000);
  afterAll(async () => t?.close());

  const inject = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url: `/api/v1${url}`, payload });
  const start = async (name: string, params: object): Promise<PipelineRun> => {
    const res = await inject('POST', `/pipelines/${name}/runs`, { params });
    expect(res.statusCode, res.body).toBe(202);
    return res.json<PipelineRun>();
  };
  const apply = async (def: object) => {
    const res = await inject('POST', '/pipelines', def);
    expect(res.statusCode, res.body).toBeLessThan(300);
  };

  it('runs the example: trains, evaluates, registers above minF1, waits for approval, deploys once approved; lineage both ways', async () => {
    await apply(exampleDefinition());
    const started = await start('retrain-text-classifier', PARAMS);
    expect(started).toMatchObject({ pipeline: 'retrain-text-classifier', version: 1, trigger: { type: 'manual' }, params: PARAMS });
    const waiting = await waitForRun(t.app, started.id, settled);
    expect(waiting.status, JSON.stringify(waiting.steps)).toBe('waiting');
    expect(Object.fromEntries(waiting.steps.map((s) => [s.name, s.status]))).toEqual({
      data: 'succeeded', train: 'succeeded', evaluate: 'succeeded', 'check-f1': 'succeeded', register: 'succeeded', approve: 'waiting', deploy: 'pending', champion: 'pending', 'too-weak': 'skipped',
    });
    expect(stepOf(waiting, 'train')).toMatchObject({ cached: false, worker: expect.stringMatching(/\/\d+$/), jobId: expect.any(String), seconds: expect.any(Number) });
    const model = (stepOf(waiting, 'train').outputs as { model: { id: string; name: string; version: number } }).model;
    expect(model).toMatchObject({ name: 'tickets-clf', version: 1 });
    expect(stepOf(waiting, 'register').outputs).toMatchObject({ approval: 'PendingManualApproval' });

    await t.ctx.services.registry.setApproval(model.id, { status: 'Approved' }, 'reviewer');
    const done = await waitForRun(t.app, started.id, finished);
    expect(done.status, JSON.stringify(done.steps)).toBe('succeeded');
    expect(stepOf(done, 'deploy').outputs).toEqual({ endpoint: { name: 'tickets' }, model: { id: model.id, name: 'tickets-clf', version: 1 } });
    expect((await inject('GET', '/endpoints/tickets')).json()).toMatchObject({ model: { name: 'tickets-clf', version: 1 } });
    expect(stepOf(done, 'champion').outputs).toMatchObject({ alias: 'champion', model: { version: 1 } });
    expect((await t.ctx.services.registry.aliases('tickets-clf')).map((a) => [a.alias, a.version])).toEqual([['champion', 1]]);

    const versionId = (stepOf(done, 'data').outputs as { versionId: string }).versionId;
    const down = (await inject('GET', `/pipelines/lineage?kind=dataset-version&id=${versionId}`)).json<{ downstream: Array<{ kind: string; id: string }> }>();
    expect(down.downstream).toEqual(expect.arrayContaining([{ kind: 'run', id: started.id }, { kind: 'model-version', id: model.id }, { kind: 'endpoint', id: 'tickets' }]));
    const up = (await inject('GET', '/pipelines/lineage?kind=endpoint&id=tickets')).json<{ upstream: Array<{ kind: string; id: string }> }>();
    expect(up.upstream).toEqual(expect.arrayContaining([{ kind: 'model-version', id: model.id }, { kind: 'run', id: started.id }, { kind: 'dataset-version', id: versionId }]));
    const logs = (await inject('GET', `/pipelines/runs/${started.id}/logs?step=deploy`)).json<{ items: Array<{ step: string; message: string }> }>().items;
    expect(logs.map((l) => l.message)).toContain('endpoint tickets created on tickets-clf:1');
  }, 120_000);

  it('reuses cached steps on a second run with the same inputs, and skips registration when the condition is false', async () => {
    const again = await waitForRun(t.app, (await start('retrain-text-classifier', PARAMS)).id, finished);
    expect(again.status).toBe('succeeded');
    expect(Object.fromEntries(again.steps.map((s) => [s.name, s.cached]))).toMatchObject({ data: false, train: true, evaluate: true, 'check-f1': false });
    expect(stepOf(again, 'train')).toMatchObject({ jobId: null, worker: null });
    expect(stepOf(again, 'register').outputs).toMatchObject({ model: { version: 1 }, approval: 'Approved' });

    const strict = await waitForRun(t.app, (await start('retrain-text-classifier', { ...PARAMS, minF1: 1.01 })).id, finished);
    expect(strict.status).toBe('failed');
    expect(Object.fromEntries(strict.steps.map((s) => [s.name, s.status]))).toMatchObject({ 'check-f1': 'succeeded', register: 'skipped', approve: 'skipped', deploy: 'skipped', champion: 'skipped', 'too-weak': 'failed' });
    expect(stepOf(strict, 'check-f1').outputs).toEqual({ result: false });
    expect(strict.error).toMatchObject({ code: 'PIPELINE_FAIL_STEP', step: 'too-weak', message: expect.stringMatching(/^macro F1 [\d.]+ is below minF1 1\.01: not registered$/) });
  }, 120_000);

  it('refuses unknown or mistyped parameters (PIPELINE_PARAM_INVALID naming each) and creates no run', async () => {
    const before = (await inject('GET', '/pipelines/runs')).json<{ items: unknown[] }>().items.length;
    const res = await inject('POST', '/pipelines/retrain-text-classifier/runs', { params: { dataset: 'tickets', minF1: 'high', epochs: 3 } });
    expect(res.statusCode).toBe(400);
    expect(problem(res)).toMatchObject({ code: 'PIPELINE_PARAM_INVALID' });
    expect(problem(res).problems!.map((p) => p.field).sort()).toEqual(['params.epochs', 'params.minF1']);
    expect((await inject('GET', '/pipelines/runs')).json<{ items: unknown[] }>().items).toHaveLength(before);
  });

  it('retries a failed step with backoff, times a slow one out, and cancels a run with its running job', async () => {
    await apply({ name: 'flaky', steps: [{ name: 'f', type: 'job', jobType: 'test.flaky', retries: 2, retryBackoffSeconds: 0.1 }] });
    const flaky = await waitForRun(t.app, (await start('flaky', {})).id, finished);
    expect(flaky.status).toBe('succeeded');
    expect(stepOf(flaky, 'f')).toMatchObject({ attempts: 2, outputs: { attempt: 2 } });

    await apply({ name: 'slow', steps: [{ name: 's', type: 'job', jobType: 'test.sleep', inputs: { ms: 20_000 }, timeoutSeconds: 0.5, cache: false }] });
    const slow = await waitForRun(t.app, (await start('slow', {})).id, finished, 20_000);
    expect(slow).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_STEP_TIMEOUT', step: 's' } });

    await apply({ name: 'long', steps: [{ name: 'wait', type: 'job', jobType: 'test.sleep', inputs: { ms: 30_000 }, cache: false }, { name: 'after', type: 'fail', dependsOn: ['wait'], inputs: { message: 'never' } }] });
    const run = await start('long', {});
    const running = await waitForRun(t.app, run.id, (r) => stepOf(r, 'wait').status === 'running');
    const cancelled = (await inject('POST', `/pipelines/runs/${run.id}/cancel`)).json<PipelineRun>();
    expect(cancelled.status).toBe('cancelled');
    expect(Object.fromEntries(cancelled.steps.map((s) => [s.name, s.status]))).toEqual({ wait: 'cancelled', after: 'cancelled' });
    expect((await t.ctx.queue.wait(stepOf(running, 'wait').jobId!, { timeoutMs: 10_000 })).status).toBe('cancelled');
    expect(problem(await inject('POST', `/pipelines/runs/${run.id}/cancel`)).code).toBe('PIPELINE_RUN_FINISHED');
  }, 60_000);

  it('runs a command step from the scripts folder with typed outputs and logs; refuses a script outside it', async () => {
    await apply({
      name: 'cmd', parameters: { n: { type: 'integer', default: 21 } },
      steps: [
        { name: 'double', type: 'command', script: 'double.mjs', inputs: { n: '${{ params.n }}' }, outputs: { doubled: 'integer' } },
        { name: 'big', type: 'condition', if: { left: '${{ steps.double.outputs.doubled }}', op: 'eq', right: 42 } },
      ],
    });
    const run = await waitForRun(t.app, (await start('cmd', {})).id, finished);
    expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
    expect(stepOf(run, 'double').outputs).toEqual({ doubled: 42 });
    expect(stepOf(run, 'big').outputs).toEqual({ result: true });
    const logs = (await inject('GET', `/pipelines/runs/${run.id}/logs?step=double`)).json<{ items: Array<{ message: string }> }>().items;
    expect(logs.map((l) => l.message)).toContain('doubling 21');
    for (const script of ['../double.mjs', '/etc/passwd', 'missing.mjs']) {
      const res = await inject('POST', '/pipelines', { name: 'escape', steps: [{ name: 'x', type: 'command', script }] });
      expect(problem(res)).toMatchObject({ code: 'PIPELINE_INVALID', problems: [expect.objectContaining({ field: 'steps.x.script' })] });
    }
    expect(problem(await inject('GET', '/pipelines/escape')).code).toBe('PIPELINE_NOT_FOUND');
  }, 60_000);
});
