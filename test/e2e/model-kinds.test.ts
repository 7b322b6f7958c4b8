/**
 * Issue 19, item 1: every row of the Models list opens the page for its kind, with one set of kind names.
 * A text classifier trained through the API and an image classifier version in the registry (no image data
 * needed: the row is what is tested); the image row used to open the text page (two 409 boxes, "Text classifier").
 */
import { expect, it } from 'vitest';
import { testIdWhere, waitForTestId } from './browser.ts';
import { topicsCsv } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const suite: BrowserSuiteOptions = {
  skippedTest: 'opens each model on its kind page',
  prefix: 'sagebrush-kinds-',
  async setup({ server, api }) {
    await api.uploadCsv('topics', topicsCsv(60));
    await api.trainText({ name: 'topics', dataset: 'topics' });
    // An image classifier version as the images domain registers it (kind image-classifier), ready with metrics.
    const models = server.ctx.services.models;
    const img = await models.create({ name: 'skin', kind: 'image-classifier', params: { build: 'quick' } });
    await models.markReady(img.id, { metrics: { balanced_accuracy: 0.61, macro_f1: 0.58 }, artifacts: {} });
  },
};

describeBrowser('model kinds UI', suite, (s) => {
  it('names each kind and opens an image model on the image model page', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/models`);
    const imageRow = testIdWhere(page, 'model-row', { model: 'skin:1' });
    const textRow = testIdWhere(page, 'model-row', { model: 'topics:1' });
    await imageRow.waitFor({ timeout: 20_000 });
    expect(await imageRow.getByTestId('model-kind').textContent()).toBe('Image classifier');
    expect(await textRow.getByTestId('model-kind').textContent()).toBe('Text classifier');

    await imageRow.click();
    await page.waitForURL(/\/images\/models\/skin\/1$/, { timeout: 10_000 });
    await waitForTestId(page, 'images-model-page');
    expect(await page.getByTestId('error-alert').count()).toBe(0);

    // The name link opens the same page; the text row opens the text model page.
    await page.goto(`${server.baseUrl}/models`);
    await textRow.getByRole('link', { name: 'topics' }).click();
    await page.waitForURL(/\/models\/topics\/1$/, { timeout: 10_000 });
    await waitForTestId(page, 'model-page');
    expect(await page.getByTestId('model-page').textContent()).toContain('Text classifier');
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });

  it('sends an old /models link of an image model to its page', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/models/skin/1`);
    await page.waitForURL(/\/images\/models\/skin\/1$/, { timeout: 10_000 });
    await waitForTestId(page, 'images-model-page');
    await page.goto(`${server.baseUrl}/models/skin`);
    await page.waitForURL(/\/images\/models\/skin\/1$/, { timeout: 10_000 });
    expect(await page.getByTestId('error-alert').count()).toBe(0);
    expect(watched.externalRequests).toEqual([]);
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
