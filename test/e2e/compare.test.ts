/**
 * Issue 19, item 7: compare model versions side by side (MLflow's run comparison). Two versions of a multi-label text
 * classifier with different options, both tuned, set up through the API; the Models list and the model page link to
 * the comparison, which shows the parameters (differences highlighted), headline metrics with deltas against the
 * first version, per-label F1 and both versions' precision–recall curves overlaid.
 */
import { expect, it } from 'vitest';
import type { ModelVersion } from '../../web/src/api/types.ts';
import { fullPageScreenshot, testIdWhere, waitForTestId } from './browser.ts';
import { multiLabelTopicsCsv, TOPICS } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOT = process.env.SAGEBRUSH_COMPARE_SCREENSHOT || '/tmp/sagebrush-compare.png';
const MODEL = 'topics-cmp';

let v1: ModelVersion;
let v2: ModelVersion;

const suite: BrowserSuiteOptions = {
  skippedTest: 'compares two versions',
  prefix: 'sagebrush-compare-',
  async setup({ api }) {
    await api.uploadCsv(MODEL, multiLabelTopicsCsv());
    await api.trainText({ name: MODEL, dataset: MODEL, mode: 'multi-label' });
    await api.trainText({ name: MODEL, dataset: MODEL, mode: 'multi-label', options: { C: 0.05, charNgram: null } });
    for (const v of [1, 2]) {
      const { job } = await api.post<{ job: { id: string } }>(`/text/models/${MODEL}/versions/${v}/tune`, {});
      await api.waitJob(job.id);
    }
    v1 = await api.get<ModelVersion>(`/models/${MODEL}/versions/1`);
    v2 = await api.get<ModelVersion>(`/models/${MODEL}/versions/2`);
  },
};

describeBrowser('model comparison UI', suite, (s) => {
  it('opens from the Models list and shows metrics with deltas, per-label F1, parameters and overlaid PR curves', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/models`);
    await testIdWhere(page, 'model-row', { model: `${MODEL}:2` }).getByTestId('model-compare').click();
    await page.waitForURL(new RegExp(`/models/${MODEL}/compare`), { timeout: 10_000 });
    await waitForTestId(page, 'compare-page');
    expect(await page.getByTestId('compare-page').getAttribute('data-versions')).toBe('1,2');

    // Headline metrics: each version's value, and v2's change against v1 (the baseline).
    const macro = testIdWhere(page, 'compare-metric-row', { metric: 'macro_f1' });
    const cells = macro.getByTestId('compare-metric-value');
    const f1 = [v1.metrics!.macro_f1!, v2.metrics!.macro_f1!];
    expect(await cells.nth(0).textContent()).toBe(f1[0]!.toFixed(3));
    const d = f1[1]! - f1[0]!;
    const deltaText = Math.abs(d) < 0.0005 ? '±0.000' : `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`;
    expect(await cells.nth(1).textContent()).toBe(`${f1[1]!.toFixed(3)}${deltaText}`);
    expect(await testIdWhere(page, 'compare-metric-row', { metric: 'hamming_loss' }).count()).toBe(1);

    // Per label: one row per label, F1 of both versions; bars drawn.
    expect((await page.getByTestId('compare-label-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-label')))).sort()).toEqual([...TOPICS].sort());
    const sports = await testIdWhere(page, 'compare-label-row', { label: 'sports' }).locator('td').allTextContents();
    expect(sports[1]).toBe(v1.metrics!.per_label!.sports!.f1.toFixed(3));
    await page.getByTestId('compare-f1-chart').locator('svg rect').first().waitFor({ timeout: 10_000 });

    // Parameters: the changed options are highlighted, the shared ones are not.
    const c = testIdWhere(page, 'compare-param-row', { param: 'options.C' });
    expect(await c.getAttribute('data-differs')).toBe('true');
    expect((await c.locator('td').allTextContents())[2]).toBe('0.05');
    expect(await testIdWhere(page, 'compare-param-row', { param: 'mode' }).getAttribute('data-differs')).toBe('false');
    await page.getByTestId('compare-only-diff').click();
    await expect.poll(() => testIdWhere(page, 'compare-param-row', { param: 'mode' }).count()).toBe(0);
    expect(await testIdWhere(page, 'compare-param-row', { param: 'options.C' }).count()).toBe(1);

    // Both versions were tuned: their PR curves of one label are overlaid.
    const pr = page.getByTestId('compare-pr');
    await pr.waitFor({ timeout: 10_000 });
    expect(await pr.getAttribute('data-versions')).toBe('v1,v2');
    await expect.poll(() => pr.locator('svg [aria-label="line"] path').count(), { timeout: 10_000 }).toBe(2);
    await fullPageScreenshot(page, SHOT);
  });

  it('opens from the model page with that version and another, and follows ?versions= order for the baseline', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/models/${MODEL}/1`);
    await waitForTestId(page, 'model-page');
    await page.getByTestId('model-compare').first().click();
    await page.waitForURL(/\/compare\?versions=2,1$/, { timeout: 10_000 });
    await waitForTestId(page, 'compare-page');
    expect(await page.getByTestId('compare-page').getAttribute('data-versions')).toBe('2,1');
    // v2 is the baseline now: v1's delta is the opposite sign.
    const d = v1.metrics!.macro_f1! - v2.metrics!.macro_f1!;
    const tone = Math.abs(d) < 0.0005 ? 'same' : d > 0 ? 'good' : 'bad';
    expect(await testIdWhere(page, 'compare-metric-row', { metric: 'macro_f1' }).getByTestId('compare-delta').getAttribute('data-tone')).toBe(tone);

    expect(watched.externalRequests).toEqual([]);
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
