/**
 * The scaffolding every browser test file shares: the policy when Chromium is missing, and one real server plus one
 * browser page per suite, opened before the tests and closed after them.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailableReason, launchBrowser, watchPage } from './browser.ts';
import { startServer, type TestServer } from './server.ts';
import { apiClient } from './studio.ts';

/** What a suite's tests use; filled in by its beforeAll, so read it inside tests and hooks, not at collection. */
export interface BrowserSuite {
  server: TestServer;
  api: ReturnType<typeof apiClient>;
  browser: Browser;
  page: Page;
  watched: ReturnType<typeof watchPage>;
}

export interface BrowserSuiteOptions {
  /** The name of the test that stands for the suite when it is skipped. */
  skippedTest: string;
  /** Prefix of the server's throw-away data directory. */
  prefix?: string;
  /** Why data the suite needs is missing (the suite is then skipped, with this reason), or null. */
  missing?: string | null;
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /** Data set up through the server before the browser opens. */
  setup?: (s: BrowserSuite) => Promise<void>;
}

/**
 * `describe(name)` with a started server (`s.server`, `s.api`) and a watched page (`s.page`, `s.watched`).
 * Without Chromium the suite fails under CI (a missing browser is a failure there, not a skip) and is skipped with
 * the reason elsewhere; without the data in `missing` it is skipped.
 */
export function describeBrowser(name: string, opts: BrowserSuiteOptions, body: (s: BrowserSuite) => void): void {
  const noBrowser = browserUnavailableReason();
  const unavailable = noBrowser ?? opts.missing ?? null;
  if (noBrowser && process.env.CI) {
    describe(name, () => {
      it('needs Chromium under CI', () => {
        throw new Error(noBrowser);
      });
    });
    return;
  }
  if (unavailable) {
    describe.skip(`${name} — skipped: ${unavailable}`, () => {
      it(opts.skippedTest, () => {});
    });
    console.warn(`[e2e] skipping "${name}": ${unavailable}`);
    return;
  }
  describe(name, () => {
    const s = {} as BrowserSuite;
    beforeAll(async () => {
      s.server = await startServer(opts.prefix);
      s.api = apiClient(s.server);
      await opts.setup?.(s);
      s.browser = await launchBrowser();
      s.page = await s.browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 1000 }, ...(opts.acceptDownloads ? { acceptDownloads: true } : {}) });
      s.watched = watchPage(s.page);
    }, 120_000); // the e2e project's hookTimeout: training through the API takes a while on 2 cores

    afterAll(async () => {
      await s.browser?.close().catch(() => undefined);
      await s.server?.close();
    });

    body(s);
  });
}
