/**
 * Issue 15 (labeling and verification) in a real browser: a few metal-tags images imported as a detection dataset;
 * labeler A (API token "alice") creates a labeling job in the UI, draws two boxes with the mouse and saves; the
 * editor's handles resize and move a box, zoom keeps it in image pixels, Delete removes it and the keyboard undoes each
 * step, goes to the next image and back; A makes a verification job for B
 * (a verifier equal to the labeler is refused on screen); in a second browser context B ("bob") approves the image;
 * the image's history — read from the feature store — shows both records (status, labeler, verifier).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/core/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { tempFolder } from '../../src/domains/detection/formats/testing.ts';
import { buildFixtureDetector } from '../../src/domains/edge/testing/detectorFixture.ts';
import { grayImage } from '../../src/domains/edge/testing/fixtures.ts';
import { browserUnavailableReason, fullPageScreenshot, launchBrowser, testIdWhere, waitForTestId, watchPage } from './browser.ts';

const SHOT = process.env.SAGEBRUSH_LABELING_SCREENSHOT || '/tmp/sagebrush-labeling.png';
const TAGS = join(import.meta.dirname, '../../../shared/data/metal-tags');
const TOKENS = { alice: 'alice-token-0123456789', bob: 'bob-token-0123456789ab' };
const noBrowser = browserUnavailableReason();

/** Three metal-tags images with the set's class file: a detection dataset whose images are all unlabeled. */
function smallTagsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-tags-'));
  mkdirSync(join(dir, 'images', 'bad'), { recursive: true });
  for (const f of readdirSync(join(TAGS, 'images', 'bad')).sort().slice(0, 3)) copyFileSync(join(TAGS, 'images', 'bad', f), join(dir, 'images', 'bad', f));
  writeFileSync(join(dir, 'class_labels.json'), JSON.stringify({ labels: [{ label: 'scratch' }] }));
  return dir;
}

/** Drags on the editor canvas from (x1, y1) to (x2, y2), in the image's pixels. */
async function drawBox(page: Page, x1: number, y1: number, x2: number, y2: number): Promise<void> {
  const canvas = page.getByTestId('editor-canvas');
  const box = (await canvas.boundingBox())!;
  const s = box.width / 450;
  await page.mouse.move(box.x + x1 * s, box.y + y1 * s);
  await page.mouse.down();
  await page.mouse.move(box.x + ((x1 + x2) / 2) * s, box.y + ((y1 + y2) / 2) * s, { steps: 4 });
  await page.mouse.move(box.x + x2 * s, box.y + y2 * s, { steps: 4 });
  await page.mouse.up();
}

const boxCount = (page: Page) => page.getByTestId('box-editor').getAttribute('data-boxes');

if (noBrowser && process.env.CI) {
  describe('labeling UI', () => {
    it('needs Chromium under CI', () => {
      throw new Error(noBrowser);
    });
  });
}

