/**
 * Browser test of prediction quality on the model page: a small multi-label model trained through the API,
 * then from the UI: tune thresholds (before/after table, PR chart), edit one threshold and save it (read back
 * with GET decision), run a learning curve, and find noisy labels → apply one fix as a new dataset version.
 * Screenshot: /tmp/sagebrush-quality.png.
 */
import { expect, it } from 'vitest';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { json } from './studio.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOT = process.env.SAGEBRUSH_QUALITY_SCREENSHOT || '/tmp/sagebrush-quality.png';
const MODEL = 'topics-ml';

const WORDS: Record<string, string[]> = {
  sports: ['football', 'goal', 'team', 'match', 'league', 'coach'],
  cooking: ['recipe', 'oven', 'garlic', 'flour', 'bake', 'sauce'],
  tech: ['laptop', 'software', 'server', 'keyboard', 'code', 'network'],
};
const FILLER = ['the', 'a', 'today', 'news', 'my', 'about'];

/** 150 rows of Comprehend multi-label CSV (`a|b,text`), deterministic. */
function multiLabelCsv(): string {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const labels = Object.keys(WORDS);
  const rows: string[] = [];
  for (let i = 0; i < 150; i++) {
    let ls = labels.filter(() => rand() < 0.45);
    if (ls.length === 0) ls = [labels[i % 3]!];
    const words = ls.flatMap((l) => [WORDS[l]![Math.floor(rand() * 6)]!, WORDS[l]![Math.floor(rand() * 6)]!]);
    for (let k = 0; k < 3; k++) words.splice(Math.floor(rand() * words.length), 0, FILLER[Math.floor(rand() * FILLER.length)]!);
    rows.push(`"${ls.join('|')}",${words.join(' ')} (n${i})`);
  }
  return `${rows.join('\n')}\n`;
}

const suite: BrowserSuiteOptions = {
  skippedTest: 'tunes thresholds from the model page',
  prefix: 'sagebrush-quality-',
  async setup({ api }) {
    // Dataset + multi-label model through the API (fast: ~1 s).
    await api.uploadCsv('topics-ml', multiLabelCsv());
    await api.trainText({ name: MODEL, dataset: 'topics-ml', mode: 'multi-label' });
  },
};

describeBrowser('prediction quality UI', suite, (s) => {
  const apiUrl = (path: string) => `${s.server.baseUrl}/api/v1${path}`;

  it('tunes thresholds, shows before/after and PR curves, saves an edited threshold', async () => {
    const { page, server } = s;
    await page.goto(`${server.baseUrl}/models/${MODEL}/1`);
    await waitForTestId(page, 'model-page');
    await page.getByTestId('model-tab-tune').click();
    await waitForTestId(page, 'tune-none');
    await page.getByTestId('tune-submit').click();
    await waitForTestId(page, 'tune-done', 20_000);

    // Before/after per label + macro + micro.
    const table = page.getByTestId('before-after-table');
    await table.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('before-after-row').count()).toBe(5);
    for (const key of ['cooking', 'sports', 'tech', 'macro', 'micro']) {
      expect(await page.locator(`[data-testid="before-after-row"][data-label="${key}"]`).textContent()).toMatch(/\d\.\d{3}/);
    }

    // PR curve chart (an SVG with a path), switchable by label.
    const chart = page.getByTestId('pr-chart');
    await chart.locator('svg').first().waitFor({ timeout: 10_000 });
    expect(await chart.locator('svg path').count()).toBeGreaterThan(3);
    expect(await chart.getAttribute('data-label')).toBe('cooking');
    await page.getByTestId('pr-label').click();
    await page.getByRole('option', { name: 'tech' }).click();
    await expect.poll(() => chart.getAttribute('data-label')).toBe('tech');
    await chart.locator('svg').first().waitFor();
    expect(await page.getByTestId('tuning-download-html').getAttribute('href')).toContain('tuning-report?format=html');
    expect(await page.getByTestId('decision-source').textContent()).toContain('tuned');

    // Edit one threshold and save it.
    const input = page.locator('[data-testid="threshold-row"][data-label="tech"] input');
    await input.fill('0.73');
    await page.getByTestId('decision-save').click();
    await waitForTestId(page, 'decision-saved');
    const decision = await json<{ thresholds: Record<string, number>; source: string }>(await fetch(apiUrl(`/text/models/${MODEL}/versions/1/decision`)));
    expect(decision.thresholds.tech).toBeCloseTo(0.73, 6);
    expect(decision.source).toBe('manual');
    await expect.poll(() => page.getByTestId('decision-source').textContent()).toContain('edited');
  });

  it('runs a learning curve and applies a noisy-label fix as a new dataset version', async () => {
    const { page, watched } = s;
    await page.getByTestId('experiment-kind').getByText('Learning curve').click();
    await page.getByTestId('curve-fractions').fill('0.3, 0.6, 1');
    await page.getByTestId('experiment-submit').click();
    await page.getByTestId('learning-curve-chart').locator('svg').first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('learning-curve-chart').locator('svg path').count()).toBeGreaterThan(3);
    expect(await page.getByTestId('experiment-download-svg').getAttribute('href')).toMatch(/\/chart\?format=svg$/);

    await page.getByTestId('noisy-top').fill('10');
    await page.getByTestId('noisy-submit').click();
    await waitForTestId(page, 'noisy-table', 20_000);
    expect(await page.getByTestId('noisy-row').count()).toBe(10);
    await page.getByTestId('noisy-drop').first().click();
    await page.getByTestId('noisy-apply').click();
    await waitForTestId(page, 'noisy-applied');
    expect(await page.getByTestId('noisy-applied').getAttribute('data-version')).toBe('2');

    await fullPageScreenshot(page, SHOT);
    expect(watched.externalRequests).toEqual([]);
    expect(watched.pageErrors, watched.pageErrors.join('\n')).toEqual([]);
  });
});
