/**
 * Browser test of the web UI against the real server, in-process: upload a CSV through the Datasets
 * page, follow the import job, check the dataset page (preview, label chart) and the Jobs page.
 * Needs web/dist (built by global-setup.ts) and /usr/bin/chromium; without Chromium it skips with a
 * message, except under CI where it fails.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fullPageScreenshot } from './browser.ts';
import { describeBrowser } from './suite.ts';

const SCREENSHOT = process.env.SAGEBRUSH_UI_SCREENSHOT || '/tmp/sagebrush-ui.png';
const LABELS = ['billing', 'shipping', 'returns'];
const KNOWN_CELL = 'Hello, I was charged twice for one order';

/** 60 rows of Comprehend-style `label,text` (no header), with a quoted comma and a quoted newline. */
function sampleCsv(): string {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const label = LABELS[i % LABELS.length]!;
    if (i === 0) lines.push(`${label},"${KNOWN_CELL}"`);
    else if (i === 1) lines.push(`${label},"Line one of a parcel question\nline two: where is it?"`);
    else lines.push(`${label},Customer message ${i} about ${label} ${'and more words '.repeat(i % 7)}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

describeBrowser('web UI', { skippedTest: 'uploads a dataset and shows it' }, (s) => {
  it('uploads a CSV, follows the import and shows the dataset', async () => {
    const { page, watched } = s;
    const { tmpDir, baseUrl } = s.server;
    const csvPath = join(tmpDir, 'support-tickets.csv');
    writeFileSync(csvPath, sampleCsv());

    await page.goto(baseUrl + '/');
    await expect.poll(() => page.getByTestId('product-name').textContent()).toBe('Sagebrush');
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('datasets-empty').waitFor();

    await page.getByTestId('upload-file').setInputFiles(csvPath);
    await expect.poll(() => page.getByTestId('upload-file-name').textContent()).toContain('support-tickets.csv');
    await page.getByTestId('upload-name').fill('ui-sample');
    await page.getByTestId('upload-description').fill('Support tickets uploaded by the browser test');
    await page.getByTestId('upload-header').click();
    await page.getByRole('option', { name: 'No header row' }).click();
    await page.getByTestId('upload-submit').click();

    // The upload follows the datasets.import job and opens the dataset page when it succeeds.
    await page.waitForURL(/\/datasets\/ui-sample/, { timeout: 30_000 }).catch(async (err) => {
      const alert = await page.getByTestId('error-alert').textContent().catch(() => null);
      throw new Error(`no navigation to the dataset page${alert ? `; the page shows: ${alert}` : ''} (${String(err)})`);
    });
    await page.getByTestId('dataset-page').waitFor();
    expect(await page.getByTestId('dataset-name').textContent()).toBe('ui-sample');

    const table = page.getByTestId('preview-table');
    await table.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('preview-row').count()).toBe(25);
    await expect.poll(() => page.getByTestId('preview-range').textContent()).toContain('of 60');
    expect(await table.textContent()).toContain(KNOWN_CELL);
    const multiline = table.locator('td', { hasText: 'Line one of a parcel question' });
    expect(await multiline.innerText()).toMatch(/Line one of a parcel question\s*\n\s*line two: where is it\?/);
    expect(await page.getByTestId('summary-rows').textContent()).toBe('60');

    // Label statistics chart (Observable Plot renders an SVG with one bar per label).
    const chart = page.getByTestId('label-chart');
    await chart.locator('svg').first().waitFor({ timeout: 10_000 });
    for (const label of LABELS) expect(await chart.textContent()).toContain(label);

    await fullPageScreenshot(page, SCREENSHOT);

    // Page 2 of the preview.
    await page.getByTestId('preview-pagination').getByRole('button', { name: '2' }).click();
    await expect.poll(() => page.getByTestId('preview-range').textContent()).toContain('Rows 26–50');

    // The Jobs page lists the import job as succeeded.
    await page.getByTestId('nav-jobs').click();
    const jobRow = page.locator('[data-testid="job-row"][data-job-type="datasets.import"]');
    await jobRow.first().waitFor();
    await expect.poll(() => jobRow.first().getAttribute('data-status')).toBe('succeeded');
    await fullPageScreenshot(page, SCREENSHOT.replace(/\.png$/, '-jobs.png'));

    // Job detail with logs.
    await jobRow.first().click();
    await page.getByTestId('job-detail').waitFor();
    expect(await page.getByTestId('job-detail-status').textContent()).toBe('succeeded');
    expect(await page.getByTestId('job-cancel').isDisabled()).toBe(true);

    // Models: the empty state while no model exists (or the route is not there yet).
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-empty').waitFor();

    expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  });

  it('shows what is wrong with a bad file, row by row', async () => {
    const { page, watched } = s;
    const { tmpDir } = s.server;
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('datasets-table').waitFor();

    // Rejected at once (empty file): problem+json from the upload request.
    const emptyPath = join(tmpDir, 'empty.csv');
    writeFileSync(emptyPath, '');
    await page.getByTestId('upload-file').setInputFiles(emptyPath);
    await page.getByTestId('upload-submit').click();
    const alert = page.getByTestId('error-alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/FILE_EMPTY|empty|no content/i);

    // Rejected by the import job: a row with too many fields.
    const badPath = join(tmpDir, 'bad-rows.csv');
    writeFileSync(badPath, 'billing,fine text\nshipping,too,many,fields\nreturns,ok text\n');
    await page.getByTestId('upload-file').setInputFiles(badPath);
    await page.getByTestId('upload-name').fill('ui-bad');
    await page.getByTestId('upload-submit').click();
    const failed = page.getByTestId('import-failed');
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.textContent()).toContain('CSV_MALFORMED');
    // In the narrow upload panel the problems are cards (row, field, problem, fix), not a table.
    const problemRow = failed.locator('[data-testid="problem-list"][data-layout="cards"] [data-severity="error"]').first();
    await problemRow.waitFor();
    expect(await problemRow.textContent()).toMatch(/error\s*row 2.*has 4 fields.*Fix:/i);
    // The form is usable again for the next try.
    expect(await page.getByTestId('upload-submit').isEnabled()).toBe(true);
    await fullPageScreenshot(page, SCREENSHOT.replace(/\.png$/, '-error.png'));
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  });
});
