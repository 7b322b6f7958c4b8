/**
 * Test helpers for prediction quality: the real app in-process on a data dir that outlives one app instance
 * (close and reopen to check what survives a restart), and small request helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createAppContext, type AppContext } from '../../../app/context.ts';
import { loadConfig } from '../../../core/config.ts';
import { buildApp } from '../../../http/app.ts';
import type { Job } from '../../../jobs/types.ts';
import { upload } from '../../datasets/testing/harness.ts';
import { multiClassCsv, multiLabelCsv } from '../../text/testing/synthetic.ts';

export interface OpenApp {
  app: FastifyInstance;
  ctx: AppContext;
  close(): Promise<void>;
}

export function tempDir(prefix = 'sb-quality-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens the app on `dir` (an existing data dir is reused as it is). */
export async function openApp(dir: string): Promise<OpenApp> {
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } });
  const ctx = await createAppContext(config);
  await ctx.queue.startWorker();
  const app = await buildApp(ctx, { webDist: join(dir, 'no-web-ui') });
  await app.ready();
  return {
    app,
    ctx,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

/** POSTs a job-starting request, expects 202 and waits for the job to end. */
export async function runJob(t: OpenApp, url: string, payload: unknown, timeoutMs = 60_000): Promise<Job> {
  const res = await t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
  expect(res.statusCode, res.body).toBe(202);
  return t.ctx.queue.wait(res.json<{ job: Job }>().job.id, { timeoutMs });
}

export async function succeeded<R>(job: Promise<Job>): Promise<R> {
  const j = await job;
  expect(j.status, JSON.stringify(j.error)).toBe('succeeded');
  return j.result as R;
}

/** The app on `dir` with two trained version-1 text models: `multi` (multi-label, 150 synthetic rows) and `tickets` (multi-class, 60). */
export async function openAppWithModels(dir: string): Promise<OpenApp> {
  const t = await openApp(dir);
  expect((await upload(t.app, 'multi.csv', multiLabelCsv(150), { header: 'false' })).statusCode).toBe(201);
  expect((await upload(t.app, 'tickets.csv', multiClassCsv(60), { header: 'false' })).statusCode).toBe(201);
  await succeeded(runJob(t, '/api/v1/text/classifiers', { name: 'multi', dataset: 'multi', mode: 'multi-label' }));
  await succeeded(runJob(t, '/api/v1/text/classifiers', { name: 'tickets', dataset: 'tickets', mode: 'multi-class' }));
  return t;
}
