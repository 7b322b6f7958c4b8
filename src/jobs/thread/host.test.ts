/**
 * The job thread's host, in-process: jobs run in the thread (an import, a training), and a thread that dies
 * mid-job has that job recorded at once (not after the 30 s lease) and is restarted for the next one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, expect, it, vi } from 'vitest';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { JOB_THREAD_ENTRY } from '../../app/jobs.ts';
import { loadConfig } from '../../core/config.ts';
import { multiClassCsv } from '../../domains/text/testing/synthetic.ts';
import type { DbJobQueue } from '../base.ts';
import type { JobEvent } from '../types.ts';
import { startJobThread, type JobThread } from './host.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-jobthread-'));
let ctx: AppContext | undefined;
let thread: JobThread | undefined;
afterAll(async () => {
  await thread?.stop();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Many classes with their own words: a training that takes a few seconds. */
function manyClasses(classes: number, perClass: number): string {
  const rows: string[] = [];
  for (let i = 0; i < perClass; i++) for (let c = 0; c < classes; c++) rows.push(`c${c},w${c}a w${c}b${i % 7} the w${c}c${i % 5} and w${(c * 7 + i) % classes}x row ${i}`);
  return `${rows.join('\n')}\n`;
}

async function importCsv(name: string, csv: string): Promise<void> {
  const up = await ctx!.services.datasets.upload({ stream: Readable.from([csv]), fileName: `${name}.csv`, header: 'false' });
  await ctx!.services.datasets.waitForImport(up.job.id, { timeoutMs: 60_000 });
}

it('runs jobs in the thread, and records the job of a thread that died and restarts it', async () => {
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } });
  ctx = await createAppContext(config);
  thread = await startJobThread({ entryUrl: JOB_THREAD_ENTRY, config, queue: ctx.queue as DbJobQueue, concurrency: 1, timings: { watchMs: 50, pollMs: 50, waitPollMs: 50 } });
  const firstThread = thread.threadId;
  await importCsv('small', multiClassCsv(60));
  await importCsv('big', manyClasses(150, 50));

  const events: JobEvent[] = [];
  const { job } = await ctx.services.text.train({ name: 'big', dataset: 'big' });
  const off = ctx.queue.subscribe((e) => events.push(e), job.id);
  await vi.waitFor(() => expect(events.some((e) => e.status === 'running' && e.progress >= 0.05)).toBe(true), { timeout: 60_000, interval: 20 });
  await thread.crash();
  const crashedAt = Date.now();
  const failed = await ctx.queue.wait(job.id, { timeoutMs: 10_000 });
  off();
  expect(failed).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
  expect(Date.now() - crashedAt).toBeLessThan(5000);

  const next = await ctx.services.text.train({ name: 'small', dataset: 'small' });
  const done = await ctx.queue.wait(next.job.id, { timeoutMs: 60_000 });
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  expect(thread.threadId).not.toBe(firstThread);
}, 120_000);
