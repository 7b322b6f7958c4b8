/**
 * `npm run screenshots`: screenshots of the main pages of the web UI, against the real server on a throw-away data
 * directory seeded with the bundled examples (scripts/lib/seed.ts). Writes docs/screenshots/*.png (1280 px wide,
 * full page up to 2400 px, palette PNG) and docs/screenshots/README.md. Needs web/dist (`npm run build:web`, which the
 * npm script runs first) and Chromium at /usr/bin/chromium (or SAGEBRUSH_CHROMIUM_PATH). Nothing leaves 127.0.0.1.
 * Pages are found by URL and waited for by generic signals (network idle, no spinner), so reworked pages still work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium, type Page } from 'playwright-core';
import { seedWithApi, seedWithCli } from './lib/seed.ts';
import { ROOT, startScriptServer } from './lib/server.ts';

const OUT = process.env.SAGEBRUSH_SCREENSHOTS_DIR || join(ROOT, 'docs', 'screenshots');
const VIEWPORT = { width: 1280, height: 800 };
const MAX_HEIGHT = 2400;

interface Shot {
  file: string;
  title: string;
  path: string;
  /** Optional clicks after the page is drawn (best effort: a missing control leaves the page as it is). */
  act?: (page: Page) => Promise<void>;
}

async function clickIfThere(page: Page, selector: string): Promise<boolean> {
  const el = page.locator(selector).first();
  if ((await el.count()) === 0) return false;
  await el.click({ timeout: 5_000 });
  return true;
}

/** Drawn: network idle and no spinner left (bounded: a page that polls a live job never goes idle). */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
  await page.locator('.mantine-Loader-root').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(700);
}

async function firePriorAuthHook(page: Page): Promise<void> {
  await page.getByTestId('cds-patient').click({ timeout: 10_000 });
  await page.getByRole('option', { name: /Clemente/ }).first().click({ timeout: 10_000 });
  await page.getByTestId('cds-fire-order-sign').click({ timeout: 10_000 });
  // The first call compiles the payer's CQL rules.
  await page.getByTestId('cds-card').first().waitFor({ timeout: 90_000 });
}

async function openMockEhr(page: Page): Promise<void> {
  await page.getByTestId('cds-tab-ehr').click({ timeout: 10_000 });
  await page.getByTestId('ehr-patient').click({ timeout: 10_000 });
  await page.getByRole('option', { name: /Clemente/ }).first().click({ timeout: 10_000 });
  await page.getByTestId('ehr-add-order').click({ timeout: 10_000 });
  await page.getByTestId('ehr-sign').click({ timeout: 90_000 });
  await page.locator('[data-testid="ehr-cards"][data-hook="order-sign"]').waitFor({ timeout: 90_000 });
}

function shots(seeded: { trainJobId: string | null; summaryJobId: string | null }): Shot[] {
  const list: Shot[] = [
    { file: 'datasets.png', title: 'Datasets', path: '/datasets' },
    { file: 'dataset-detail.png', title: 'Dataset detail (Jigsaw toxic comments, 1,000 rows)', path: '/datasets/jigsaw-toxic-1k' },
    { file: 'models.png', title: 'Models', path: '/models' },
    { file: 'text-model.png', title: 'Text classifier (toxicity:1, tuned)', path: '/models/toxicity/1' },
    {
      file: 'text-model-tune.png',
      title: 'Text classifier: threshold tuning report',
      path: '/models/toxicity/1',
      act: async (page) => void ((await clickIfThere(page, '[data-testid="model-tab-tune"]')) || (await clickIfThere(page, '[role="tab"]:has-text("Tun")'))),
    },
    { file: 'compare.png', title: 'Compare model versions (toxicity:1 tuned vs toxicity:2 balanced)', path: '/models/toxicity/compare?versions=1,2' },
    { file: 'image-model.png', title: 'Image classifier (skin:1, HAM10000 quick build)', path: '/images/models/skin/1' },
    { file: 'jobs.png', title: 'Jobs', path: '/jobs' },
  ];
  if (seeded.trainJobId) list.push({ file: 'job-detail.png', title: 'Job detail (text training)', path: `/jobs/${seeded.trainJobId}` });
  list.push(
    { file: 'endpoints.png', title: 'Endpoints', path: '/endpoints' },
    { file: 'endpoint-metrics.png', title: 'Endpoint metrics (requests, errors, latency percentiles)', path: '/endpoints/toxicity' },
    { file: 'llm-playground.png', title: 'LLM playground (stories260K endpoint)', path: '/llm/endpoints/stories' },
    { file: 'summarize.png', title: 'Summarize (map-reduce through the LLM endpoint)', path: seeded.summaryJobId ? `/summarize?job=${seeded.summaryJobId}` : '/summarize' },
    { file: 'rules.png', title: 'CQL payer rules', path: '/rules' },
    { file: 'cds.png', title: 'CDS Hooks: order-sign for a patient without sinusitis (prior authorization card)', path: '/cds', act: firePriorAuthHook },
    { file: 'cds-ehr.png', title: 'CDS Hooks: mock EHR order entry with the card inline', path: '/cds', act: openMockEhr },
  );
  return list;
}

