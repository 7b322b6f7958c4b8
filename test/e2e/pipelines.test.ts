/**
 * Issue 14 (pipelines) in the browser: the example pipeline applied and run over the API shows on the Pipelines
 * page; its run page draws the steps as a DAG whose nodes carry their live state (waiting at the approval, the weak
 * branch skipped) and lists them; clicking a node shows the step's outputs and log; once the model is approved the
 * page follows the run to `succeeded`; the lineage view (from the run page and from the model page) shows dataset
 * version → run → model version → endpoint both ways; the pipeline page lists the run history with parameters and
 * trigger and starts a run from its form.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { fullPageScreenshot, testIdWhere, waitForTestId } from './browser.ts';
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
    const node = (step: string) => page.getByTestId(`dag-node-${step}`);
    await expect.poll(() => node('approve').getAttribute('data-status'), { timeout: 20_000 }).toBe('waiting');
    const dagStates = async () => Object.fromEntries(await Promise.all(['data', 'train', 'evaluate', 'check-f1', 'register', 'approve', 'deploy', 'champion', 'too-weak'].map(async (n) => [n, await node(n).getAttribute('data-status')])));
    expect(await dagStates()).toEqual({ data: 'succeeded', train: 'succeeded', evaluate: 'succeeded', 'check-f1': 'succeeded', register: 'succeeded', approve: 'waiting', deploy: 'pending', champion: 'pending', 'too-weak': 'skipped' });
    await node('train').click();
    await waitForTestId(page, 'step-detail');
    expect(await page.getByTestId('step-detail').textContent()).toContain('"name": "topics"');
    await expect.poll(() => page.getByTestId('step-log').textContent(), { timeout: 10_000 }).toMatch(/training on \d+ documents/);

    await api.put('/models/topics/versions/1/approval', { status: 'Approved' });
    await expect.poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    expect(await page.getByTestId('step-deploy').textContent()).toContain('succeeded');
    await expect.poll(() => node('deploy').getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded');
    expect(await page.getByTestId('run-meta').textContent()).toMatch(/manual \(via=api\).*dataset=topics/);
    await fullPageScreenshot(page, SHOT);

    // Lineage from the run: the dataset version upstream, the model version and the endpoint downstream.
    await page.getByTestId('run-lineage').click();
    await waitForTestId(page, 'lineage-view');
    const lineageNode = (kind: string, direction: string) => testIdWhere(page, `lineage-node-${kind}`, { direction });
    await expect.poll(() => lineageNode('run', 'self').getAttribute('data-id'), { timeout: 10_000 }).toBe(runId);
    expect(await lineageNode('dataset-version', 'upstream').count()).toBe(1);
    const modelId = await lineageNode('model-version', 'downstream').getAttribute('data-id');
    expect(modelId).toMatch(/\S/);
    expect(await lineageNode('endpoint', 'downstream').getAttribute('data-id')).toBe('topics-live');
    // From the model page: the run and the dataset version upstream, the endpoint downstream.
    await page.goto(`${server.baseUrl}/models/topics/1`);
    await page.getByTestId('model-lineage').click();
    await waitForTestId(page, 'lineage-view');
    await expect.poll(() => lineageNode('model-version', 'self').getAttribute('data-id'), { timeout: 10_000 }).toBe(modelId);
    expect(await lineageNode('run', 'upstream').getAttribute('data-id')).toBe(runId);
    expect(await lineageNode('dataset-version', 'upstream').count()).toBe(1);
    expect(await lineageNode('endpoint', 'downstream').getAttribute('data-id')).toBe('topics-live');

    await page.goto(`${server.baseUrl}/pipelines/retrain-text-classifier`);
    await expect.poll(() => page.getByTestId('pipeline-history').textContent(), { timeout: 10_000 }).toMatch(/manual \(via=api\).*dataset=topics.*endpoint=topics-live/);
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
