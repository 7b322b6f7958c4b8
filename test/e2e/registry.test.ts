/**
 * Issue 14 (model-registry governance) in the browser: a trained text classifier's page shows its approval status
 * (PendingManualApproval) and model card; with deploy-on-approval set, the Approve button records the approval (by
 * "anonymous": the API is open), shows the deployment, and the endpoint appears on the Endpoints page serving it.
 */
import { expect, it } from 'vitest';
import { fullPageScreenshot, testIdWhere, waitForTestId } from './browser.ts';
import { topicsCsv } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOT = process.env.SAGEBRUSH_REGISTRY_SCREENSHOT || '/tmp/sagebrush-registry.png';
const EP = 'topics-live';

const suite: BrowserSuiteOptions = {
  skippedTest: 'approves a version in the UI and the endpoint appears',
  prefix: 'sagebrush-registry-',
  async setup({ api }) {
    await api.uploadCsv('topics', topicsCsv(60));
    await api.trainText({ name: 'topics', dataset: 'topics', mode: 'multi-class' });
    await api.put('/models/topics/settings', { deployOnApproval: { endpoint: EP } });
    await api.put('/models/topics/versions/1/card', { description: 'Sorts posts into sports, cooking and tech.' });
  },
};

describeBrowser('model registry governance UI', suite, (s) => {
  it('approves a version in the UI and the endpoint appears', async () => {
    const { page, server, watched, api } = s;
    await page.goto(`${server.baseUrl}/models/topics/1`);
    await waitForTestId(page, 'approval-panel');
    expect(await page.getByTestId('approval-status').getAttribute('data-status')).toBe('PendingManualApproval');
    // The model card: the written description, the version's metrics and its training data.
    await waitForTestId(page, 'model-card');
    expect(await page.getByTestId('card-description').textContent()).toBe('Sorts posts into sports, cooking and tech.');
    expect(await page.getByTestId('card-lineage').textContent()).toContain('Dataset: topics');
    expect(await page.getByTestId('card-metrics').textContent()).toContain('macro_f1');
    expect(await page.getByTestId('deploy-on-approval-endpoint').inputValue()).toBe(EP);

    await page.getByTestId('approval-reason').fill('macro F1 above 0.9 on the holdout');
    await page.getByTestId('approval-approve').click();
    await expect.poll(() => page.getByTestId('approval-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('Approved');
    await waitForTestId(page, 'approval-deployment');
    expect(await page.getByTestId('approval-deployment').getAttribute('data-action')).toBe('created');
    await expect.poll(() => page.getByTestId('approval-history').textContent(), { timeout: 10_000 }).toContain('anonymous');
    expect(await page.getByTestId('approval-history').textContent()).toContain('macro F1 above 0.9 on the holdout');
    await fullPageScreenshot(page, SHOT);

    await page.goto(`${server.baseUrl}/endpoints`);
    await testIdWhere(page, 'endpoint-row', { endpoint: EP }).first().waitFor({ timeout: 20_000 });
    expect(await testIdWhere(page, 'endpoint-row', { endpoint: EP }).textContent()).toContain('topics');
    const ep = await api.get<{ model: { name: string; version: number } }>(`/endpoints/${EP}`);
    expect(ep.model).toMatchObject({ name: 'topics', version: 1 });
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
