/**
 * Browser test of LLM endpoints (C4/C5) against the real server (in-process): register the tiny GGUF by
 * path, read its GGUF metadata in the catalog, deploy it from the UI, then in the playground stream a chat
 * answer (tokens/s shown), stream a raw TGI payload, and fill in the middle in the code panel with the
 * inserted text highlighted. Screenshots go to /tmp/sagebrush-llm-*.png.
 */
import { expect, it } from 'vitest';
import { TINY_GGUF, tinyModelMissing } from '../../src/domains/llm/testing/tinyModel.ts';
import { fullPageScreenshot, waitForTestId } from './browser.ts';
import { describeBrowser, type BrowserSuiteOptions } from './suite.ts';

const SHOTS = process.env.SAGEBRUSH_LLM_SCREENSHOTS || '/tmp/sagebrush-llm';

const suite: BrowserSuiteOptions = { skippedTest: 'registers, deploys and streams in the playground', prefix: 'sagebrush-llm-', missing: tinyModelMissing() };

describeBrowser('LLM playground UI', suite, (s) => {

  it('registers the tiny GGUF, deploys it and streams a generation in the playground', async () => {
    const { page, server, watched } = s;
    // Register by path and read the GGUF metadata.
    await page.goto(`${server.baseUrl}/`);
    await page.getByTestId('nav-llm').click();
    await waitForTestId(page, 'llm-register-path');
    await page.getByTestId('llm-register-path').fill(TINY_GGUF);
    await page.getByTestId('llm-register-name').fill('stories');
    await page.getByTestId('llm-register-license').fill('mit');
    await page.getByTestId('llm-register-submit').click();
    await waitForTestId(page, 'llm-register-done');
    const row = page.locator('[data-testid="llm-model-row"][data-model="stories:1"]');
    await row.waitFor();
    expect(await row.getByTestId('llm-model-params').textContent()).toBe('292.8K');
    expect(await row.getByTestId('llm-model-context').textContent()).toBe('512');
    expect(await row.textContent()).toContain('F32');
    expect(await row.textContent()).toContain('llama');
    await fullPageScreenshot(page, `${SHOTS}-models.png`);

    // Deploy from the catalog; the playground opens.
    await row.getByTestId('llm-model-deploy').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('llm-deploy-name').fill('tiny');
    await dialog.getByTestId('llm-deploy-context').fill('256');
    await dialog.getByTestId('llm-deploy-threads').fill('1');
    await dialog.getByTestId('llm-deploy-submit').click();
    await page.waitForURL(/\/llm\/endpoints\/tiny$/, { timeout: 30_000 });
    await waitForTestId(page, 'pg-info');
    await expect.poll(() => page.getByTestId('pg-context').textContent()).toBe('context 256');

    // Chat: a streamed answer with tokens/s.
    await page.getByTestId('pg-max-new-tokens').fill('24');
    await page.getByTestId('pg-chat-input').fill('Tell me a story about a cat.');
    await page.getByTestId('pg-chat-send').click();
    await expect.poll(async () => ((await page.getByTestId('pg-chat-assistant').last().textContent()) ?? '').replace(/^assistant/, '').trim().length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('pg-stats').textContent(), { timeout: 20_000 }).toMatch(/24 tokens · [\d.]+ tokens\/s · first token \d+ ms · prompt \d+ tokens · length/);
    const tps = Number(((await page.getByTestId('pg-tokens-per-second').textContent()) ?? '').split(' ')[0]);
    expect(tps).toBeGreaterThan(0);
    await fullPageScreenshot(page, `${SHOTS}-chat.png`);

    // Raw payload: the TGI payload, streamed.
    await page.getByTestId('pg-tab-raw').click();
    await page.getByTestId('pg-raw-payload').fill(JSON.stringify({ inputs: 'Once upon a time', parameters: { max_new_tokens: 12 }, stream: true }));
    await page.getByTestId('pg-raw-send').click();
    await expect.poll(() => page.getByTestId('pg-raw-output').textContent({ timeout: 500 }).catch(() => ''), { timeout: 20_000 }).toMatch(/^, there was a little girl/);
    await expect.poll(() => page.getByTestId('pg-raw-response').textContent({ timeout: 500 }).catch(() => ''), { timeout: 20_000 }).toContain('"finish_reason": "length"');
    await fullPageScreenshot(page, `${SHOTS}-raw.png`);

    // Code: infill with a forced template; the middle is highlighted.
    await page.getByTestId('pg-tab-code').click();
    await page.getByTestId('pg-code-prefix').fill('Once upon a time');
    await page.getByTestId('pg-code-suffix').fill(' happily ever after.');
    await page.getByTestId('pg-code-template').click();
    await page.getByRole('option', { name: 'codellama' }).click();
    await page.getByTestId('pg-code-run').click();
    await expect.poll(() => page.getByTestId('pg-stats').textContent({ timeout: 500 }).catch(() => ''), { timeout: 20_000 }).toMatch(/length · codellama \(markers as text\)/);
    const middle = await page.getByTestId('pg-code-middle').textContent();
    expect((middle ?? '').length).toBeGreaterThan(0);
    expect(await page.getByTestId('pg-code-result').textContent()).toBe(`Once upon a time${middle} happily ever after.`);
    await fullPageScreenshot(page, `${SHOTS}-code.png`);

    // The endpoints list links to the playground.
    await page.getByTestId('nav-endpoints').click();
    await page.locator('[data-testid="endpoint-row"][data-endpoint="tiny"]').getByTestId('endpoint-playground').click();
    await page.waitForURL(/\/llm\/endpoints\/tiny$/);

    expect(watched.externalRequests, 'the UI must not load anything from the internet').toEqual([]);
    expect(watched.pageErrors, `uncaught errors in the page:\n${watched.pageErrors.join('\n')}`).toEqual([]);
  });
});
