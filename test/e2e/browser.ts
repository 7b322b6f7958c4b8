/**
 * Headless Chromium for the browser tests: the Debian `chromium` package driven by playwright-core
 * (never `npx playwright install`; nothing is downloaded).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SAGEBRUSH_CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Why browser tests cannot run here, or null when they can. Under CI a missing browser is a failure, not a skip. */
export function browserUnavailableReason(): string | null {
  if (chromiumAvailable()) return null;
  return `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get update && apt-get install -y chromium\` (or set SAGEBRUSH_CHROMIUM_PATH)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Collects uncaught page errors, console errors and requests that leave the machine, for assertions. */
export function watchPage(page: Page): { pageErrors: string[]; consoleErrors: string[]; externalRequests: string[] } {
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  // The UI must work offline: everything it loads comes from the server that served it.
  const externalRequests: string[] = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!/^(https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/|data:|blob:|about:)/.test(url)) externalRequests.push(url);
  });
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  return { pageErrors, consoleErrors, externalRequests };
}

/** A full-page screenshot with the viewport stretched to the page, so fixed parts (navbar) span it all. */
export async function fullPageScreenshot(page: Page, path: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1400, height: 1000 };
  await page.mouse.move(0, size.height - 1); // no hover tooltips in the picture
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, Math.min(height, 6000)) });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

/** Waits for an element by test id; on a timeout, fails with the error alert the page shows, if any. */
export async function waitForTestId(page: Page, testId: string, timeout = 20_000): Promise<void> {
  await page.getByTestId(testId).first().waitFor({ timeout }).catch(async (err) => {
    const alert = await page.getByTestId('error-alert').first().textContent({ timeout: 500 }).catch(() => null);
    throw new Error(`"${testId}" did not appear${alert ? `; the page shows: ${alert}` : ''} (${String(err)})`);
  });
}

/** Elements with a test id and the given data-* attributes, e.g. testIdWhere(page, 'model-row', { model: 'topics:1' }). */
export function testIdWhere(page: Page, testId: string, data: Record<string, string> = {}): Locator {
  const attrs = Object.entries(data).map(([k, v]) => `[data-${k}=${JSON.stringify(v)}]`).join('');
  return page.locator(`[data-testid=${JSON.stringify(testId)}]${attrs}`);
}
