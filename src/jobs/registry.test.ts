/**
 * The typed job registry (issue 13): enqueue refuses an unknown type or a bad payload before storing anything, a
 * handler's result is checked against its type's result schema before it is stored, a stored result reads back
 * typed (so one step's output is the next step's input), and GET /api/v1/jobs/types describes every type.
 * Ad-hoc types run on an embedded queue on SQLite; the domain types through the real app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, upload, type TestApp } from '../domains/datasets/testing/harness.ts';
import { trainRequestSchema } from '../domains/text/schema.ts';
import { multiClassCsv } from '../domains/text/testing/synthetic.ts';
import { defineJob, jobResult } from './registry.ts';
import { queueBackends, type QueueTestEnv, type TestQueue } from './testing.ts';
import type { Job, JobDefinition, JobType } from './types.ts';

const doubled = z.object({ doubled: z.number() });
/** An ad-hoc type (not in JobTypes) whose handler returns `answer(n)`. */
const doubling = (type: string, answer: (n: number) => unknown): JobDefinition<{ n: number }, { doubled: number }> => ({
  type,
  payload: z.object({ n: z.number() }),
  result: doubled,
  run: async ({ job }) => answer(job.payload.n) as { doubled: number },
});

describe('job results on an embedded queue', () => {
  let env: QueueTestEnv | undefined;
  let q: TestQueue;
  const good = doubling('test.double', (n) => ({ doubled: n * 2 }));
  const run = async (type: string, n = 21): Promise<Job> => q.wait((await q.enqueue(type, { n })).id, { timeoutMs: 10_000 });

  beforeAll(async () => {
    env = await queueBackends()[0]!.open();
    q = await env.queue();
    q.register(good);
    q.register(doubling('test.wrong-shape', (n) => ({ doubled: `${n * 2}` })));
    q.register(doubling('test.nan', () => ({ doubled: Number.NaN })));
    await q.startWorker();
  });
  afterAll(async () => env?.cleanup());

  it('stores a result that matches the result schema', async () => {
    expect(await run('test.double')).toMatchObject({ status: 'succeeded', result: { doubled: 42 }, error: null });
  });

  it('fails a job whose handler returns the wrong shape with JOB_RESULT_INVALID naming the field, storing no result', async () => {
    const job = await run('test.wrong-shape');
    expect(job).toMatchObject({ status: 'failed', result: null, error: { code: 'JOB_RESULT_INVALID', problems: [expect.objectContaining({ field: 'result.doubled' })] } });
    expect(job.error!.message).toContain('test.wrong-shape');
    expect((await q.logs(job.id)).at(-1)).toMatchObject({ level: 'error', message: expect.stringContaining('JOB_RESULT_INVALID') });
  });

  it('checks the JSON that is stored: NaN (stored as null) is not a number', async () => {
    expect(await run('test.nan')).toMatchObject({ status: 'failed', error: { code: 'JOB_RESULT_INVALID' } });
  });

  it('reads a stored result back through the schema; other types, unfinished jobs and altered rows are refused', async () => {
    const done = await run('test.double', 5);
    expect(jobResult(done, good)).toEqual({ doubled: 10 });
    expect(() => jobResult(done, doubling('test.other', () => null))).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
    expect(() => jobResult({ ...done, status: 'running' }, good)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    await q.store.db.updateTable('jobs').set({ result_json: '{"doubled":"ten"}' }).where('id', '=', done.id).execute();
    expect(() => jobResult({ ...done, result: { doubled: 'ten' } }, good)).toThrow(expect.objectContaining({ code: 'JOB_RESULT_INVALID' }));
    expect((await q.get(done.id)).result).toEqual({ doubled: 'ten' });
  });
});

describe('the registry in the real app', () => {
  let t: TestApp;
  let importJobId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const res = await upload(t.app, 'tickets.csv', multiClassCsv(60), { header: 'false' });
    expect(res.statusCode, res.body).toBe(201);
    importJobId = (await t.ctx.queue.list({ type: 'datasets.import' })).items[0]!.id;
  }, 60_000);
  afterAll(async () => t?.close());

  it('refuses an unknown type (JOB_TYPE_UNKNOWN) and a bad payload (VALIDATION_FAILED naming the fields) at enqueue, storing nothing', async () => {
    const before = (await t.ctx.queue.list()).items.length;
    await expect(t.ctx.queue.enqueue('no.such.type' as JobType, {} as never)).rejects.toMatchObject({
      code: 'JOB_TYPE_UNKNOWN',
      message: expect.stringContaining('text.train'),
      problems: [expect.objectContaining({ field: 'type' })],
    });
    // @ts-expect-error the text.train payload needs a string dataset and a model name: caught at compile time too
    const bad = t.ctx.queue.enqueue('text.train', { dataset: 7 });
    await expect(bad).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('"text.train"') });
    const fields = ((await bad.catch((e: { problems: Array<{ field: string }> }) => e)) as { problems: Array<{ field: string }> }).problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['dataset', 'name']));
    expect((await t.ctx.queue.list()).items).toHaveLength(before);
  });

  it("takes one step's typed result as the next step's payload (datasets.import → text.train)", async () => {
    const imported = await t.ctx.queue.result(importJobId, 'datasets.import');
    expect(imported).toMatchObject({ format: 'csv', rowCount: 180, version: 1 });
    const train = await t.ctx.queue.enqueue('text.train', trainRequestSchema.parse({ name: 'pipe', dataset: imported.datasetId, datasetVersion: imported.version }));
    expect((await t.ctx.queue.wait(train.id, { timeoutMs: 60_000 })).status).toBe('succeeded');
    const trained = await t.ctx.queue.result(train.id, 'text.train');
    expect(trained.model).toMatchObject({ name: 'pipe', version: 1 });
    expect(trained.metrics.labels).toHaveLength(3);
    await expect(t.ctx.queue.result(train.id, 'datasets.import')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  }, 90_000);

  it('GET /api/v1/jobs/types lists every registered type with its payload and result JSON Schema and idempotency', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/jobs/types' });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{ items: Array<{ type: string; idempotent: boolean; payload: any; result: any }> }>().items;
    const byType = new Map(items.map((i) => [i.type, i]));
    expect([...byType.keys()]).toEqual(expect.arrayContaining([
      'datasets.import', 'images.batch', 'images.train', 'summarize.run', 'text.batch', 'text.evaluate', 'text.learning-curve', 'text.noisy-labels', 'text.sweep', 'text.train', 'text.tune',
    ]));
    expect([...byType.keys()]).toEqual([...byType.keys()].sort());
    const train = byType.get('text.train')!;
    expect(train.idempotent).toBe(false);
    expect(train.payload).toMatchObject({ type: 'object', required: expect.arrayContaining(['dataset', 'name']) });
    expect(Object.keys(train.result.properties)).toEqual(expect.arrayContaining(['model', 'metrics', 'train_seconds', 'warnings']));
    expect(byType.get('datasets.import')).toMatchObject({ idempotent: true, result: { properties: { rowCount: { type: 'integer' } } } });
    expect(byType.get('text.batch')!.result.required).toEqual(expect.arrayContaining(['outputKey', 'outputTarKey']));
  });

  it('defineJob ties a definition to its JobTypes entry at compile time', () => {
    const def = defineJob({
      type: 'datasets.import',
      payload: z.object({ datasetId: z.string(), versionId: z.string() }),
      // @ts-expect-error the datasets.import result needs datasetId, versionId, version, format, rowCount and warnings
      result: z.object({ rows: z.number() }),
      run: async () => ({ datasetId: 'd', versionId: 'v', version: 1, format: 'csv', rowCount: 1, warnings: 0 }),
    });
    expect(def.type).toBe('datasets.import');
  });
});
