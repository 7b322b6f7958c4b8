/**
 * Bytes a load of a UI page moves, measured in real Chromium over the CDP Network domain: a cold load (fresh browser
 * profile, empty cache), then a reload (warm cache). `transferred` is what crossed the wire (headers + possibly
 * compressed bodies), `decoded` the bodies after decompression; requests answered from the browser's cache are counted
 * apart. Usage: `npx tsx scripts/measure-cold-load.ts [/datasets]` (needs web/dist: `npm run build:web`).
 */
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { startScriptServer } from './lib/server.ts';

interface Row { id: string; url: string; transferred: number; decoded: number; encoding: string; cached: boolean }

async function measure(page: Page, cdp: CDPSession, baseUrl: string, label: string, go: () => Promise<unknown>): Promise<void> {
  const rows = new Map<string, Row>();
  const row = (id: string) => rows.get(id) ?? rows.set(id, { id, url: id, transferred: 0, decoded: 0, encoding: '', cached: false }).get(id)!;
  const listeners: Array<[string, (e: any) => void]> = [
    ['Network.requestWillBeSent', (e) => void (row(e.requestId).url = String(e.request.url).replace(baseUrl, ''))],
    ['Network.requestServedFromCache', (e) => void (row(e.requestId).cached = true)],
    ['Network.responseReceived', (e) => {
      const r = row(e.requestId);
      r.encoding = String(e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '');
      if (e.response.fromDiskCache || e.response.fromMemoryCache) r.cached = true;
    }],
    ['Network.dataReceived', (e) => void (row(e.requestId).decoded += e.dataLength)],
    ['Network.loadingFinished', (e) => void (row(e.requestId).transferred = e.encodedDataLength)],
  ];
  for (const [event, fn] of listeners) cdp.on(event as 'Network.dataReceived', fn);
  await go();
  // The page is drawn once its first API answer is in; then let late requests land.
  await page.locator('main').first().waitFor({ timeout: 20_000 });
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1500);
  for (const [event, fn] of listeners) cdp.off(event as 'Network.dataReceived', fn);
  const all = [...rows.values()].sort((a, b) => b.decoded - a.decoded);
  console.log(`\n${label}`);
  for (const r of all) console.log(`${String(r.transferred).padStart(9)} ${String(r.decoded).padStart(9)}  ${(r.cached ? 'cache' : r.encoding || '-').padEnd(5)} ${r.url}`);
  const net = all.filter((r) => !r.cached);
  const sum = (k: 'transferred' | 'decoded') => net.reduce((s, r) => s + r[k], 0);
  console.log(`${label}: ${net.length} requests over the network (${all.length - net.length} from the browser cache), ${sum('transferred')} bytes transferred, ${sum('decoded')} bytes decoded`);
}

const path = process.argv[2] ?? '/datasets';
const server = await startScriptServer('sagebrush-measure-');
const browser = await chromium.launch({ executablePath: process.env.SAGEBRUSH_CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await measure(page, cdp, server.baseUrl, `cold load of ${path}`, () => page.goto(`${server.baseUrl}${path}`));
  await measure(page, cdp, server.baseUrl, `reload of ${path}`, () => page.reload());
} finally {
  await browser.close();
  await server.stop();
}