async function capture(page: Page, baseUrl: string, shot: Shot): Promise<{ bytes: number; height: number }> {
  await page.setViewportSize(VIEWPORT);
  // A concurrent `vite build` empties web/dist for a moment: then the server answers 404 instead of the UI; retry.
  for (let attempt = 1; ; attempt++) {
    const res = await page.goto(`${baseUrl}${shot.path}`);
    if (res?.ok() || attempt === 3) break;
    await page.waitForTimeout(3_000);
  }
  await settle(page);
  if (shot.act) {
    await shot.act(page).catch((err: unknown) => console.warn(`  ${shot.file}: the page's controls did not answer (${String(err).split('\n')[0]}); capturing it as it is`));
    await settle(page);
  }
  await page.mouse.move(0, VIEWPORT.height - 1); // no hover tooltips in the picture
  const height = Math.min(MAX_HEIGHT, Math.max(VIEWPORT.height, await page.evaluate(() => document.documentElement.scrollHeight)));
  // Stretch the viewport rather than use fullPage, so the fixed header and navbar span the picture.
  await page.setViewportSize({ width: VIEWPORT.width, height });
  await page.waitForTimeout(300);
  const png = await page.screenshot();
  const small = await sharp(png).png({ palette: true, quality: 90, compressionLevel: 9, effort: 8 }).toBuffer();
  writeFileSync(join(OUT, shot.file), small);
  return { bytes: small.length, height };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startScriptServer('sagebrush-screenshots-', { beforeStart: seedWithCli });
  const browser = await chromium.launch({ executablePath: process.env.SAGEBRUSH_CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const seeded = await seedWithApi(server.baseUrl);
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (err) => console.warn(`  page error: ${err.message}`));
    const rows: string[] = [];
    const pictures: string[] = [];
    for (const shot of shots(seeded)) {
      const { bytes, height } = await capture(page, server.baseUrl, shot);
      console.log(`${shot.file.padEnd(22)} ${String(height).padStart(5)} px  ${(bytes / 1024).toFixed(0).padStart(4)} KiB  ${shot.path}`);
      rows.push(`| [${shot.file}](${shot.file}) | ${shot.title} | \`${shot.path.replace(/=job_\w+/, '=<job>').replace(/\/jobs\/job_\w+/, '/jobs/<id>')}\` |`);
      pictures.push(`## ${shot.title}\n\n![${shot.title}](${shot.file})\n`);
    }
    writeFileSync(join(OUT, 'README.md'), readme(rows, pictures));
    console.log(`wrote ${rows.length} screenshots and README.md to ${OUT}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

function readme(rows: string[], pictures: string[]): string {
  return `# Screenshots

The main pages of the web UI, taken by \`npm run screenshots\` (scripts/screenshots.ts): it builds the UI, seeds a
throw-away data directory with the bundled examples (a tuned text classifier on the Jigsaw sample with an endpoint,
an image quick build on the HAM10000 sample, the stories260K LLM endpoint and a map-reduce summary through it, the two
Synthea patients and a CDS Hooks order-sign call), starts the real server on 127.0.0.1 and captures each page in
headless Chromium at 1280 px wide (full page, cut at ${MAX_HEIGHT} px). Rerun it after changing a page.

| file | page | URL |
|---|---|---|
${rows.join('\n')}

${pictures.join('\n')}`;
}

await main();
