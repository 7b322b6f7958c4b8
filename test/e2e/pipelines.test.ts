/**
 * Issue 14 (pipelines) in the browser: the example pipeline applied and run over the API shows on the Pipelines
 * page; its run page lists the steps with live state (waiting at the approval), a step's outputs and log; once the
 * model is approved the page follows the run to `succeeded`; the pipeline page starts a run from its form.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { topicsCsv } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOT = process.env.SAGEBRUSH_PIPELINES_SCREENSHOT || '/tmp/sagebrush-pipelines.png';
const EXAMPLE = new URL('../../examples/pipelines/retrain-text-classifier.yaml', import.meta.url);
const PARAMS = { dataset: 'topics', mode: 'multi-class', modelName: 'topics', endpoint: 'topics-live', minF1: 0.1 };
let runId = '';

const suite: BrowserSuiteOptions = {
  skippedTest: 'shows a run live and follows it through the approval',
  prefix: 'sagebrush-pipelines-',
  async setup({ api }) {
    await api.uploadCsv('topics', topicsCsv(60));
    await api.post('/pipelines', { text: readFileSync(EXAMPLE, 'utf8') });
    runId = (await api.post<{ id: string }>('/pipelines/retrain-text-classifier/runs', { params: PARAMS })).id;
  },
};

describeBrowser('pipelines UI', suite, (s) => {
  it('shows a run live and follows it through the approval', async () => {
    const { page, server, watched, api } = s;
    await page.goto(`${server.baseUrl}/datasets`);
    await page.getByTestId('nav-pipelines').click();
    await waitForTestId(page, 'pipelines-table');
    expect(await page.getByTestId('pipelines-table').textContent()).toContain('retrain-text-classifier');
    await page.goto(`${server.baseUrl}/pipelines/runs/${runId}`);
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('waiting');
    expect(await page.getByTestId('step-approve').textContent()).toContain('waiting');
    expect(await page.getByTestId('step-too-weak').textContent()).toContain('skipped');
    await page.getByTestId('step-train').click();
    await waitForTestId(page, 'step-detail');
    expect(await page.getByTestId('step-detail').textContent()).toContain('"name": "topics"');
    await expect.poll(() => page.getByTestId('step-log').textContent(), { timeout: 10_000 }).toMatch(/training on \d+ documents/);

    await api.put('/models/topics/versions/1/approval', { status: 'Approved' });
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    expect(await page.getByTestId('step-deploy').textContent()).toContain('succeeded');
    await fullPageScreenshot(page, SHOT);

    await page.goto(`${server.baseUrl}/pipelines/retrain-text-classifier`);
    await page.getByTestId('param-dataset').fill('topics');
    await page.getByTestId('param-mode').fill('multi-class');
    await page.getByTestId('param-modelName').fill('topics');
    await page.getByTestId('start-run').click();
    await page.waitForURL(/\/pipelines\/runs\/prun_/);
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    expect(await page.getByTestId('step-train').textContent()).toContain('cached');
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
