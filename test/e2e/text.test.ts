/**
 * Browser test of text classification, end to end against the real server (in-process): upload a
 * 3-class CSV, train a classifier from the UI with the default options, read the model page (metrics,
 * confusion matrix), deploy an endpoint and classify a text in the try-it box, then run a batch job on a
 * 5-line file and download its JSON Lines. Screenshots go to /tmp/sagebrush-text-*.png.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { describeBrowser } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_TEXT_SCREENSHOTS || '/tmp/sagebrush-text';
const MODEL = 'topics';

const WORDS: Record<string, string[]> = {
  sports: ['football', 'goal', 'team', 'match', 'league', 'coach', 'stadium', 'referee', 'season', 'striker'],
  cooking: ['recipe', 'oven', 'garlic', 'flour', 'bake', 'sauce', 'kitchen', 'spice', 'butter', 'simmer'],
  tech: ['laptop', 'software', 'server', 'keyboard', 'code', 'database', 'compile', 'network', 'browser', 'router'],
};
const OPENERS = ['Yesterday', 'This morning', 'Last week', 'Tonight', 'On Sunday', 'Today'];
const SUBJECTS = ['my friend', 'the neighbour', 'our group', 'a colleague', 'my sister'];

/** 3 classes × 60 distinct sentences, `label,text`, no header, shuffled deterministically. */
function trainingCsv(): string {
  const rows: string[] = [];
  for (const [label, words] of Object.entries(WORDS)) {
    for (let i = 0; i < 60; i++) {
      const a = words[i % words.length]!;
      const b = words[(i * 3 + 1) % words.length]!;
      const c = words[(i * 7 + 2) % words.length]!;
      rows.push(`${label},${OPENERS[i % OPENERS.length]} ${SUBJECTS[i % SUBJECTS.length]} talked about the ${a} and the ${b} then the ${c} (note ${i})`);
    }
  }
  // Interleave the classes so the file does not read as three blocks.
  return `${rows.map((_, k) => rows[(k % 3) * 60 + Math.floor(k / 3)]).join('\n')}\n`;
}

const BATCH = ['The striker scored a goal for the team', 'Bake the garlic bread in the oven', 'The server crashed after the software update', 'The coach praised the league match', 'Simmer the sauce with butter and spice'];
const BATCH_EXPECTED = ['sports', 'cooking', 'tech', 'sports', 'cooking'];

