/**
 * Issue 19, items 5 and 7 (CDS part): wide tables and editors stay inside their boxes (the coverage table, the policy
 * table, the CQL editor's long lines), compile errors are marked on their lines in the editor, card details and rule
 * test results render as Markdown, and a mock EHR order-entry screen fires order-select / order-sign with the cards
 * inline and an actionable suggestion. Data: the bundled Synthea patient under examples/fhir plus an Acme coverage.
 * Screenshots go to /tmp/sagebrush-cds-ehr-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { apiClient, importPatientsWithCoverage } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_CDS_SCREENSHOTS || '/tmp/sagebrush-cds-ehr';
const BUNDLE = join(import.meta.dirname, '../../examples/fhir/Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json.gz');

/** A rule whose decision detail is Markdown (bold, a list) for any amoxicillin order. */
const MARKDOWN_RULE = `library MarkdownDetail version '1.0.0'

using FHIR version '4.0.1'

include FHIRHelpers version '4.0.1' called FHIRHelpers
include CoverageCommon version '1.0.0' called Common

parameter "Order" FHIR.Resource
parameter "Coverage" FHIR.Coverage

context Patient

define "Is Amoxicillin":
  exists ((Common."Order Codes"("Order")) C where C.code = '308191')

define "Decision":
  if "Is Amoxicillin" then
    Common."Decision"('covered', 'auth-needed', 'clinical', 'withpa', null,
      '**Sleep study** on file is required:\\n\\n- a signed order\\n- the last clinic note', 'Prior authorization required for amoxicillin (test rule)')
  else null
`;

/** Whether the page scrolls sideways (something overflows the viewport). */
const pageOverflowX = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

let patientName = '';

const suite: BrowserSuiteOptions = {
  skippedTest: 'fires order-sign from the order entry',
  prefix: 'sagebrush-cds-ehr-',
  // Narrower than the other tests: a laptop screen, where wide tables used to push the page sideways.
  viewport: { width: 1100, height: 900 },
  async setup({ server }) {
    const patients = await importPatientsWithCoverage(server, gunzipSync(readFileSync(BUNDLE)).toString('utf8'));
    patientName = patients[0]!.name;
  },
};

