/**
 * Fine-tuning (issue 16) in a real browser: the tiny llama (../shared/data/llm-tiny) registered in the LLM catalog;
 * the user starts a run in the UI (a JSONL file, LoRA, 1 worker, a few steps), watches the live loss chart fill and
 * the throughput table, sees the checkpoint listed, clicks "Deploy this checkpoint" and finds the endpoint on the
 * LLMs page; one generation through that endpoint. Skipped with a message without Chromium, the tiny model or torch
 * (under CI each is a failure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/core/config.ts';
import { HAS_TINY, HAS_TORCH, instructionRows, NO_TINY_MESSAGE, TINY_GGUF } from '../../src/domains/finetune/testing.ts';
import { buildApp } from '../../src/http/app.ts';
import { browserUnavailableReason, fullPageScreenshot, launchBrowser, testIdWhere, waitForTestId, watchPage } from './browser.ts';

const SHOT = process.env.SAGEBRUSH_FINETUNE_SCREENSHOT || '/tmp/sagebrush-finetune.png';
const missing = browserUnavailableReason() ?? (HAS_TINY ? null : NO_TINY_MESSAGE) ?? (HAS_TORCH ? null : 'skipped: Debian python3-torch is absent (/usr/bin/python3 with torch)');

if (missing && process.env.CI) {
  describe('fine-tuning UI', () => {
    it('needs Chromium, the tiny llama and torch under CI', () => {
      throw new Error(missing);
    });
  });
}

(missing ? describe.skip : describe)(`fine-tuning UI${missing ? ` — ${missing}` : ''}`, () => {
  let dataDir = '';
  let baseUrl = '';
  let close: () => Promise<void> = async () => {};
  let browser: Browser;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sagebrush-ft-ui-'));
    const ctx = await createAppContext(loadConfig({ overrides: { dataDir, port: 0, logLevel: 'warn' }, env: {} }));
    const app = await buildApp(ctx, process.env.SAGEBRUSH_E2E_WEB_DIST ? { webDist: process.env.SAGEBRUSH_E2E_WEB_DIST } : {});
    await ctx.queue.startWorker();
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await app.close().catch(() => undefined);
      await ctx.close().catch(() => undefined);
    };
    const reg = await fetch(`${baseUrl}/api/v1/llm/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: TINY_GGUF, name: 'tiny', license: 'mit' }) });
    expect(reg.status, await reg.text()).toBe(201);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    watched = watchPage(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts a run, shows the live loss and throughput, lists the checkpoint and deploys it as an endpoint that generates', async () => {
    await page.goto(`${baseUrl}/finetune`);
    await page.getByTestId('finetune-base').click();
    await page.getByRole('option', { name: 'tiny:1' }).click();
    await page.getByTestId('finetune-data-file').setInputFiles({ name: 'train.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(instructionRows(120)) });
    await page.getByTestId('finetune-name').fill('ui-run');
    await page.getByTestId('finetune-workers').fill('1');
    await page.getByTestId('finetune-steps').fill('8');
    await page.getByTestId('finetune-start').click();
    await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/\/finetune\/ui-run$/);

    // The chart fills while it trains (a line per metric), and the results table shows the throughput.
    await waitForTestId(page, 'finetune-loss-chart', 30_000);
    await expect.poll(() => page.getByTestId('finetune-loss-chart').locator('svg path').count(), { timeout: 180_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('finetune-status').getAttribute('data-status'), { timeout: 180_000 }).toBe('succeeded');
    // Once it has finished, the chart holds every step (the last ones included, not the last poll while running).
    await expect.poll(() => page.getByTestId('finetune-loss-chart').getAttribute('data-steps'), { timeout: 10_000 }).toBe('8');
    const table = page.getByTestId('finetune-throughput');
    expect(await table.textContent()).toMatch(/workers \(world size\)1/);
    expect(await testIdWhere(page, 'finetune-stat', { stat: 'tokens-per-s' }).textContent()).toMatch(/^\d+$/);
    expect(await testIdWhere(page, 'finetune-stat', { stat: 'step' }).textContent()).toBe('8 / 8');
    await expect.poll(() => testIdWhere(page, 'finetune-checkpoint', { step: '8' }).count(), { timeout: 10_000 }).toBe(1);

    await page.getByTestId('finetune-endpoint-name').fill('ui-ep');
    await testIdWhere(page, 'finetune-checkpoint', { step: '8' }).getByRole('button', { name: 'Deploy this checkpoint' }).click();
    await expect.poll(() => page.getByTestId('finetune-deployed').textContent().catch(() => null), { timeout: 120_000 }).toMatch(/on endpoint ui-ep/);
    await fullPageScreenshot(page, SHOT);

    await page.goto(`${baseUrl}/llm`);
    await expect.poll(() => testIdWhere(page, 'llm-endpoint-link', { endpoint: 'ui-ep' }).count(), { timeout: 20_000 }).toBe(1);
    const gen = await fetch(`${baseUrl}/api/v1/endpoints/ui-ep/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: 'Tell a story about Lily and a ball.', parameters: { max_new_tokens: 8 } }) });
    expect(gen.status, await gen.clone().text()).toBe(200);
    expect(((await gen.json()) as Array<{ generated_text: string }>)[0]!.generated_text.length).toBeGreaterThan(0);
    expect(watched.pageErrors).toEqual([]);
    expect(watched.externalRequests).toEqual([]);
  }, 360_000);
});
