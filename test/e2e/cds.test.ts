/**
 * Browser test of the CDS Hooks sandbox against the real server (in-process): import a Synthea bundle through the
 * FHIR API and give the patient an Acme coverage, open CDS Hooks, pick the patient, fire order-sign with the
 * amoxicillin order, and see the prior-authorization card, the coverage-information table and the raw JSON;
 * dismiss the card with an override reason (feedback) and find the call in the audit log.
 * Screenshots go to /tmp/sagebrush-cds-*.png.
 */
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { loadSynthea, syntheaMissing, WITHOUT_SINUSITIS } from '../../src/domains/cds/testing/synthea.ts';
import { importPatientsWithCoverage } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_CDS_SCREENSHOTS || '/tmp/sagebrush-cds';

let patientName = '';

const suite: BrowserSuiteOptions = {
  skippedTest: 'fires order-sign for a patient',
  prefix: 'sagebrush-cds-',
  missing: syntheaMissing(),
  async setup({ server }) {
    // Import through the FHIR REST API as any client would: the Synthea transaction Bundle, then a Coverage.
    const patients = await importPatientsWithCoverage(server, JSON.stringify(loadSynthea(WITHOUT_SINUSITIS)));
    expect(patients).toHaveLength(1);
    patientName = patients[0]!.name;
  },
};

describeBrowser('CDS Hooks UI', suite, (s) => {
  it('picks the patient, fires order-sign with amoxicillin, and shows the card and the coverage information', async () => {
    const { page, server, watched } = s;
    await page.goto(server.baseUrl);
    await page.getByTestId('nav-cds').click();
    await waitForTestId(page, 'cds-patient');
    await page.getByTestId('cds-patient').click();
    await page.getByRole('option', { name: new RegExp(patientName.split(' ')[0]!) }).click();
    expect(await page.getByTestId('cds-order').inputValue()).toMatch(/Amoxicillin/);
    await page.getByTestId('cds-fire-order-sign').click();
    // The first call compiles the payer's CQL rules.
    await waitForTestId(page, 'cds-card', 90_000);
    const card = page.getByTestId('cds-card').first();
    expect(await card.getAttribute('data-indicator')).toBe('warning');
    expect(await card.getByTestId('cds-card-summary').textContent()).toMatch(/Prior authorization required for amoxicillin/);
    expect(await card.textContent()).toMatch(/Source: Acme Health · Coverage Information/);
    const table = page.getByTestId('cds-coverage-table');
    expect(await table.getByTestId('cds-coverage-covered').first().textContent()).toBe('covered');
    expect(await table.getByTestId('cds-coverage-pa-needed').first().textContent()).toBe('auth-needed');
    expect(await table.getByTestId('cds-coverage-doc-needed').first().textContent()).toBe('clinical');
    expect(await page.getByTestId('cds-status').textContent()).toMatch(/order-sign-crd.*HTTP 200/);
    expect(await page.getByTestId('cds-request-json').textContent()).toContain('"hook": "order-sign"');
    expect(await page.getByTestId('cds-response-json').textContent()).toContain('"indicator": "warning"');
    await fullPageScreenshot(page, `${SHOTS}-order-sign.png`);

    // A code from the payer's policy table (table-driven rule): MRI lumbar spine needs PA on the standard plan.
    await page.getByTestId('cds-order').click();
    await page.getByRole('option', { name: /Policy table: 72148/ }).click();
    await page.getByTestId('cds-fire-order-sign').click();
    await expect.poll(() => page.getByTestId('cds-coverage-table').textContent()).toContain('ServiceRequest/draft-72148');
    expect(await page.getByTestId('cds-coverage-table').getByTestId('cds-coverage-pa-needed').first().textContent()).toBe('auth-needed');

    // Override the card with a reason: feedback is sent and stored.
    await card.getByTestId('cds-override-reason').click();
    await page.getByRole('option', { name: 'Prior authorization is already on file' }).click();
    await card.getByTestId('cds-override').click();
    await waitForTestId(page, 'cds-feedback-sent');
    await page.getByTestId('cds-tab-audit').click();
    await waitForTestId(page, 'cds-calls');
    await expect.poll(() => page.getByTestId('cds-calls').locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('cds-calls').textContent()).toContain('order-sign-crd');
    await expect.poll(() => page.getByTestId('cds-feedback').textContent()).toContain('Prior authorization is already on file');
    await fullPageScreenshot(page, `${SHOTS}-audit.png`);
    expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  }, 150_000);
});