(noBrowser ? describe.skip : describe)(`labeling UI${noBrowser ? ` — skipped: ${noBrowser}` : ''}`, () => {
  let dataDir = '';
  let folder = '';
  let baseUrl = '';
  let close: () => Promise<void> = async () => {};
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function pageAs(who: keyof typeof TOKENS): Promise<{ page: Page; watched: ReturnType<typeof watchPage> }> {
    const context = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
    contexts.push(context);
    // The settings dialog keeps the API token in localStorage; each context is its own person.
    await context.addInitScript((token) => window.localStorage.setItem('sagebrush.apiToken', token), TOKENS[who]);
    const page = await context.newPage();
    return { page, watched: watchPage(page) };
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sagebrush-labeling-'));
    const ctx = await createAppContext(loadConfig({ overrides: { dataDir, port: 0, logLevel: 'warn', apiTokens: Object.entries(TOKENS).map(([n, t]) => `${n}:${t}`) }, env: {} }));
    const app = await buildApp(ctx, process.env.SAGEBRUSH_E2E_WEB_DIST ? { webDist: process.env.SAGEBRUSH_E2E_WEB_DIST } : {});
    await ctx.queue.startWorker();
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await app.close().catch(() => undefined);
      await ctx.close().catch(() => undefined);
    };
    folder = smallTagsFolder();
    await ctx.services.detectionDatasets.importFolder(folder, { name: 'tags' });
    // A second dataset and an approved detector (a real fixture ONNX: one whole-image box scored by brightness).
    await ctx.services.detectionDatasets.importFolder(tempFolder({ 'images/gray.png': await grayImage(180, 90, 60), 'class_labels.json': JSON.stringify({ labels: [{ label: 'scratch' }] }) }), { name: 'lit' });
    const model = await ctx.services.models.create({ name: 'scratch-detector', kind: 'detector', params: {} });
    await ctx.artifacts.put(`models/${model.id}/model.onnx`, Buffer.from(await buildFixtureDetector()));
    await ctx.services.models.markReady(model.id, { metrics: {}, artifacts: { 'model.onnx': `models/${model.id}/model.onnx` }, meta: { classes: ['scratch'] } });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await close();
    rmSync(dataDir, { recursive: true, force: true });
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('labeler A draws two boxes and saves; B verifies them in a second context; both records are in the history', async () => {
    const a = await pageAs('alice');
    await a.page.goto(`${baseUrl}/labeling`);
    await expect.poll(() => a.page.getByTestId('labeling-me').textContent(), { timeout: 20_000 }).toContain('alice');
    await a.page.getByTestId('job-dataset').fill('tags');
    await a.page.getByTestId('job-limit').fill('2');
    await a.page.getByTestId('job-labelers').fill('alice');
    await a.page.getByTestId('job-create').click();
    await waitForTestId(a.page, 'job-progress-panel');
    expect(await testIdWhere(a.page, 'person-progress', { person: 'alice' }).textContent()).toContain('alice: 0 / 2');
    const labelJobUrl = a.page.url();

    await a.page.getByTestId('job-start').click();
    await waitForTestId(a.page, 'editor-image');
    await expect.poll(() => a.page.getByTestId('task-editor').getAttribute('data-position'), { timeout: 10_000 }).toBe('0');
    await drawBox(a.page, 60, 50, 160, 120);
    await drawBox(a.page, 250, 140, 330, 260);
    await expect.poll(() => boxCount(a.page), { timeout: 5_000 }).toBe('2');
    expect(await a.page.getByTestId('editor-box').nth(0).getAttribute('data-box')).toMatch(/^(59|60|61),(49|50|51),(99|100|101),(69|70|71)$/);
    await a.page.getByTestId('task-save').click();
    await expect.poll(() => a.page.getByTestId('task-status').getAttribute('data-outcome'), { timeout: 10_000 }).toBe('PENDING');
    await expect.poll(() => testIdWhere(a.page, 'history-row', { status: 'PENDING', labeler: 'alice' }).count(), { timeout: 10_000 }).toBe(1);

    // Keyboard: N goes to the next image, Z undoes a drawn box, P comes back to the saved image.
    expect(await a.page.getByTestId('shortcuts').textContent()).toContain('next image');
    await a.page.keyboard.press('n');
    await expect.poll(() => a.page.getByTestId('task-editor').getAttribute('data-position'), { timeout: 10_000 }).toBe('1');
    await waitForTestId(a.page, 'editor-image');
    await drawBox(a.page, 20, 20, 90, 90);
    await expect.poll(() => boxCount(a.page), { timeout: 5_000 }).toBe('1');
    const first = a.page.getByTestId('editor-box').first();
    expect(await first.getAttribute('data-box')).toBe('20,20,70,70');
    // Select it, drag its bottom-right handle (+30, +20 image pixels), then move the box by its body.
    await first.click();
    await expect.poll(() => first.getAttribute('data-selected'), { timeout: 5_000 }).toBe('true');
    const handle = (await testIdWhere(a.page, 'editor-handle', { handle: 'se' }).boundingBox())!;
    const s = (await a.page.getByTestId('editor-canvas').boundingBox())!.width / 450;
    await a.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await a.page.mouse.down();
    await a.page.mouse.move(handle.x + handle.width / 2 + 30 * s, handle.y + handle.height / 2 + 20 * s, { steps: 5 });
    await a.page.mouse.up();
    await expect.poll(() => first.getAttribute('data-box'), { timeout: 5_000 }).toBe('20,20,100,90');
    const body = (await first.boundingBox())!;
    await a.page.mouse.move(body.x + body.width / 2, body.y + body.height / 2);
    await a.page.mouse.down();
    await a.page.mouse.move(body.x + body.width / 2 + 10 * s, body.y + body.height / 2 + 5 * s, { steps: 5 });
    await a.page.mouse.up();
    await expect.poll(() => first.getAttribute('data-box'), { timeout: 5_000 }).toBe('30,25,100,90');
    // Zoom keeps the boxes in image pixels.
    await a.page.getByTestId('zoom-in').click();
    await expect.poll(() => a.page.getByTestId('zoom-level').textContent(), { timeout: 5_000 }).toBe('150 %');
    expect(await first.getAttribute('data-box')).toBe('30,25,100,90');
    // Delete, then undo three times: the delete, the move, the resize; once more removes the drawn box.
    await a.page.keyboard.press('Delete');
    await expect.poll(() => boxCount(a.page), { timeout: 5_000 }).toBe('0');
    await a.page.keyboard.press('Control+z');
    await expect.poll(() => first.getAttribute('data-box'), { timeout: 5_000 }).toBe('30,25,100,90');
    await a.page.keyboard.press('z');
    await expect.poll(() => first.getAttribute('data-box'), { timeout: 5_000 }).toBe('20,20,100,90');
    await a.page.keyboard.press('z');
    await expect.poll(() => first.getAttribute('data-box'), { timeout: 5_000 }).toBe('20,20,70,70');
    await a.page.keyboard.press('z');
    await expect.poll(() => boxCount(a.page), { timeout: 5_000 }).toBe('0');
    await a.page.keyboard.press('p');
    await expect.poll(() => a.page.getByTestId('task-editor').getAttribute('data-position'), { timeout: 10_000 }).toBe('0');
    await expect.poll(() => boxCount(a.page), { timeout: 10_000 }).toBe('2');

    // A verification job: the labeler alone as verifier is refused; bob is assigned.
    await a.page.goto(labelJobUrl);
    await waitForTestId(a.page, 'verify-form');
    await a.page.getByTestId('verify-verifiers').fill('alice');
    await a.page.getByTestId('verify-create').click();
    await expect.poll(() => a.page.getByTestId('verify-form').textContent(), { timeout: 10_000 }).toContain('second person');
    await a.page.getByTestId('verify-verifiers').fill('bob');
    await a.page.getByTestId('verify-create').click();
    await expect.poll(() => a.page.url(), { timeout: 10_000 }).not.toBe(labelJobUrl);
    await waitForTestId(a.page, 'tasks-table');
    const verifyJobUrl = a.page.url();
    expect(await testIdWhere(a.page, 'person-progress', { person: 'bob' }).textContent()).toContain('bob: 0 / 1');

    const b = await pageAs('bob');
    await b.page.goto(verifyJobUrl);
    await waitForTestId(b.page, 'job-start');
    await b.page.getByTestId('job-start').click();
    await waitForTestId(b.page, 'editor-image');
    await expect.poll(() => boxCount(b.page), { timeout: 10_000 }).toBe('2');
    expect(await b.page.getByTestId('task-editor').getAttribute('data-kind')).toBe('verify');
    await b.page.getByTestId('verify-approve').click();
    await expect.poll(() => b.page.getByTestId('task-status').getAttribute('data-outcome'), { timeout: 10_000 }).toBe('APPROVED');
    await expect.poll(() => testIdWhere(b.page, 'history-row').count(), { timeout: 10_000 }).toBe(2);
    const rows = await testIdWhere(b.page, 'history-row').evaluateAll((els) => els.map((e) => [e.getAttribute('data-status'), e.getAttribute('data-labeler'), e.getAttribute('data-verifier')]));
    expect(rows).toEqual([['PENDING', 'alice', ''], ['APPROVED', 'alice', 'bob']]);
    await fullPageScreenshot(b.page, SHOT);

    // The same two records straight from the feature store's history API.
    const image = (await b.page.getByTestId('image-history').textContent())!.match(/\((tags\/[^)]+)\)/)![1]!;
    const res = await fetch(`${baseUrl}/api/v1/feature-groups/image_labels/records/${encodeURIComponent(image)}/history`, { headers: { authorization: `Bearer ${TOKENS.bob}` } });
    const history = (await res.json()) as { items: Array<{ values: Record<string, string> }> };
    expect(history.items.map((r) => [r.values.status, r.values.labeler, r.values.verifier, JSON.parse(r.values.boxes!).length])).toEqual([['PENDING', 'alice', '', 2], ['APPROVED', 'alice', 'bob', 2]]);
    expect([...a.watched.pageErrors, ...b.watched.pageErrors]).toEqual([]);
  });

  it('shows the approved detector\'s pre-labels dashed, apart from the boxes, and takes them on request', async () => {
    const headers = { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' };
    const approve = await fetch(`${baseUrl}/api/v1/models/scratch-detector/versions/1/approval`, { method: 'PUT', headers, body: JSON.stringify({ status: 'Approved' }) });
    expect(approve.status).toBe(200);
    const job = (await (await fetch(`${baseUrl}/api/v1/labeling/jobs`, { method: 'POST', headers, body: JSON.stringify({ dataset: 'lit' }) })).json()) as { id: string; prelabelModel: string };
    expect(job.prelabelModel).toBe('scratch-detector:1');
    const { page, watched } = await pageAs('alice');
    await page.goto(`${baseUrl}/labeling/jobs/${job.id}/tasks/0`);
    await waitForTestId(page, 'editor-image');
    await expect.poll(() => page.getByTestId('editor-prelabel').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('editor-prelabel').textContent()).toBe('pre scratch 0.71');
    expect(await boxCount(page)).toBe('0');
    await page.getByTestId('use-prelabels').click();
    await expect.poll(() => boxCount(page), { timeout: 5_000 }).toBe('1');
    expect(await page.getByTestId('editor-box').first().getAttribute('data-box')).toBe('0,0,90,60');
    await page.getByTestId('task-save').click();
    await expect.poll(() => page.getByTestId('task-status').getAttribute('data-outcome'), { timeout: 10_000 }).toBe('PENDING');
    expect(watched.pageErrors).toEqual([]);
  });
});
