/**
 * Issue 19, item 7: endpoint metrics, as Comprehend's endpoint page. A text classifier endpoint gets real calls (some
 * refused) through the API; its page, opened from the Endpoints list, shows the requests, errors and p50/p95/p99 the
 * metrics route reports as cards, draws the per-minute charts, and picks up new calls by itself.
 */
import { expect, it } from 'vitest';
import { formatMs, type EndpointMetrics } from '../../web/src/endpoints/api.ts';
import { fullPageScreenshot, testIdWhere, waitForTestId } from './browser.ts';
import { topicsCsv } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOT = process.env.SAGEBRUSH_ENDPOINT_METRICS_SCREENSHOT || '/tmp/sagebrush-endpoint-metrics.png';
const EP = 'topics-ep';

const suite: BrowserSuiteOptions = {
  skippedTest: 'shows requests, errors and latency percentiles',
  prefix: 'sagebrush-epmetrics-',
  async setup({ api }) {
    await api.uploadCsv('topics', topicsCsv(60));
    await api.trainText({ name: 'topics', dataset: 'topics', mode: 'multi-class' });
    await api.post('/endpoints', { name: EP, model: 'topics:1' });
  },
};

describeBrowser('endpoint metrics UI', suite, (s) => {
  const classify = (Text: string) => fetch(`${s.server.baseUrl}/api/v1/endpoints/${EP}/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Text }) });
  const card = (metric: string) => testIdWhere(s.page, 'endpoint-metric-card', { metric }).getByTestId('endpoint-metric-value');

  it('shows requests, errors and latency percentiles as cards and charts, and refreshes', async () => {
    const { page, server, watched, api } = s;
    for (let i = 0; i < 12; i++) expect((await classify(`the coach and the team won the match ${i}`)).status).toBe(200);
    for (const bad of ['', '   ']) expect((await classify(bad)).status).toBe(400);
    const m = await api.get<EndpointMetrics>(`/endpoints/${EP}/metrics?window=1h`);
    expect(m.summary).toMatchObject({ requests: 14, errors: 2 });

    await page.goto(`${server.baseUrl}/endpoints`);
    await testIdWhere(page, 'endpoint-row', { endpoint: EP }).getByTestId('endpoint-metrics').click();
    await page.waitForURL(new RegExp(`/endpoints/${EP}$`), { timeout: 10_000 });
    await waitForTestId(page, 'endpoint-page');
    await expect.poll(() => card('requests').textContent(), { timeout: 10_000 }).toBe('14');
    expect(await card('errors').textContent()).toBe('2');
    expect(await testIdWhere(page, 'endpoint-metric-card', { metric: 'errors' }).textContent()).toContain('14.3 % · 2 4xx · 0 5xx');
    // The page shows the route's percentiles (the same figures; no calls were made in between).
    expect(await card('p50').textContent()).toBe(formatMs(m.summary.p50Ms));
    expect(await card('p95').textContent()).toBe(formatMs(m.summary.p95Ms));
    expect(await card('p99').textContent()).toBe(formatMs(m.summary.p99Ms));
    // Charts: the requests bars of this minute, the three percentile lines.
    await page.getByTestId('endpoint-requests-chart').locator('svg rect').first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('endpoint-latency-chart').locator('svg [aria-label="line"] path').count()).toBe(3);
    await fullPageScreenshot(page, SHOT);

    // New calls show up without a reload (the page polls).
    for (let i = 0; i < 3; i++) await classify(`bake the garlic bread in the oven ${i}`);
    await expect.poll(() => card('requests').textContent(), { timeout: 15_000 }).toBe('17');

    // Another window reads the same recent calls.
    await page.getByTestId('endpoint-metrics-window').getByText('5m', { exact: true }).click();
    await expect.poll(() => page.getByTestId('endpoint-metric-cards').getAttribute('data-window'), { timeout: 10_000 }).toBe('5m');
    await expect.poll(() => card('requests').textContent(), { timeout: 10_000 }).toBe('17');

    expect(watched.externalRequests).toEqual([]);
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });

  it('says so when the endpoint does not exist', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/endpoints/no-such-endpoint`);
    await waitForTestId(page, 'error-alert');
    expect(await page.getByTestId('error-alert').first().textContent()).toContain('No endpoint "no-such-endpoint"');
  });
});
