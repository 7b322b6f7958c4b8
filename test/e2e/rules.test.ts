/**
 * Browser test of the payer-rules pages against the real server: the catalog with status toggles, a built-in library
 * tested on a stored Synthea patient (amoxicillin → decision), a new rule whose compile error is listed by line, and
 * the policy table editor. Screenshots go to /tmp/sagebrush-rules-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailableReason, fullPageScreenshot, launchBrowser, watchPage, waitForTestId } from './browser.ts';
import { startServer, type TestServer } from './server.ts';
import { HAS_SYNTHEA, syntheaBundle, WITH_SINUSITIS } from '../../src/domains/cql/testing.ts';

const SHOTS = process.env.SAGEBRUSH_RULES_SCREENSHOTS || '/tmp/sagebrush-rules';
const unavailable = browserUnavailableReason() ?? (HAS_SYNTHEA ? null : 'shared Synthea data not found');

if (unavailable && process.env.CI && HAS_SYNTHEA) {
  describe('rules UI', () => {
    it('needs Chromium under CI', () => {
      throw new Error(unavailable);
    });
  });
} else if (unavailable) {
  describe.skip(`rules UI — skipped: ${unavailable}`, () => {
    it('tests a rule on a patient', () => {});
  });
} else {
  describe('rules UI', () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let watched: ReturnType<typeof watchPage>;

    beforeAll(async () => {
      server = await startServer('sagebrush-rules-');
      await server.ctx.services.fhir.importBundle(syntheaBundle(WITH_SINUSITIS), { withCoverage: 'Acme' });
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      watched = watchPage(page);
    }, 120_000);

    afterAll(async () => {
      await browser?.close().catch(() => undefined);
      await server?.close();
    });

    it('lists the catalog, toggles a rule, and tests a library on a stored patient', async () => {
      await page.goto(server.baseUrl);
      await page.getByTestId('nav-rules').click();
      await waitForTestId(page, 'rule-row-AmoxicillinPriorAuth');
      const toggle = page.getByTestId('rule-toggle-TablePolicy');
      await toggle.click({ force: true });
      await expect.poll(async () => (await server.ctx.services.rules.list()).find((r) => r.name === 'TablePolicy')?.status).toBe('disabled');
      await toggle.click({ force: true });
      await expect.poll(async () => (await server.ctx.services.rules.list()).find((r) => r.name === 'TablePolicy')?.status).toBe('enabled');
      await fullPageScreenshot(page, `${SHOTS}-catalog.png`);

      await page.getByRole('link', { name: 'AmoxicillinPriorAuth' }).click();
      await waitForTestId(page, 'rule-expressions');
      expect(await page.getByTestId('rule-expressions').textContent()).toContain('Is Amoxicillin');
      const patient = page.getByTestId('rule-test-patient');
      await patient.click();
      await patient.fill('Annetta');
      await page.getByRole('option', { name: /Annetta/ }).click();
      await page.getByTestId('rule-test-run').click();
      await waitForTestId(page, 'rule-test-decision');
      expect(await page.getByTestId('rule-test-decision').textContent()).toContain('No prior authorization needed for amoxicillin (Acme Standard plan, sinusitis on record)');
      await fullPageScreenshot(page, `${SHOTS}-test.png`);
    }, 120_000);

    it('compiles a new rule and lists the error by line', async () => {
      await page.goto(`${server.baseUrl}/rules/new`);
      await waitForTestId(page, 'rule-editor');
      await page.locator('[data-testid="rule-editor"] .cm-content').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\ndefine "Broken": NoSuchThing\n');
      await page.getByTestId('rule-compile').click();
      await waitForTestId(page, 'compile-problems', 60_000);
      expect(await page.getByTestId('compile-problem').first().textContent()).toMatch(/^line \d+:\d+ · error · Could not resolve identifier NoSuchThing/);
      await fullPageScreenshot(page, `${SHOTS}-compile.png`);
    }, 120_000);

    it('edits the policy table', async () => {
      await page.goto(`${server.baseUrl}/rules/policy`);
      await waitForTestId(page, 'policy-table');
      await page.getByTestId('policy-requirement-0').click();
      await page.getByRole('option', { name: 'none', exact: true }).click();
      await page.getByTestId('policy-save').click();
      await waitForTestId(page, 'policy-saved');
      expect((await server.ctx.services.rules.getPolicy()).rows[0]?.requirement).toBe('none');
      await fullPageScreenshot(page, `${SHOTS}-policy.png`);
      expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
      expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
    }, 60_000);
  });
}
