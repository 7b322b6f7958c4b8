/**
 * Issue 19, item 6: data is checked against the task before training. A dataset whose file reads cleanly ("No
 * problems found") but has 20 documents per class used to offer Train, and the job then failed on Comprehend's
 * 50-per-class minimum. Now the dataset page and the create-classifier wizard run training's data rules as a dry
 * run (POST /text/classifiers/check), say what would fail and why, and disable Train with the reason.
 */
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { topicsCsv } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_CHECK_SCREENSHOTS || '/tmp/sagebrush-training-check';

const suite: BrowserSuiteOptions = {
  skippedTest: 'disables Train with the reason',
  prefix: 'sagebrush-check-',
  async setup({ api }) {
    await api.uploadCsv('few', topicsCsv(20));
    await api.uploadCsv('enough', topicsCsv(60));
  },
};

describeBrowser('training check UI', suite, (s) => {
  it('says on the dataset page that training would fail, and disables Train with the reason', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/datasets/few`);
    await waitForTestId(page, 'dataset-page');
    await waitForTestId(page, 'validation-ok');
    const check = page.getByTestId('dataset-training-check');
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 15_000 }).toBe('blocked');
    expect(await check.textContent()).toMatch(/label "(sports|cooking|tech)" has 20 documents; multi-class training needs at least 50 per label/);
    expect(await check.textContent()).toContain('Add at least 30 more documents');
    expect(await page.getByTestId('dataset-train-classifier').getAttribute('data-disabled')).toBe('true');
    expect(await page.getByTestId('dataset-train-reason').getAttribute('data-reason')).toMatch(/^Training would fail: .*has 20 documents.*\(and 2 more problems\)\.$/);
    await fullPageScreenshot(page, `${SHOTS}-dataset.png`);

    // A dataset that meets the rules keeps Train enabled and says so.
    await page.goto(`${server.baseUrl}/datasets/enough`);
    await waitForTestId(page, 'dataset-page');
    await expect.poll(() => page.getByTestId('dataset-training-check').getAttribute('data-state'), { timeout: 15_000 }).toBe('ok');
    expect(await page.getByTestId('dataset-training-check').textContent()).toContain('180 documents, 3 labels');
    expect(await page.getByTestId('dataset-train-classifier').getAttribute('data-disabled')).toBeNull();
  });

  it('disables Train in the wizard until the mode fits the data', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/models/new?dataset=few`);
    await waitForTestId(page, 'create-classifier');
    const check = page.getByTestId('clf-check');
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 15_000 }).toBe('blocked');
    const submit = page.getByTestId('clf-submit');
    expect(await submit.isDisabled()).toBe(true);
    expect(await page.getByTestId('clf-submit-reason').textContent()).toMatch(/^Training would fail: .*has 20 documents; multi-class training needs at least 50 per label/);
    await fullPageScreenshot(page, `${SHOTS}-wizard.png`);

    // 60 documents with ≥ 10 per label meet the multi-label minimums: Train comes back.
    await page.getByTestId('clf-mode').getByText('Multi-label', { exact: false }).click();
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 15_000 }).toBe('ok');
    expect(await submit.isDisabled()).toBe(false);
    expect(await page.getByTestId('clf-submit-reason').textContent()).not.toContain('Training would fail');
    expect(watched.externalRequests).toEqual([]);
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
