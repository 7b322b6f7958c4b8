/**
 * Issue 14: the approval / alias / model-card panel on the pages of every model kind, not only the text model page:
 * the image model page's Governance tab and the LLM catalog's Governance dialog (the same components). An image
 * classifier and an LLM version in the registry (no image data or GGUF file needed: the panel is what is tested).
 */
import { expect, it } from 'vitest';
import { testIdWhere, waitForTestId } from './browser.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const suite: BrowserSuiteOptions = {
  skippedTest: 'approves an image model and an LLM from their pages',
  prefix: 'sagebrush-governance-',
  async setup({ server }) {
    const models = server.ctx.services.models;
    const img = await models.create({ name: 'skin', kind: 'image-classifier', params: { build: 'quick' } });
    await models.markReady(img.id, { metrics: { balanced_accuracy: 0.61, macro_f1: 0.58 }, artifacts: {} });
    const llm = await models.create({ name: 'tiny-llm', kind: 'llm', params: {}, meta: { license: null, requiresEula: false, source: { type: 'path', path: '/models/tiny.gguf', sizeBytes: 1024 } } });
    await models.markReady(llm.id, { metrics: {}, artifacts: {} });
  },
};

describeBrowser('model governance on every kind', suite, (s) => {
  it('approves an image model and points an alias at it from its Governance tab', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/images/models/skin/1?tab=governance`);
    await waitForTestId(page, 'model-governance');
    const panel = page.getByTestId('model-governance');
    expect(await panel.getByTestId('approval-status').getAttribute('data-status')).toBe('PendingManualApproval');
    await panel.getByTestId('approval-approve').click();
    await panel.locator('[data-testid="approval-status"][data-status="Approved"]').waitFor({ timeout: 10_000 });
    await panel.getByTestId('alias-input').fill('champion');
    await panel.getByTestId('alias-set').click();
    await expect.poll(async () => panel.getByTestId('card-aliases').textContent(), { timeout: 10_000 }).toContain('champion → v1');
    expect((await server.ctx.services.registry.approval('skin:1')).approval.status).toBe('Approved');
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });

  it('approves an LLM from the catalog row Governance dialog', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/llm`);
    const row = testIdWhere(page, 'llm-model-row', { model: 'tiny-llm:1' });
    await row.waitFor({ timeout: 20_000 });
    await row.getByTestId('llm-model-governance').click();
    await waitForTestId(page, 'model-governance');
    const panel = page.getByTestId('model-governance');
    expect(await panel.getAttribute('data-model')).toBe('tiny-llm:1');
    await panel.getByTestId('approval-approve').click();
    await panel.locator('[data-testid="approval-status"][data-status="Approved"]').waitFor({ timeout: 10_000 });
    expect((await server.ctx.services.registry.approval('tiny-llm:1')).approval.status).toBe('Approved');
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
