/**
 * Browser test of the Canvas walk-through for images, end to end against the real server (in-process):
 * upload a zip of the HAM10000 sample (label folders + images_manifest.csv), see the per-label counts, the
 * warnings and the thumbnails, group by lesion_id, quick build, read the advanced metrics, predict one
 * image, run a batch on the same dataset and download the CSV. Screenshots: /tmp/sagebrush-images-*.png.
 * Skips (with the reason) without Chromium or without the shared data; under CI a missing browser fails.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { makeZip, type ZipEntryInput } from '../../src/domains/datasets/testing/zip-writer.ts';
import { SHARED_DATA } from '../../src/ml/__reference__/sharedData.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_IMAGES_SCREENSHOTS || '/tmp/sagebrush-images';
const SAMPLE = join(SHARED_DATA, 'ham10000-sample');
const LABELS = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'];
const MANIFEST = 'images_manifest.csv';

function sampleMissing(): string | null {
  if (!existsSync(join(SAMPLE, MANIFEST))) return `the HAM10000 sample is not at ${SAMPLE} (set SAGEBRUSH_SHARED_DATA)`;
  return null;
}

/** The sample as Canvas imports it: one folder per label, plus the manifest at the root (JPEGs stored, not deflated). */
function sampleZip(): { zip: Buffer; count: number; firstImage: string } {
  const entries: ZipEntryInput[] = [{ name: MANIFEST, data: readFileSync(join(SAMPLE, MANIFEST)) }];
  let firstImage = '';
  for (const label of LABELS) {
    for (const file of readdirSync(join(SAMPLE, label)).sort()) {
      if (!/\.jpe?g$/i.test(file)) continue;
      const path = join(SAMPLE, label, file);
      firstImage ||= path;
      entries.push({ name: `${label}/${file}`, data: readFileSync(path), method: 0 });
    }
  }
  return { zip: makeZip(entries), count: entries.length - 1, firstImage };
}

const suite: BrowserSuiteOptions = {
  skippedTest: 'imports, builds, shows metrics, predicts and runs a batch',
  prefix: 'sagebrush-images-',
  missing: sampleMissing(),
  acceptDownloads: true,
};