describeBrowser('CDS tables, editors and mock EHR UI', suite, (s) => {
  async function pickPatient(testId: string) {
    await s.page.getByTestId(testId).click();
    await s.page.getByRole('option', { name: new RegExp(patientName.split(' ')[0]!) }).click();
  }

  it('keeps the coverage table inside the page and renders the card detail as Markdown', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/cds`);
    await waitForTestId(page, 'cds-patient');
    await pickPatient('cds-patient');
    await page.getByTestId('cds-fire-order-sign').click();
    await waitForTestId(page, 'cds-coverage-table', 90_000);
    expect(await pageOverflowX(page), 'the CDS page scrolls sideways').toBeLessThanOrEqual(0);
    const box = await page.getByTestId('cds-coverage-table').locator('xpath=..').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1100);
    // "**Prior authorization** is required…" is bold, not asterisks and not flattened.
    const detail = page.getByTestId('cds-card').first();
    expect(await detail.locator('strong').allTextContents()).toContain('Prior authorization');
    expect(await detail.textContent()).not.toContain('**');
    await fullPageScreenshot(page, `${SHOTS}-sandbox.png`);
  }, 150_000);

  it('keeps the policy table inside the page', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/rules/policy`);
    await waitForTestId(page, 'policy-requirement-0');
    expect(await pageOverflowX(page), 'the policy page scrolls sideways').toBeLessThanOrEqual(0);
    // The first row's display ("MRI lumbar spine without contrast") fits its cell.
    const display = page.getByLabel('Row 1 display');
    expect(await display.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await fullPageScreenshot(page, `${SHOTS}-policy.png`);
  });

  it('wraps long CQL lines in the editor and marks compile errors on their lines', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/rules/new`);
    await waitForTestId(page, 'rule-editor');
    await page.locator('[data-testid="rule-editor"] .cm-content').click();
    await page.keyboard.press('Control+End');
    const long = `define "Long": ${Array.from({ length: 40 }, (_, i) => `'part ${i}'`).join(' + ')}`;
    await page.keyboard.type(`\n${long}\ndefine "Broken": NoSuchThing\n`);
    const scroller = page.locator('[data-testid="rule-editor"] .cm-scroller');
    const overflow = await scroller.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow, 'the editor scrolls sideways for a long line').toBeLessThanOrEqual(0);
    expect(await pageOverflowX(page)).toBeLessThanOrEqual(0);

    await page.getByTestId('rule-compile').click();
    await waitForTestId(page, 'compile-problems', 60_000);
    const listed = (await page.getByTestId('compile-problem').first().textContent()) ?? '';
    const line = Number(/^line (\d+):/.exec(listed)?.[1]);
    expect(listed).toContain('NoSuchThing');
    const marker = page.getByTestId('cql-problem-marker').first();
    await marker.waitFor({ timeout: 10_000 });
    expect(Number(await marker.getAttribute('data-line'))).toBe(line);
    expect(await marker.getAttribute('title')).toContain('NoSuchThing');
    const marked = page.locator(`[data-testid="rule-editor"] .cm-line[data-problem-line="${line}"]`);
    expect(await marked.textContent()).toContain('NoSuchThing');
    // Clicking the listed problem puts the cursor on its line.
    await page.getByTestId('compile-problem').first().click();
    await expect.poll(() => page.locator('[data-testid="rule-editor"] .cm-activeLine').textContent()).toContain('NoSuchThing');
    await fullPageScreenshot(page, `${SHOTS}-compile.png`);
  }, 120_000);

  it('renders a rule test result detail as Markdown', async () => {
    const { page, server } = s;
    await apiClient(server).post('/rules', { cql: MARKDOWN_RULE });
    await page.goto(`${server.baseUrl}/rules/MarkdownDetail`);
    await waitForTestId(page, 'rule-test-patient');
    await pickPatient('rule-test-patient');
    await page.getByTestId('rule-test-run').click();
    await waitForTestId(page, 'rule-test-decision', 60_000);
    const decision = page.getByTestId('rule-test-decision');
    expect(await decision.locator('strong').allTextContents()).toContain('Sleep study');
    expect(await decision.locator('li').allTextContents()).toEqual(expect.arrayContaining(['a signed order', 'the last clinic note']));
    expect(await decision.textContent()).not.toContain('**');
    await fullPageScreenshot(page, `${SHOTS}-rule-test.png`);
  }, 120_000);

  it('mock EHR: selecting an order fires order-select, Sign fires order-sign, the card shows inline and its suggestion adds a task', async () => {
    const { page, server, watched } = s;
    await page.goto(`${server.baseUrl}/cds`);
    await page.getByTestId('cds-tab-ehr').click();
    await waitForTestId(page, 'ehr-patient');
    await pickPatient('ehr-patient');
    await waitForTestId(page, 'ehr-banner');
    expect(await page.getByTestId('ehr-banner').textContent()).toContain('Acme');

    await expect.poll(() => page.getByTestId('ehr-sample').inputValue()).toMatch(/Amoxicillin/);
    await page.getByTestId('ehr-add-order').click();
    await waitForTestId(page, 'ehr-cards', 90_000);
    const cards = page.getByTestId('ehr-cards');
    await expect.poll(() => cards.getAttribute('data-hook'), { timeout: 90_000 }).toBe('order-select');
    expect(await page.getByTestId('ehr-order-row').count()).toBe(1);

    await page.getByTestId('ehr-sign').click();
    await expect.poll(() => cards.getAttribute('data-hook'), { timeout: 90_000 }).toBe('order-sign');
    expect(await cards.getAttribute('data-status')).toBe('200');
    const card = cards.getByTestId('cds-card').first();
    expect(await card.getByTestId('cds-card-summary').textContent()).toMatch(/Prior authorization required for amoxicillin/);
    expect(await page.locator('[data-testid="ehr-order-row"][data-resource="MedicationRequest"]').getAttribute('data-status')).toBe('signed');

    await card.getByTestId('cds-suggestion').first().click();
    await waitForTestId(page, 'cds-feedback-sent');
    const task = page.locator('[data-testid="ehr-order-row"][data-resource="Task"]');
    await task.waitFor();
    expect(await task.getAttribute('data-status')).toBe('action');
    expect(await task.textContent()).toContain('Request prior authorization');
    const calls = await apiClient(server).get<{ items: Array<{ serviceId: string }> }>('/cds/calls');
    expect(calls.items.map((c) => c.serviceId)).toEqual(expect.arrayContaining(['order-select-crd', 'order-sign-crd']));
    expect(await pageOverflowX(page)).toBeLessThanOrEqual(0);
    await fullPageScreenshot(page, `${SHOTS}-ehr.png`);

    expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  }, 240_000);
});
