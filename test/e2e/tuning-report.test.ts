/**
 * Browser test: the model page of an untuned text classifier asks for no tuning report (it knows from the version's
 * artifacts), so there is no 404 in the console; once the model is tuned, the page shows the report.
 */
import { expect, it } from 'vitest';
import { waitForTestId } from './browser.ts';
import { json } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const MODEL = 'notes';
const WORDS = { billing: ['invoice', 'refund', 'charge', 'price'], shipping: ['parcel', 'courier', 'delivery', 'tracking'], account: ['password', 'login', 'email', 'profile'] };

function csv(): string {
  const rows: string[] = [];
  for (let i = 0; i < 60; i++) {
    for (const [label, words] of Object.entries(WORDS)) rows.push(`${label},my ${words[i % 4]} and the ${words[(i + 1) % 4]} question number ${i}`);
  }
  return `${rows.join('\n')}\n`;
}

const suite: BrowserSuiteOptions = {
  skippedTest: 'asks for no report of an untuned model',
  prefix: 'sagebrush-tuning-report-',
  async setup({ api }) {
    await api.uploadCsv('notes', csv());
    await api.trainText({ name: MODEL, dataset: 'notes', mode: 'multi-class' });
  },
};

describeBrowser('tuning report requests', suite, (s) => {
  const apiUrl = (path: string) => `${s.server.baseUrl}/api/v1${path}`;
  const waitForJob = (id: string) => s.api.waitJob(id, 'succeeded', 30_000);

  it('asks for no report before tuning, and shows it after', async () => {
    const { page, server, watched } = s;
    const reportRequests: string[] = [];
    const notFound: string[] = [];
    page.on('request', (r) => r.url().includes('/tuning-report') && reportRequests.push(r.url()));
    page.on('response', (r) => r.status() === 404 && notFound.push(r.url()));

    await page.goto(`${server.baseUrl}/models/${MODEL}/1`);
    await waitForTestId(page, 'model-page');
    // The tuning panel may sit on a tab of the model page: open it where there is one.
    const tab = page.getByRole('tab', { name: /quality|tun/i }).first();
    if (await tab.count()) await tab.click();
    await waitForTestId(page, 'tune-none');
    await page.waitForLoadState('networkidle');
    expect(reportRequests).toEqual([]);
    expect(notFound).toEqual([]);
    expect(watched.consoleErrors.filter((e) => /404/.test(e))).toEqual([]);

    const { job } = await json<{ job: { id: string } }>(await fetch(apiUrl(`/text/models/${MODEL}/versions/1/tune`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    await waitForJob(job.id);
    await page.reload();
    const tabAgain = page.getByRole('tab', { name: /quality|tun/i }).first();
    if (await tabAgain.count()) await tabAgain.click();
    await waitForTestId(page, 'tuning-report');
    expect(reportRequests.length).toBeGreaterThanOrEqual(1);
    expect(notFound).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
  });
});
