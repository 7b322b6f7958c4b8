/**
 * Bytes a cold load of a UI page moves, measured in real Chromium over the CDP Network domain: `transferred` is what
 * crossed the wire (headers + possibly compressed bodies), `decoded` the bodies after decompression.
 * Usage: `npx tsx scripts/measure-cold-load.ts [/datasets]` (needs web/dist: `npm run build:web`).
 */
import { chromium } from 'playwright-core';
import { startScriptServer } from './lib/server.ts';

const path = process.argv[2] ?? '/datasets';
const server = await startScriptServer('sagebrush-measure-');
const browser = await chromium.launch({ executablePath: process.env.SAGEBRUSH_CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map<string, string>();
  const rows: Array<{ url: string; transferred: number; decoded: number; encoding: string }> = [];
  const encodings = new Map<string, string>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.responseReceived', (e) => encodings.set(e.requestId, String(e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '')));
  cdp.on('Network.dataReceived', (e) => {
    const row = rows.find((r) => r.url === e.requestId);
    if (row) row.decoded += e.dataLength;
    else rows.push({ url: e.requestId, transferred: 0, decoded: e.dataLength, encoding: '' });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const row = rows.find((r) => r.url === e.requestId) ?? { url: e.requestId, transferred: 0, decoded: 0, encoding: '' };
    if (!rows.includes(row)) rows.push(row);
    row.transferred = e.encodedDataLength;
  });
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  await page.goto(`${server.baseUrl}${path}`, { waitUntil: 'networkidle' });
  // The page is drawn once its first API answer is in (an empty list on a fresh server); then let late requests land.
  await page.locator('main').first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(1500);
  for (const row of rows) {
    row.encoding = encodings.get(row.url) ?? '';
    row.url = (urls.get(row.url) ?? row.url).replace(server.baseUrl, '');
  }
  rows.sort((a, b) => b.decoded - a.decoded);
  for (const r of rows) console.log(`${String(r.transferred).padStart(9)} ${String(r.decoded).padStart(9)}  ${(r.encoding || '-').padEnd(4)} ${r.url}`);
  const sum = (k: 'transferred' | 'decoded') => rows.reduce((s, r) => s + r[k], 0);
  console.log(`cold load of ${path}: ${rows.length} requests, ${sum('transferred')} bytes transferred, ${sum('decoded')} bytes decoded`);
} finally {
  await browser.close();
  await server.stop();
}
