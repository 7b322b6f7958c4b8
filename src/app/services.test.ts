/**
 * A job worker thread has its own model caches: when a job there changes a model's decision rule, the context
 * tells its host (onModelChanged), whose `services.modelChanged` evicts the model from the endpoint caches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { multiClassCsv } from '../domains/text/testing/synthetic.ts';
import { createAppContext, type AppContext } from './context.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-services-'));
let ctx: AppContext | undefined;
afterAll(async () => {
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reports a changed decision rule through onModelChanged, and modelChanged() evicts the model', async () => {
  const changed: string[] = [];
  ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent' } }), { onModelChanged: (id) => changed.push(id) });
  await ctx.queue.startWorker();
  const up = await ctx.services.datasets.upload({ stream: Readable.from([multiClassCsv(60)]), fileName: 'tickets.csv', header: 'false' });
  await ctx.services.datasets.waitForImport(up.job.id);
  const train = await ctx.services.text.train({ name: 'tickets', dataset: 'tickets' });
  const job = await ctx.queue.wait(train.job.id, { timeoutMs: 60_000 });
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  const model = await ctx.services.text.requireTextModel('tickets:1');
  const before = await ctx.services.text.predictor(model.id);

  await ctx.services.textQuality.putDecision('tickets', 1, { abstainBelow: 0.5 });
  expect(changed).toEqual([model.id]);
  const reloaded = await ctx.services.text.predictor(model.id);
  expect(reloaded).not.toBe(before);
  expect(reloaded.rule.abstainBelow).toBe(0.5);

  await ctx.services.modelChanged(model.id);
  expect(await ctx.services.text.predictor(model.id)).not.toBe(reloaded);
}, 90_000);
