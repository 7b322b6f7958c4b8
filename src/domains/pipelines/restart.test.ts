/**
 * Durability (issue 14): the server stops mid-run (in-process: the app and its context are closed while a step's
 * job runs) and a new one opens on the same data directory. The run resumes from the last finished step: a
 * finished step is never run again, a step whose job type is idempotent is re-run and the run completes, and a
 * non-idempotent one is failed PIPELINE_STEP_INTERRUPTED (its later steps do not run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { loadConfig } from '../../core/config.ts';
import { SELF_OWNER } from '../../jobs/owner.ts';
import { buildApp } from '../../http/app.ts';
import type { PipelineRun } from './schema.ts';
import { finished, stepOf, waitForRun } from './testing.ts';

const runs = new Map<string, number>();
const count = (key: string) => runs.set(key, (runs.get(key) ?? 0) + 1);

/** A server on `dir` with the test job types: `test.block*` runs long on its first attempt, briefly after a restart. */
async function openServer(dir: string, options: { app?: boolean } = {}): Promise<{ ctx: AppContext; app: FastifyInstance }> {
  const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } }));
  const wait = (ms: number, signal: AbortSignal) => new Promise<void>((res, rej) => {
    const timer = setTimeout(res, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), rej(signal.reason as Error)), { once: true });
  });
  const payload = z.object({ key: z.string() });
  const result = z.object({ key: z.string() });
  for (const [type, idempotent] of [['test.count', false], ['test.count-idempotent', true]] as const) {
    ctx.queue.register({ type, payload, result, idempotent, run: async ({ job }) => (count(job.payload.key as string), { key: job.payload.key as string }) });
  }
  for (const [type, idempotent] of [['test.block', true], ['test.block-once', false]] as const) {
    ctx.queue.register({ type, payload, result, idempotent, run: async ({ job, signal }) => {
      count(job.payload.key as string);
      await wait(job.attempts === 1 ? 60_000 : 50, signal);
      return { key: job.payload.key as string };
    } });
  }
  if (options.app === false) return { ctx, app: undefined as never }; // no API: no orchestrator, no worker
  await ctx.queue.startWorker({ concurrency: 4 });
  const app = await buildApp(ctx, { webDist: join(dir, 'no-web-ui') });
  await app.ready();
  await ctx.services.pipelines.start(); // as `serve` does when it listens
  return { ctx, app };
}

type Server = Awaited<ReturnType<typeof openServer>>;

/** Opens a server on `dir`, runs `check` against it, and always closes it. */
async function withServer(dir: string, check: (server: Server) => Promise<void>): Promise<void> {
  const server = await openServer(dir);
  try {
    await check(server);
  } finally {
    await server.app.close();
    await server.ctx.close();
  }
}

/** A data directory of its own for one test, removed afterwards. */
async function inTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Applies `def` and records a run of it without starting it: what an orchestrator leaves when it dies mid-start. */
async function plantRun(ctx: AppContext, def: { name: string; steps: object[] }): Promise<string> {
  await ctx.services.pipelines.apply(def);
  const v = (await ctx.services.pipelines.store.version(def.name))!;
  return ctx.services.pipelines.store.createRun({ pipelineId: v.pipelineId, versionId: v.id, params: {}, trigger: { type: 'test' }, steps: v.definition.steps });
}

const definition = (name: string, blockType: string) => ({
  name,
  steps: [
    { name: 'first', type: 'job', jobType: 'test.count', inputs: { key: `${name}.first` } },
    { name: 'second', type: 'job', jobType: blockType, dependsOn: ['first'], inputs: { key: `${name}.second` } },
    { name: 'third', type: 'job', jobType: 'test.count', dependsOn: ['second'], inputs: { key: `${name}.third` } },
  ],
});

