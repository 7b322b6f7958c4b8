/**
 * Issue 19, item 3: jobs read like a console's — readable names ("Train text classifier topics", not `text.train`),
 * links to what each produced, the job's stage logs instead of raw JSON and "No log lines", status badges that are
 * never cut ("SUCCEE…"), and an image build cancelled from its job page recorded as cancelled (job and model
 * version), not failed. The cancel part needs the HAM10000 sample (examples/images or the shared data).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fullPageScreenshot, testIdWhere, waitForTestId } from './browser.ts';
import { json, topicsCsv } from './studio.ts';
import { packImages } from '../../src/domains/images/folder.ts';
import { SHARED_DATA } from '../../src/ml/__reference__/sharedData.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_JOBS_SCREENSHOTS || '/tmp/sagebrush-jobs';
const HAM = [resolve(import.meta.dirname, '../../examples/images/ham10000'), join(SHARED_DATA, 'ham10000-sample')].find((d) => existsSync(join(d, 'images_manifest.csv')));

/** Status badges whose word does not fit (the label is cut with an ellipsis). */
async function cutBadges(page: Page): Promise<string[]> {
  return page.locator('[data-testid="job-status"], [data-testid="job-detail-status"]').evaluateAll((badges) =>
    badges.flatMap((b) => {
      const label = (b.querySelector('.mantine-Badge-label') ?? b) as HTMLElement;
      return label.scrollWidth > label.clientWidth + 1 || b.scrollWidth > b.clientWidth + 1 ? [b.textContent ?? ''] : [];
    }),
  );
}

let trainJob = '';

const suite: BrowserSuiteOptions = {
  skippedTest: 'names jobs, links outputs, shows stage logs',
  prefix: 'sagebrush-jobs-',
  // A laptop-width window: the jobs table is at its narrowest.
  viewport: { width: 1100, height: 900 },
  async setup({ api }) {
    await api.uploadCsv('topics', topicsCsv(60));
    trainJob = await api.trainText({ name: 'topics', dataset: 'topics' });
  },
};

describeBrowser('jobs UI', suite, (s) => {
  it('lists jobs by readable name, with links to what they produced and whole status badges', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/jobs`);
    const train = testIdWhere(page, 'job-row', { 'job-id': trainJob });
    await train.waitFor({ timeout: 20_000 });
    expect(await train.getByTestId('job-name').textContent()).toBe('Train text classifier topics');
    const model = train.getByTestId('job-output');
    expect(await model.getAttribute('href')).toBe('/models/topics/1');
    const importRow = testIdWhere(page, 'job-row', { 'job-type': 'datasets.import' });
    await expect.poll(() => importRow.getByTestId('job-name').textContent()).toBe('Import dataset topics v1');
    expect(await importRow.getByTestId('job-output').getAttribute('href')).toMatch(/^\/datasets\/[^/?]+\?v=1$/);
    expect(await page.getByTestId('job-status').count()).toBe(2);
    expect(await cutBadges(page)).toEqual([]);
    await fullPageScreenshot(page, `${SHOTS}-list.png`);

    // A click in the middle of a row opens the job; the links in it open what it produced.
    await page.setViewportSize({ width: 1400, height: 900 });
    await importRow.click();
    await waitForTestId(page, 'job-detail');
    expect(await page.getByTestId('job-detail-name').textContent()).toBe('Import dataset topics v1');
    await page.goBack();
    await model.click();
    await page.waitForURL(/\/models\/topics\/1$/);
    await waitForTestId(page, 'model-page');
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('shows a finished training job with its stage logs, not raw JSON', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/jobs/${trainJob}`);
    await waitForTestId(page, 'job-detail');
    expect(await page.getByTestId('job-detail-name').textContent()).toBe('Train text classifier topics');
    const lines = page.getByTestId('job-log-line');
    await expect.poll(() => lines.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const text = (await lines.allTextContents()).join('\n');
    expect(text).toContain('reading training data');
    expect(text).toMatch(/training on \d+ documents/);
    expect(text).toMatch(/evaluating on \d+ documents/);
    expect(await page.getByText('No log lines').count()).toBe(0);
    // The request and result JSON stay folded away until asked for.
    expect(await page.getByText('"dataset": "topics"').isVisible()).toBe(false);
    expect(await page.getByTestId('job-detail').getByTestId('job-output').getAttribute('href')).toBe('/models/topics/1');
    expect(await cutBadges(page)).toEqual([]);
    await fullPageScreenshot(page, `${SHOTS}-detail.png`);
  });

  it.skipIf(!HAM)('records an image build cancelled from its job page as cancelled, job and model version', { timeout: 180_000 }, async () => {
    const { page, server, watched, api } = s;
    const form = new FormData();
    form.append('name', 'skin');
    form.append('file', new Blob([new Uint8Array(packImages(HAM!).zip)], { type: 'application/zip' }), 'skin.zip');
    await json(await fetch(`${server.baseUrl}/api/v1/datasets?wait=true`, { method: 'POST', body: form }));
    const { job } = await api.post<{ job: { id: string } }>('/images/models', { name: 'skin', dataset: 'skin', build: 'standard' });

    await page.goto(`${server.baseUrl}/jobs/${job.id}`);
    await waitForTestId(page, 'job-detail');
    expect(await page.getByTestId('job-detail-name').textContent()).toBe('Standard build of image classifier skin');
    const status = page.getByTestId('job-detail-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 60_000 }).toBe('running');
    // Cancel mid-build, once it logs its first stages.
    await expect.poll(() => page.getByTestId('job-log-line').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    await page.getByTestId('job-cancel').click();
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    expect(await page.getByTestId('error-alert').count()).toBe(0);
    expect((await page.getByTestId('job-log-line').allTextContents()).join('\n')).toContain('reading the dataset');

    // The version the build created says cancelled, on the image model page the job links to.
    const link = page.getByTestId('job-detail').getByTestId('job-output');
    await expect.poll(() => link.getAttribute('href'), { timeout: 10_000 }).toBe('/images/models/skin/1');
    await link.click();
    await waitForTestId(page, 'images-model-page');
    await expect.poll(() => page.getByTestId('images-model-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('cancelled');
    expect(await page.getByTestId('images-model-state').textContent()).toContain('cancelled');

    await page.goto(`${server.baseUrl}/jobs`);
    const row = testIdWhere(page, 'job-row', { 'job-id': job.id });
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('cancelled');
    expect(await cutBadges(page)).toEqual([]);
    await fullPageScreenshot(page, `${SHOTS}-cancelled.png`);
    expect(watched.externalRequests).toEqual([]);
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
