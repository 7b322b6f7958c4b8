/**
 * What the job thread calls once it is ready (app/jobThread.ts): the text service starts its scoring threads and
 * warms this thread's scorer and line writer, so a batch job on a freshly started server is not the one that warms
 * them. Its own file: `thisThreadWarmed` is per module instance, and other tests warm it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../app/context.ts';
import { loadConfig } from '../../core/config.ts';
import { thisThreadWarmed } from './scoringPool.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-start-scoring-'));
let ctx: AppContext | undefined;
afterAll(async () => {
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('startScoring warms this thread (no scoring threads: at once), and with a scoring thread starts it; later calls share it', async () => {
  expect(thisThreadWarmed()).toBe(false);
  ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent', scoringThreads: 0 } }));
  const first = ctx.services.text.startScoring();
  expect(thisThreadWarmed()).toBe(true); // synchronously
  await first;
  await ctx.close();
  ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent', scoringThreads: 1 } }));
  await ctx.services.text.startScoring();
  await ctx.services.text.startScoring();
}, 120_000);
