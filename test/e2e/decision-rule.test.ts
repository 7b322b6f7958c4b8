/**
 * Issue 19, item 2: which decision rule is live shows beside the headline metrics ("@0.5" until tuned, then
 * "tuned"), and the try-it score bars carry a mark at each label's threshold, so a label predicted at a lower
 * score than one that is not reads as intended. A multi-label model and its endpoint are set up through the API.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fullPageScreenshot, testIdWhere, waitForTestId } from './browser.ts';
import { multiLabelTopicsCsv, TOPICS } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOT = process.env.SAGEBRUSH_DECISION_SCREENSHOT || '/tmp/sagebrush-decision-rule.png';
const MODEL = 'topics-ml';
const TEXT = 'the coach and the team ate garlic bread after the match';

interface Row { label: string; score: number; predicted: boolean; threshold: number | null; marks: number }

async function scoreRows(page: Page): Promise<Row[]> {
  return page.getByTestId('score-row').evaluateAll((rows) =>
    rows.map((r) => ({
      label: r.getAttribute('data-label') ?? '',
      score: Number(r.textContent?.match(/\d\.\d{3}/)?.[0]),
      predicted: r.getAttribute('data-predicted') === 'true',
      threshold: r.getAttribute('data-threshold') === null ? null : Number(r.getAttribute('data-threshold')),
      marks: r.querySelectorAll('[data-testid="score-threshold"]').length,
    })),
  );
}

async function classify(page: Page): Promise<Row[]> {
  // The model page shows Try it in its own tab (the endpoint dialog has no tabs).
  if (await page.getByTestId('model-tab-try').count()) await page.getByTestId('model-tab-try').click();
  await page.getByTestId('try-it-text').fill(TEXT);
  await page.getByTestId('try-it-submit').click();
  await page.getByTestId('score-row').first().waitFor({ timeout: 20_000 });
  return scoreRows(page);
}

const suite: BrowserSuiteOptions = {
  skippedTest: 'shows the live rule and threshold marks',
  prefix: 'sagebrush-decision-',
  async setup({ api }) {
    await api.uploadCsv(MODEL, multiLabelTopicsCsv());
    await api.trainText({ name: MODEL, dataset: MODEL, mode: 'multi-label' });
    await api.post('/endpoints', { name: MODEL, model: `${MODEL}:1` });
  },
};

describeBrowser('decision rule UI', suite, (s) => {
  it('shows "@0.5" beside the metrics and a 0.5 mark on every score bar before tuning', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/models/${MODEL}/1`);
    await waitForTestId(page, 'model-page');
    const badge = page.getByTestId('model-metrics').getByTestId('decision-rule');
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('@0.5');
    expect(await page.getByTestId('metrics-rule-note').count()).toBe(0);

    const rows = await classify(page);
    expect(rows.map((r) => r.label).sort()).toEqual([...TOPICS].sort());
    for (const r of rows) {
      expect(r, JSON.stringify(r)).toMatchObject({ threshold: 0.5, marks: 1, predicted: r.score >= 0.5 });
    }
    expect(await page.getByTestId('score-rule').textContent()).toContain('0.500');
  });

  it('after tuning shows "tuned", the per-label thresholds on the bars, and why each label is or is not predicted', async () => {
    const { page, server, watched, api } = s;
    const { job } = await api.post<{ job: { id: string } }>(`/text/models/${MODEL}/versions/1/tune`, {});
    await api.waitJob(job.id);
    const decision = await api.get<{ thresholds: Record<string, number> }>(`/text/models/${MODEL}/versions/1/decision`);

    await page.goto(`${server.baseUrl}/models/${MODEL}/1`);
    await waitForTestId(page, 'model-page');
    const badge = page.getByTestId('model-metrics').getByTestId('decision-rule');
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('tuned');
    expect(await page.getByTestId('metrics-rule-note').textContent()).toContain('@0.5');

    const rows = await classify(page);
    for (const r of rows) {
      const t = decision.thresholds[r.label]!;
      expect(r.threshold).toBeCloseTo(t, 6);
      expect(r.marks).toBe(1);
      // Predicted exactly when the score reaches the label's threshold (scores shown to 3 decimals).
      if (r.predicted) expect(r.score, r.label).toBeGreaterThanOrEqual(t - 5e-4);
      else expect(r.score, r.label).toBeLessThan(t + 5e-4);
      if (!r.predicted) expect(await testIdWhere(page, 'score-row', { label: r.label }).getByTestId('score-below').textContent()).toBe(`below ${t.toFixed(3)}`);
    }
    expect(await page.getByTestId('score-rule').getAttribute('data-rule')).toBe('tuned');
    await fullPageScreenshot(page, SHOT);

    // The Models list says the same, and so does the endpoint's try-it dialog.
    await page.goto(`${server.baseUrl}/models`);
    await expect.poll(() => testIdWhere(page, 'model-row', { model: `${MODEL}:1` }).getByTestId('decision-rule').textContent(), { timeout: 10_000 }).toBe('tuned');
    await page.goto(`${server.baseUrl}/endpoints`);
    await testIdWhere(page, 'endpoint-row', { endpoint: MODEL }).getByTestId('endpoint-try').click();
    const dialogRows = await classify(page);
    expect(dialogRows.every((r) => r.marks === 1 && r.threshold !== null && Math.abs(r.threshold - decision.thresholds[r.label]!) < 1e-6)).toBe(true);

    expect(watched.externalRequests).toEqual([]);
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