describeBrowser('text classification UI', { skippedTest: 'trains, deploys and runs a batch job', prefix: 'sagebrush-text-', acceptDownloads: true }, (s) => {

  it('trains a classifier, shows its metrics, classifies a text and runs a batch job', async () => {
    const { page, server, watched } = s;
    const csvPath = join(server.tmpDir, 'topics.csv');
    writeFileSync(csvPath, trainingCsv());

    // Upload the dataset.
    await page.goto(`${server.baseUrl}/datasets`);
    await page.getByTestId('upload-file').setInputFiles(csvPath);
    await page.getByTestId('upload-name').fill('topics');
    await page.getByTestId('upload-header').click();
    await page.getByRole('option', { name: 'No header row' }).click();
    await page.getByTestId('upload-submit').click();
    await page.waitForURL(/\/datasets\/topics/, { timeout: 20_000 });
    const train = page.getByTestId('dataset-train-classifier');
    await expect.poll(() => train.getAttribute('data-disabled'), { timeout: 15_000 }).toBeNull();

    // Create the classifier from the dataset page, default options.
    await train.click();
    await waitForTestId(page, 'create-classifier');
    await expect.poll(() => page.getByTestId('clf-dataset').inputValue()).toBe('topics');
    await expect.poll(() => page.getByTestId('clf-dataset-info').textContent()).toContain('3 labels');
    await page.getByTestId('clf-name').fill(MODEL);
    await fullPageScreenshot(page, `${SHOTS}-create.png`);
    await page.getByTestId('clf-submit').click();

    // The training job's progress, then the model page.
    await page.waitForURL(new RegExp(`/models/${MODEL}/1$`), { timeout: 30_000 }).catch(async (err) => {
      const shown = await page.getByTestId('train-failed').textContent({ timeout: 500 }).catch(() => null);
      throw new Error(`no model page${shown ? `; the page shows: ${shown}` : ''} (${String(err)})`);
    });
    await waitForTestId(page, 'model-page');
    expect(await page.getByTestId('model-mode').textContent()).toBe('multi-class');
    const metrics = page.getByTestId('metrics-table');
    await metrics.waitFor();
    const accuracy = await page.locator('[data-testid="metric-row"][data-metric="accuracy"]').textContent();
    expect(Number(accuracy?.match(/\d\.\d{3}/)?.[0])).toBeGreaterThanOrEqual(0.9);
    expect(await page.getByTestId('per-label-row').count()).toBe(3);
    await page.getByTestId('model-tab-confusion').click();
    const matrix = page.getByTestId('confusion-matrix');
    await matrix.locator('svg').first().waitFor({ timeout: 10_000 });
    for (const label of Object.keys(WORDS)) expect(await matrix.textContent()).toContain(label);

    // Deploy an endpoint from the try-it panel and classify a text.
    await page.getByTestId('model-tab-try').click();
    await waitForTestId(page, 'try-it-deploy');
    expect(await page.getByTestId('deploy-name').inputValue()).toBe(MODEL);
    await page.getByTestId('deploy-submit').click();
    await waitForTestId(page, 'try-it-text');
    await page.getByTestId('try-it-text').fill('The referee stopped the football match after the goal');
    await page.getByTestId('try-it-submit').click();
    const top = page.getByTestId('score-row').first();
    await top.waitFor();
    expect(await top.getAttribute('data-label')).toBe('sports');
    expect(await top.getAttribute('data-predicted')).toBe('true');

    // Batch analysis on a 5-line file.
    await page.getByTestId('model-tab-batch').click();
    const batchPath = join(server.tmpDir, 'five.txt');
    writeFileSync(batchPath, `${BATCH.join('\n')}\n`);
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('batch-file').click();
    await (await chooser).setFiles(batchPath);
    await page.getByTestId('batch-submit').click();
    await waitForTestId(page, 'batch-done', 20_000);
    expect(await page.getByTestId('batch-done').getAttribute('data-documents')).toBe('5');
    await fullPageScreenshot(page, `${SHOTS}-model.png`);

    const downloading = page.waitForEvent('download');
    await page.getByTestId('batch-done').getByTestId('batch-download-jsonl').click();
    const download = await downloading;
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    const rows = lines.map((l) => JSON.parse(l) as { File: string; Line: string; Classes: Array<{ Name: string; Score: number }> });
    for (const [i, r] of rows.entries()) {
      expect(r.File).toBe('five.txt');
      expect(Number(r.Line)).toBe(i);
      expect(r.Classes[0]!.Name).toBe(BATCH_EXPECTED[i]);
    }

    // The lists show the model and its endpoint.
    await page.getByTestId('nav-models').click();
    await expect.poll(() => page.locator(`[data-testid="model-row"][data-model="${MODEL}:1"]`).count()).toBe(1);
    await fullPageScreenshot(page, `${SHOTS}-models.png`);
    await page.getByTestId('nav-endpoints').click();
    const endpointRow = page.locator(`[data-testid="endpoint-row"][data-endpoint="${MODEL}"]`);
    await endpointRow.waitFor();
    await endpointRow.getByTestId('endpoint-try').click();
    await page.getByRole('dialog').getByTestId('try-it-text').fill('Knead the flour and butter then bake');
    await page.getByRole('dialog').getByTestId('try-it-submit').click();
    await expect.poll(() => page.getByRole('dialog').getByTestId('score-row').first().getAttribute('data-label')).toBe('cooking');
    await fullPageScreenshot(page, `${SHOTS}-endpoints.png`);

    expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  });

  it('explains why a deployed version cannot be deleted', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/models/${MODEL}/1`);
    await waitForTestId(page, 'model-page');
    await page.getByTestId('model-delete').click();
    await page.getByTestId('model-delete-confirm').click();
    const inUse = page.getByTestId('model-delete-in-use');
    await inUse.waitFor();
    expect(await inUse.textContent()).toContain('IN_USE');
    await fullPageScreenshot(page, `${SHOTS}-in-use.png`);
    expect(watched.pageErrors).toEqual([]);
  });
});