describeBrowser('images UI', suite, (s) => {
  it('does the Canvas walk-through: import, quick build, advanced metrics, predict, batch CSV', { timeout: 600_000 }, async () => {
    const { page, server, watched } = s;
    const { zip, count, firstImage } = sampleZip();
    expect(count).toBe(170);
    const zipPath = join(server.tmpDir, 'ham10000-sample.zip');
    writeFileSync(zipPath, zip);

    // List → wizard.
    await page.goto(server.baseUrl);
    await page.getByTestId('nav-images').click();
    await waitForTestId(page, 'images-empty');
    await page.getByTestId('images-new').click();
    await waitForTestId(page, 'images-dataset-step');

    // 1. Upload the zip and follow the import.
    await page.getByTestId('images-upload-file').setInputFiles(zipPath);
    await page.getByTestId('images-upload-name').fill('ham-sample');
    await page.getByTestId('images-upload-submit').click();
    await waitForTestId(page, 'images-overview', 180_000);

    // 2. Counts, warnings and thumbnails.
    await expect.poll(() => page.getByTestId('images-count').textContent(), { timeout: 20_000 }).toMatch(/170\s*images in\s*7\s*labels/);
    const chart = page.getByTestId('images-label-chart');
    await chart.locator('svg').first().waitFor({ timeout: 20_000 });
    for (const label of LABELS) expect(await chart.textContent()).toContain(label);
    const warnings = page.getByTestId('images-warnings');
    await warnings.waitFor();
    expect(await warnings.textContent()).toContain('vasc');
    expect(await page.getByTestId('images-thumb-label').count()).toBe(7);
    const thumb = page.locator('img[data-testid="images-thumb"]').first();
    await thumb.waitFor({ timeout: 20_000 });
    await expect.poll(() => thumb.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), { timeout: 30_000 }).toBe(true);

    // Group by lesion: several images of one lesion must not straddle train and test.
    await page.getByTestId('images-group-column').click();
    await page.getByRole('option', { name: 'lesion_id', exact: true }).click();
    await expect.poll(() => page.getByTestId('images-group-column').inputValue()).toBe('lesion_id');
    await fullPageScreenshot(page, `${SHOTS}-wizard.png`);

    // 3. Quick build, then the model page.
    await page.getByTestId('images-build-quick').click();
    await page.getByTestId('images-model-name').fill('ham-quick');
    await page.getByTestId('images-build-submit').click();
    await waitForTestId(page, 'images-build-progress', 30_000).catch(() => undefined);
    await page.waitForURL(/\/images\/models\/ham-quick\/1/, { timeout: 300_000 }).catch(async (err) => {
      const alert = await page.getByTestId('error-alert').first().textContent({ timeout: 500 }).catch(() => null);
      throw new Error(`the build did not open the model page${alert ? `; the page shows: ${alert}` : ''} (${String(err)})`);
    });

    // Advanced metrics.
    await waitForTestId(page, 'images-advanced-metrics', 30_000);
    const bal = (await page.getByTestId('images-metric-balanced_accuracy').textContent()) ?? '';
    expect(bal).toMatch(/^0\.\d{3}$/);
    expect(Number(bal)).toBeGreaterThan(1 / 7);
    expect(await page.getByTestId('images-metric-macro_f1').textContent()).toMatch(/^0\.\d{3}$/);
    await page.getByTestId('confusion-matrix').locator('svg').first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('per-label-row').count()).toBe(7);
    const split = (await page.getByTestId('images-split').textContent()) ?? '';
    expect(split).toContain('lesion_id');
    await fullPageScreenshot(page, `${SHOTS}-metrics.png`);

    // 4. Predict one image by the file input.
    await page.getByTestId('images-tab-predict').click();
    await page.getByTestId('images-predict-file').setInputFiles(firstImage);
    await waitForTestId(page, 'images-predict-result', 60_000);
    await expect.poll(() => page.getByTestId('images-predict-result').getByTestId('score-row').count()).toBe(7);
    const predicted = (await page.getByTestId('images-predicted').textContent()) ?? '';
    expect(LABELS).toContain(predicted);
    await fullPageScreenshot(page, `${SHOTS}-predict.png`);

    // 5. Batch on the same dataset, download the CSV.
    await page.getByTestId('images-tab-batch').click();
    await waitForTestId(page, 'images-batch');
    await page.getByTestId('images-dataset-mode').getByText(/Use an imported dataset/).click();
    await page.getByTestId('images-dataset-select').click();
    await page.getByRole('option', { name: /^ham-sample/ }).click();
    await page.getByTestId('images-batch-submit').click();
    const download = page.getByTestId('images-batch-download');
    await download.waitFor({ timeout: 300_000 }).catch(async (err) => {
      const alert = await page.getByTestId('error-alert').first().textContent({ timeout: 500 }).catch(() => null);
      throw new Error(`no batch CSV link${alert ? `; the page shows: ${alert}` : ''} (${String(err)})`);
    });
    const downloading = page.waitForEvent('download');
    await download.click();
    const csv = readFileSync(await (await downloading).path(), 'utf8');
    const lines = csv.split(/\r?\n/).filter((l) => l.length > 0);
    expect(lines).toHaveLength(171);
    const header = lines[0]!.split(',');
    expect(header).toContain('predicted');
    expect(header[0]).toBe('path');
    await fullPageScreenshot(page, `${SHOTS}-batch.png`);

    // 6. Deploy: an endpoint for this model and the curl example; Export: the ONNX link.
    await page.getByTestId('images-tab-deploy').click();
    await page.getByTestId('images-deploy-name').fill('ham-endpoint');
    await page.getByTestId('images-deploy-submit').click();
    await waitForTestId(page, 'images-deploy-created', 30_000);
    expect(await page.getByTestId('images-deploy-curl').textContent()).toContain('/api/v1/endpoints/ham-endpoint/predict-image');
    await page.getByTestId('images-tab-export').click();
    expect(await page.getByTestId('images-export-download').getAttribute('href')).toBe('/api/v1/images/models/ham-quick/versions/1/export.onnx');

    // The list shows the model with its headline metrics.
    await page.getByTestId('nav-images').click();
    const row = page.locator('[data-testid="images-model-row"][data-model="ham-quick:1"]');
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain(bal);

    expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  });
});
