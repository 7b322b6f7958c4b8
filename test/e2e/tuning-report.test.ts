/**
 * Browser test: the model page of an untuned text classifier asks for no tuning report (it knows from the version's
 * artifacts), so there is no 404 in the console; once the model is tuned, the page shows the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailableReason, launchBrowser, watchPage, waitForTestId } from './browser.ts';
import { startServer, type TestServer } from './server.ts';

const unavailable = browserUnavailableReason();
const MODEL = 'notes';
const WORDS = { billing: ['invoice', 'refund', 'charge', 'price'], shipping: ['parcel', 'courier', 'delivery', 'tracking'], account: ['password', 'login', 'email', 'profile'] };

function csv(): string {
  const rows: string[] = [];
  for (let i = 0; i < 60; i++) {
    for (const [label, words] of Object.entries(WORDS)) rows.push(`${label},my ${words[i % 4]} and the ${words[(i + 1) % 4]} question number ${i}`);
  }
  return `${rows.join('\n')}\n`;
}

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

if (unavailable && process.env.CI) {
  describe('tuning report requests', () => {
    it('needs Chromium under CI', () => {
      throw new Error(unavailable);
    });
  });
} else if (unavailable) {
  describe.skip(`tuning report requests — skipped: ${unavailable}`, () => {
    it('asks for no report of an untuned model', () => {});
  });
} else {
  describe('tuning report requests', () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    const apiUrl = (path: string) => `${server.baseUrl}/api/v1${path}`;

    async function waitForJob(id: string): Promise<void> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { status } = await json<{ status: string }>(await fetch(apiUrl(`/jobs/${id}`)));
        if (status === 'succeeded') return;
        if (status === 'failed' || status === 'cancelled' || Date.now() > deadline) throw new Error(`job ${id} ${status}: ${JSON.stringify(await (await fetch(apiUrl(`/jobs/${id}`))).json())}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    beforeAll(async () => {
      server = await startServer('sagebrush-tuning-report-');
      const form = new FormData();
      form.append('name', 'notes');
      form.append('header', 'false');
      form.append('file', new Blob([csv()], { type: 'text/csv' }), 'notes.csv');
      await json(await fetch(apiUrl('/datasets?wait=true'), { method: 'POST', body: form }));
      const { job } = await json<{ job: { id: string } }>(
        await fetch(apiUrl('/text/classifiers'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: MODEL, dataset: 'notes', mode: 'multi-class' }) }),
      );
      await waitForJob(job.id);
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    });

    afterAll(async () => {
      await browser?.close().catch(() => undefined);
      await server?.close();
    });

    it('asks for no report before tuning, and shows it after', async () => {
      const watched = watchPage(page);
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
}