describe('a server restart mid-run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-pipelines-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes from the last finished step; re-runs only an idempotent step that was running', async () => {
    const first = await openServer(dir);
    const start = async (name: string, blockType: string): Promise<PipelineRun> => {
      expect((await first.app.inject({ method: 'POST', url: '/api/v1/pipelines', payload: definition(name, blockType) })).statusCode).toBe(201);
      return (await first.app.inject({ method: 'POST', url: `/api/v1/pipelines/${name}/runs`, payload: {} })).json<PipelineRun>();
    };
    const resumable = await start('resumable', 'test.block');
    const fragile = await start('fragile', 'test.block-once');
    const running = (r: PipelineRun) => stepOf(r, 'second').status === 'running';
    const before = { resumable: await waitForRun(first.app, resumable.id, running), fragile: await waitForRun(first.app, fragile.id, running) };
    // Both jobs claimed by the worker (not merely queued) before the server stops.
    for (const r of Object.values(before)) while ((await first.ctx.queue.get(stepOf(r, 'second').jobId!)).status !== 'running') await new Promise((res) => setTimeout(res, 20));
    // The server stops: running jobs are interrupted (idempotent ones re-queued, others failed INTERRUPTED).
    await first.app.close();
    await first.ctx.close();
    expect(Object.fromEntries(runs)).toEqual({ 'resumable.first': 1, 'resumable.second': 1, 'fragile.first': 1, 'fragile.second': 1 });

    await withServer(dir, async (second) => {
      const resumed = await waitForRun(second.app, resumable.id, finished, 30_000);
      expect(resumed.status, JSON.stringify(resumed.steps)).toBe('succeeded');
      expect(stepOf(resumed, 'first')).toMatchObject({ status: 'succeeded', jobId: stepOf(before.resumable, 'first').jobId, attempts: 1 });
      expect(stepOf(resumed, 'second')).toMatchObject({ status: 'succeeded', jobId: stepOf(before.resumable, 'second').jobId });
      const failed = await waitForRun(second.app, fragile.id, finished, 30_000);
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_STEP_INTERRUPTED', step: 'second' } });
      expect(stepOf(failed, 'second').error!.message).toMatch(/not idempotent, so it is not run again/);
      expect(stepOf(failed, 'third').status).toBe('skipped');
      // No finished step ran twice; only the idempotent interrupted step ran again.
      expect(Object.fromEntries(runs)).toEqual({ 'resumable.first': 1, 'resumable.second': 2, 'resumable.third': 1, 'fragile.first': 1, 'fragile.second': 1 });
    });
  }, 90_000);

  it('finishes what a dead orchestrator left: a claimed idempotent step is started again, a non-idempotent one failed, an inline one re-run', async () => {
    await inTempDir('sb-pipelines-claimed-', async (other) => {
      // A process that died (same host, this pid with another start time: ownerIsDead) after claiming the steps.
      const dead = JSON.stringify({ ...SELF_OWNER, start: 'an-earlier-process' });
      const defs = {
        idem: { name: 'idem', steps: [{ name: 'x', type: 'job', jobType: 'test.count-idempotent', inputs: { key: 'idem.x' } }] },
        once: { name: 'once', steps: [{ name: 'x', type: 'job', jobType: 'test.count', inputs: { key: 'once.x' } }] },
        inline: { name: 'inline', steps: [{ name: 'x', type: 'condition', if: { left: 1, op: 'eq', right: 1 } }] },
      };
      const offline = await openServer(other, { app: false });
      const ids: Record<string, string> = {};
      for (const [key, def] of Object.entries(defs)) {
        ids[key] = await plantRun(offline.ctx, def);
        const status = key === 'inline' ? 'running' : 'starting';
        await offline.ctx.db.updateTable('pipeline_steps').set({ status, owner: dead, attempts: 1, started_at: new Date().toISOString() }).where('run_id', '=', ids[key]!).execute();
      }
      await offline.ctx.close();

      await withServer(other, async (server) => {
        const idem = await waitForRun(server.app, ids.idem!, finished, 20_000);
        expect(idem.status, JSON.stringify(idem.steps)).toBe('succeeded');
        const once = await waitForRun(server.app, ids.once!, finished, 20_000);
        expect(once).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_STEP_INTERRUPTED', step: 'x' } });
        const inline = await waitForRun(server.app, ids.inline!, finished, 20_000);
        expect(inline.steps[0]).toMatchObject({ status: 'succeeded', outputs: { result: true } });
        expect(runs.get('idem.x')).toBe(1);
        expect(runs.get('once.x')).toBeUndefined();
      });
    });
  }, 60_000);

  it('a dead orchestrator had recorded the job id before enqueueing: an enqueued job is followed, a missing one started; each runs once', async () => {
    await inTempDir('sb-pipelines-starting-', async (other) => {
      const dead = JSON.stringify({ ...SELF_OWNER, start: 'an-earlier-process' });
      const offline = await openServer(other, { app: false });
      const ids: Record<string, string> = {};
      let enqueued = '';
      for (const key of ['enqueued', 'lost']) {
        const def = { name: key, steps: [{ name: 'x', type: 'job', jobType: 'test.count', inputs: { key: `${key}.x` } }] };
        ids[key] = await plantRun(offline.ctx, def);
        // Killed after the enqueue (the job exists, queued) or before it (the recorded id names no job).
        const jobId = key === 'enqueued' ? (enqueued = (await offline.ctx.queue.enqueue('test.count' as never, { key: 'enqueued.x' } as never)).id) : 'job_neverenqueued0001';
        await offline.ctx.db.updateTable('pipeline_steps').set({ status: 'starting', owner: dead, job_id: jobId, attempts: 1, started_at: new Date().toISOString() }).where('run_id', '=', ids[key]!).execute();
      }
      await offline.ctx.close();

      await withServer(other, async (server) => {
        const followed = await waitForRun(server.app, ids.enqueued!, finished, 20_000);
        expect(followed.status, JSON.stringify(followed.steps)).toBe('succeeded');
        expect(stepOf(followed, 'x')).toMatchObject({ jobId: enqueued, attempts: 1 });
        const restarted = await waitForRun(server.app, ids.lost!, finished, 20_000);
        expect(restarted.status, JSON.stringify(restarted.steps)).toBe('succeeded');
        expect(stepOf(restarted, 'x')).toMatchObject({ attempts: 1, jobId: expect.not.stringMatching(/neverenqueued/) });
        expect([runs.get('enqueued.x'), runs.get('lost.x')]).toEqual([1, 1]);
      });
    });
  }, 60_000);
});
