/**
 * Browser test of the payer-rules pages against the real server: the catalog with status toggles, a built-in library
 * tested on a stored Synthea patient (amoxicillin → decision), a new rule whose compile error is listed by line, and
 * the policy table editor. Screenshots go to /tmp/sagebrush-rules-*.png.
 */
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { HAS_SYNTHEA, syntheaBundle, WITH_SINUSITIS } from '../../src/domains/cql/testing.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_RULES_SCREENSHOTS || '/tmp/sagebrush-rules';

const suite: BrowserSuiteOptions = {
  skippedTest: 'tests a rule on a patient',
  prefix: 'sagebrush-rules-',
  missing: HAS_SYNTHEA ? null : 'shared Synthea data not found',
  async setup({ server }) {
    await server.ctx.services.fhir.importBundle(syntheaBundle(WITH_SINUSITIS), { withCoverage: 'Acme' });
  },
};

describeBrowser('rules UI', suite, (s) => {
  it('lists the catalog, toggles a rule, and tests a library on a stored patient', async () => {
    const { page, server } = s;
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
    // how the CDS hooks run this library (the built-ins are compiled, ADR 0007)
    expect(await page.getByTestId('rule-fast-path').textContent()).toBe('CDS hooks: compiled evaluator');
    await fullPageScreenshot(page, `${SHOTS}-test.png`);
  }, 120_000);

  it('compiles a new rule and lists the error by line', async () => {
    const { page, server } = s;
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
    const { page, server, watched } = s;
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
