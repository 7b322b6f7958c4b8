/**
 * Browser test of summarization, end to end against the real server (in-process) with the extractive engine:
 * open Summarize from the navigation, paste a document, follow the job, read the summary and the chosen
 * sentences, download summary.md; then upload a Markdown file; and, where the tiny stories260K GGUF is present,
 * map-reduce on an LLM endpoint with the map outputs expanded. Screenshots go to /tmp/sagebrush-summarize-*.png.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { TINY_GGUF, tinyModelMissing } from '../../src/domains/llm/testing/tinyModel.ts';
import { describeBrowser } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_SUMMARIZE_SCREENSHOTS || '/tmp/sagebrush-summarize';

const DOC = `BACKGROUND
Rivers carry sediment from mountains to the sea. Dams trap much of that sediment in their reservoirs. In this study, we measured how much sediment three large dams trap each year.

RESULTS
The three dams trapped between 60 and 90 percent of the incoming sediment. Trapping was highest in the largest reservoir. Downstream beaches lost sand as a result. Fish habitat changed below every dam.

CONCLUSIONS
Dams trap most river sediment, and downstream coasts erode as a consequence. Sediment bypass tunnels could restore part of the supply.`;

describeBrowser('summarize UI', { skippedTest: 'summarizes a pasted document', prefix: 'sagebrush-summarize-', acceptDownloads: true }, (s) => {

  it('pastes a document, follows the job and shows the summary with its sentences', async () => {
    const { page, server } = s;
    await page.goto(server.baseUrl);
    await page.getByTestId('nav-summarize').click();
    await waitForTestId(page, 'summarize-text');
    await page.getByTestId('summarize-text').fill(DOC);
    await page.getByTestId('summarize-words').fill('30');
    await page.getByTestId('summarize-submit').click();
    await waitForTestId(page, 'summary-text');
    expect(page.url()).toMatch(/\/summarize\?job=job_/);
    const summary = (await page.getByTestId('summary-text').textContent()) ?? '';
    expect(summary).toContain('Dams trap most river sediment');
    expect(summary.split(/\s+/).length).toBeGreaterThanOrEqual(30);
    expect(await page.getByTestId('summary-stats').textContent()).toMatch(/^extractive · \d+ → \d+ words · 1 chunk/);
    await page.getByTestId('summary-sentences').getByRole('button').click();
    await expect.poll(() => page.getByTestId('summary-sentences').locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    await fullPageScreenshot(page, `${SHOTS}-pasted.png`);

    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download summary.md' }).click();
    const md = readFileSync(await (await downloading).path(), 'utf8');
    expect(md).toContain('Dams trap most river sediment');
  });

  it('uploads a Markdown file', async () => {
    const { page, server, watched } = s;
    const path = join(server.tmpDir, 'sediment.md');
    writeFileSync(path, `# Sediment\n\n${DOC.replace('BACKGROUND\n', '## Background\n').replace('RESULTS\n', '## Results\n').replace('CONCLUSIONS\n', '## Conclusions\n')}`);
    await page.goto(`${server.baseUrl}/summarize`);
    await page.getByTestId('summarize-source').getByText('Upload a file').click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('summarize-file').click();
    await (await chooser).setFiles(path);
    await page.getByTestId('summarize-submit').click();
    await waitForTestId(page, 'summary-text');
    expect(await page.getByTestId('summary-text').textContent()).toContain('Dams trap most river sediment');
    await fullPageScreenshot(page, `${SHOTS}-uploaded.png`);

    expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  });

  it.skipIf(tinyModelMissing() !== null)('map-reduce on an LLM endpoint shows the budget and the map outputs', async () => {
    const { page, server, watched } = s;
    const reg = await server.app.inject({ method: 'POST', url: '/api/v1/llm/models', payload: { path: TINY_GGUF, name: 'stories', license: 'mit' } });
    expect(reg.statusCode, reg.body).toBe(201);
    const ep = await server.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'tiny', model: 'stories', config: { threads: 1, contextSize: 256 } } });
    expect(ep.statusCode, ep.body).toBe(201);
    await page.goto(`${server.baseUrl}/summarize`);
    await page.getByTestId('summarize-text').fill(Array.from({ length: 6 }, () => DOC).join('\n\n'));
    await page.getByTestId('summarize-engine').click();
    await page.getByRole('option', { name: 'LLM endpoint: tiny' }).click();
    await page.getByTestId('summarize-llm-options').getByText('Sizes').click();
    // The first defaults call loads the model; then the budget derived from its context is shown.
    await expect
      .poll(async () => `${await page.getByTestId('summarize-llm-options').textContent()} ${await page.getByTestId('error-alert').allTextContents()}`, { timeout: 30_000 })
      .toMatch(/context 256 tokens → chunk \d+/);
    await page.getByLabel('Output per call (tokens)').fill('16');
    await page.getByTestId('summarize-llm-options').getByText('Prompts').click();
    expect(await page.getByTestId('summarize-map-prompt').inputValue()).toContain('{text}');
    await page.getByTestId('summarize-submit').click();
    await waitForTestId(page, 'summary-text', 60_000);
    expect(await page.getByTestId('summary-stats').textContent()).toMatch(/^map-reduce on tiny · .* · \d+ chunks · \d+ LLM calls/);
    const calls = page.getByTestId('summary-call');
    // The trace renders after the summary text; under load that can take a few seconds (expect.poll's default is 1 s).
    await expect.poll(() => calls.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    // The calls are grouped by stage: open the map stage first.
    await page.locator('[data-testid="summary-stage"][data-stage="map"]').getByRole('button').first().click();
    await calls.first().getByRole('button').click();
    await expect.poll(() => calls.first().textContent()).toMatch(/map 1/);
    await fullPageScreenshot(page, `${SHOTS}-llm.png`);
    expect(watched.pageErrors).toEqual([]);
  }, 120_000);
});
