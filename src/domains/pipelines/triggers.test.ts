/**
 * Triggers through the real app (issue 14): a schedule missed while down fires once; a new dataset version, an
 * approval and N new feature records each start one run recording what started it (N-1 do not); two schedulers on
 * one database fire a trigger once; bad trigger definitions are refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../core/ids.ts';
import { createTestApp, problem, upload, type TestApp } from '../datasets/testing/harness.ts';
import { LABELS_GROUP } from '../features/testing/fixtures.ts';
import { Scheduler } from './scheduler.ts';
import type { PipelineRun } from './schema.ts';
import { createPipelineStore } from './store.ts';

const def = (name: string, triggers: object) => ({
  name,
  parameters: { dataset: { type: 'string', default: 'none' }, model: { type: 'string', default: 'none' } },
  triggers,
  steps: [{ name: 'ok', type: 'condition', if: { left: 1, op: 'eq', right: 1 } }],
});

describe('pipeline triggers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(); // an injected app: no orchestrator or scheduler of its own, so only the test ticks
  }, 60_000);
  afterAll(async () => t?.close());

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => t.app.inject({ method, url: `/api/v1${url}`, payload });
  const apply = async (d: object) => {
    const res = await inject('POST', '/pipelines', d);
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  const runs = async (name: string) => (await inject('GET', `/pipelines/runs?pipeline=${name}`)).json<{ items: PipelineRun[] }>().items;
  const tick = () => t.ctx.services.pipelines.checkTriggers();
  const scheduled = () => ({ prepareRun: t.ctx.services.pipelines.prepareRun, started: (id: string) => void t.ctx.services.pipelines.advance(id) });

  it('refuses bad triggers naming the field', async () => {
    for (const [triggers, field] of [
      [{ schedule: { cron: '61 3 * * *' } }, 'triggers.schedule.cron'],
      [{ schedule: { cron: '0 3 * *' } }, 'triggers.schedule.cron'],
      [{ schedule: { cron: '0 3 * * *', timezone: 'Mars/Olympus' } }, 'triggers.schedule.timezone'],
      [{ onFeatureRecords: { group: 'g', count: 0 } }, 'triggers.onFeatureRecords.count'],
      [{ onDatasetVersion: {} }, 'triggers.onDatasetVersion.dataset'],
    ] as const) {
      const res = await inject('POST', '/pipelines', def('bad', triggers));
      expect(res.statusCode, res.body).toBe(400);
      expect((problem(res).problems ?? []).map((p) => p.field)).toContain(field);
    }
  });

  it('fires a schedule missed while down once, for the latest missed minute; shows next and last firing', async () => {
    await apply(def('hourly', { schedule: { cron: '0 * * * *', timezone: 'Europe/Berlin' } }));
    await tick(); // first sight: a baseline, no run
    expect(await runs('hourly')).toHaveLength(0);
    const pipelineId = (await t.ctx.services.pipelines.store.findPipeline('hourly'))!.id;
    // As if the last tick happened 3 h ago and the server was down since: three fire minutes were missed.
    const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000 - 60_000).toISOString();
    await t.ctx.db.updateTable('pipeline_triggers').set({ last_key: threeHoursAgo }).where('pipeline_id', '=', pipelineId).execute();
    const hourBefore = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    await tick();
    await tick();
    const list = await runs('hourly');
    expect(list).toHaveLength(1);
    // The latest missed full hour (the test may straddle an hour boundary).
    const hour = [hourBefore, new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString()].find((h) => h === (list[0]!.trigger.detail as { scheduledFor: string }).scheduledFor) ?? hourBefore;
    expect(list[0]!.trigger).toEqual({ type: 'schedule', detail: { cron: '0 * * * *', timezone: 'Europe/Berlin', scheduledFor: hour } });
    const info = (await inject('GET', '/pipelines/hourly/triggers')).json<{ items: Array<Record<string, unknown>> }>().items;
    expect(info).toEqual([expect.objectContaining({ kind: 'schedule', lastKey: hour, lastRunId: list[0]!.id, nextFireAt: new Date(Date.parse(hour) + 3_600_000).toISOString() })]);
  });

  it('a new dataset version starts one run recording it, with the dataset param', async () => {
    const csv = (n: number) => ['text,label', ...Array.from({ length: n }, (_, i) => `row ${i},${i % 2 ? 'a' : 'b'}`)].join('\n');
    expect((await upload(t.app, 'sales.csv', csv(10))).statusCode).toBe(201);
    await apply(def('on-data', { onDatasetVersion: { dataset: 'sales' } }));
    await tick(); // baseline: version 1 existed before the trigger
    expect(await runs('on-data')).toHaveLength(0);
    const v2 = await upload(t.app, 'sales.csv', csv(12));
    expect(v2.statusCode, v2.body).toBe(201);
    await tick();
    await tick();
    const list = await runs('on-data');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ params: { dataset: 'sales', model: 'none' }, trigger: { type: 'dataset-version', detail: { dataset: 'sales', version: 2, versionId: expect.any(String) } } });
    // Pointing the trigger at another dataset that already has a version starts from a new baseline, not a run.
    expect((await upload(t.app, 'sales-eu.csv', csv(8))).statusCode).toBe(201);
    await apply(def('on-data', { onDatasetVersion: { dataset: 'sales-eu' } }));
    await tick();
    await tick();
    expect(await runs('on-data')).toHaveLength(1);
  });

  it('an approval starts one run with the approved version as the model param', async () => {
    await apply(def('on-approval', { onApproval: { model: 'churn' } }));
    await tick();
    const id = 'mdl_trigger_test_1';
    await t.ctx.db.insertInto('models').values({ id, name: 'churn', version: 1, kind: 'text-classifier', status: 'ready', dataset_version_id: null, job_id: null, params_json: '{}', metrics_json: '{}', artifacts_json: '{}', meta_json: '{}', created_at: nowIso() }).execute();
    const res = await inject('PUT', '/models/churn/versions/1/approval', { status: 'Approved', reason: 'good' });
    expect(res.statusCode, res.body).toBe(200);
    await tick();
    await tick();
    const list = await runs('on-approval');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ params: { model: id }, trigger: { type: 'approval', detail: { model: 'churn', modelId: id, version: 1 } } });
  });

  it('N new matching feature records start one run; N-1 do not', async () => {
    expect((await inject('POST', '/feature-groups', LABELS_GROUP)).statusCode).toBe(201);
    await apply(def('on-labels', { onFeatureRecords: { group: 'image-labels', count: 3, where: { status: 'verified' } } }));
    await tick();
    const rec = (i: number, status: string) => ({ image_id: `img${i}`, labeled_at: `2026-01-0${1 + (i % 8)}T00:00:00Z`, boxes: [], status, labeler: 'a', verifier: 'b', score: 1 });
    const ingest = async (records: object[]) => expect((await inject('POST', '/feature-groups/image-labels/records', records)).statusCode).toBeLessThan(300);
    await ingest([rec(1, 'verified'), rec(2, 'verified'), rec(3, 'draft')]);
    await tick();
    expect(await runs('on-labels')).toHaveLength(0); // 2 of 3
    await ingest([rec(4, 'verified')]);
    await tick();
    await tick();
    const list = await runs('on-labels');
    expect(list).toHaveLength(1);
    expect(list[0]!.trigger).toMatchObject({ type: 'feature-records', detail: { group: 'image-labels', count: 3 } });
  });

  it('the scheduler loop fires on its own tick and stops', async () => {
    await apply(def('looped', { onDatasetVersion: { dataset: 'looped-data' } }));
    await tick();
    const s = new Scheduler({ db: t.ctx.db, store: createPipelineStore(t.ctx.db), logger: t.ctx.logger, tickMs: 50, ...scheduled() });
    await s.start();
    try {
      expect((await upload(t.app, 'looped-data.csv', 'text,label\nx,a\ny,b\n')).statusCode).toBe(201);
      const deadline = Date.now() + 10_000;
      while ((await runs('looped')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await runs('looped'))[0]?.trigger).toMatchObject({ type: 'dataset-version', detail: { dataset: 'looped-data', version: 1 } });
    } finally {
      await s.stop();
    }
  });

  it('a firing whose run insert fails is not used up: the claim rolls back with it, and the next tick starts exactly one run', async () => {
    await apply(def('atomic', { onDatasetVersion: { dataset: 'atomic-data' } }));
    await tick();
    let crash = true;
    const s = new Scheduler({
      db: t.ctx.db, store: createPipelineStore(t.ctx.db), logger: t.ctx.logger, ...scheduled(),
      // A run that cannot be stored (a BigInt param is not JSON): the insert throws after the claim, inside its transaction.
      prepareRun: async (n, p, tr) => ({ ...(await t.ctx.services.pipelines.prepareRun(n, p, tr)), ...(crash ? { params: { n: 1n } } : {}) }),
    });
    expect((await upload(t.app, 'atomic-data.csv', 'text,label\nx,a\ny,b\n')).statusCode).toBe(201);
    await expect(s.tick()).resolves.toBeUndefined(); // the failed check is logged, not thrown
    expect(await runs('atomic')).toHaveLength(0);
    crash = false;
    await s.tick();
    await s.tick();
    await tick();
    const list = await runs('atomic');
    expect(list).toHaveLength(1);
    expect(list[0]!.trigger).toMatchObject({ type: 'dataset-version', detail: { dataset: 'atomic-data', version: 1 } });
    expect((await inject('GET', '/pipelines/atomic/triggers')).json().items[0]).toMatchObject({ lastRunId: list[0]!.id });
  });

  it('two schedulers on one database start a firing once', async () => {
    await apply(def('shared', { onDatasetVersion: { dataset: 'shared-data' } }));
    await tick();
    const store = createPipelineStore(t.ctx.db);
    const make = () => new Scheduler({ db: t.ctx.db, store, logger: t.ctx.logger, ...scheduled() });
    const [a, b] = [make(), make()];
    expect((await upload(t.app, 'shared-data.csv', 'text,label\nx,a\ny,b\n')).statusCode).toBe(201);
    await Promise.all([a.tick(), b.tick(), tick()]);
    expect(await runs('shared')).toHaveLength(1);
  });
});
