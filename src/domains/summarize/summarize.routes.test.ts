/**
 * Summarization through the real app in-process with the extractive engine: JSON text, multipart upload,
 * JSON Lines of documents, a dataset reference, results/artifacts, defaults, and bad requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../jobs/types.ts';
import { createTestApp, multipart, upload, type TestApp } from '../datasets/testing/harness.ts';
import type { SummarizeResult } from './schema.ts';
import { loadSumPubMed, sumpubmedMissing } from './testing/sumpubmed.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => t?.close());

const DOC = `BACKGROUND
Rivers carry sediment from mountains to the sea. Dams trap much of that sediment in their reservoirs. In this study, we measured how much sediment three dams trap each year.

RESULTS
The three dams trapped between 60 and 90 percent of the incoming sediment. Trapping was highest in the largest reservoir. Downstream beaches lost sand as a result. Fish habitat changed below every dam.

CONCLUSIONS
Dams trap most river sediment, and downstream coasts erode as a consequence. Sediment bypass could restore part of the supply.`;

async function run(payload: unknown): Promise<Job> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', payload: payload as object });
  expect(res.statusCode, res.body).toBe(202);
  const { job } = res.json<{ job: Job }>();
  expect(job.type).toBe('summarize.run');
  return t.ctx.queue.wait(job.id, { timeoutMs: 30_000 });
}

describe('POST /api/v1/summarize (extractive engine)', () => {
  it('summarizes pasted text with the default engine and keeps the result and artifacts', async () => {
    const job = await run({ text: DOC, maxWords: 40 });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const r = job.result as SummarizeResult;
    expect(r).toMatchObject({ engine: 'extractive', mode: 'extractive', format: 'text', chunks: 1, tokenMax: null, llmCalls: 0, intermediate: [] });
    expect(r.documents).toHaveLength(1);
    const words = r.summary.split(/\s+/).length;
    expect(words).toBeGreaterThanOrEqual(40);
    expect(words).toBeLessThan(40 + 25);
    // Sentences come from the document, in document order, and the conclusion is among them.
    const chosen = r.documents[0]!.sentences!;
    expect(chosen.map((s) => s.index)).toEqual([...chosen.map((s) => s.index)].sort((a, b) => a - b));
    for (const s of chosen) expect(DOC).toContain(s.text);
    expect(r.summary).toContain('Dams trap most river sediment');

    const got = await t.app.inject({ method: 'GET', url: `/api/v1/summarize/${job.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json().result.summary).toBe(r.summary);
    const md = await t.app.inject({ method: 'GET', url: `/api/v1/summarize/${job.id}/files/summary.md` });
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toMatch(/text\/markdown/);
    expect(md.body).toContain(r.summary);
    const full = await t.app.inject({ method: 'GET', url: `/api/v1/summarize/${job.id}/files/result.json` });
    expect(full.json().documents[0].summary).toBe(r.documents[0]!.summary);
  });

  it('accepts a multipart upload with option fields before the file (Markdown)', async () => {
    const md = `# Sediment\n\n${DOC.replace('BACKGROUND\n', '').replace('RESULTS\n', '## Results\n').replace('CONCLUSIONS\n', '## Conclusions\n')}`;
    const body = await multipart([{ name: 'engine', value: 'extractive' }, { name: 'ratio', value: '0.3' }, { name: 'file', fileName: 'sediment.md', content: md }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', ...body });
    expect(res.statusCode, res.body).toBe(202);
    const job = await t.ctx.queue.wait(res.json().job.id, { timeoutMs: 30_000 });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const r = job.result as SummarizeResult;
    expect(r.format).toBe('markdown');
    expect(r.documents[0]!.id).toBe('sediment');
    expect(r.summary).not.toContain('##');
  });

  it('multipart: a bad field is a 400 naming it (the file is drained), a form may carry the text as a field', async () => {
    const bad = await multipart([{ name: 'ratio', value: 'lots' }, { name: 'file', fileName: 'a.txt', content: DOC.repeat(50) }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', ...bad });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'ratio' }] });
    const text = await multipart([{ name: 'maxWords', value: '20' }, { name: 'text', value: DOC }]);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', ...text });
    expect(ok.statusCode, ok.body).toBe(202);
    const job = await t.ctx.queue.wait(ok.json().job.id, { timeoutMs: 30_000 });
    expect(job.status).toBe('succeeded');
  });

  it('summarizes each document of JSON Lines, and reads an uploaded dataset', async () => {
    const jsonl = [{ id: 'dams', text: DOC }, { id: 'short', text: 'One sentence only about glaciers melting in the Alps every summer.' }].map((d) => JSON.stringify(d)).join('\n');
    const job = await run({ text: jsonl, format: 'jsonl', maxWords: 20 });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const r = job.result as SummarizeResult;
    expect(r.documents.map((d) => d.id)).toEqual(['dams', 'short']);
    expect(r.summary).toMatch(/^## dams\n\n[\s\S]+\n\n## short\n\nOne sentence only/);

    expect((await upload(t.app, 'docs.jsonl', jsonl)).statusCode).toBe(201);
    const fromDataset = await run({ dataset: 'docs', maxWords: 20 });
    expect(fromDataset.status, JSON.stringify(fromDataset.error)).toBe('succeeded');
    expect((fromDataset.result as SummarizeResult).documents.map((d) => d.id)).toEqual(['dams', 'short']);
  });

  it('shows the defaults (prompts, extractive settings)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/summarize/defaults' });
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.prompts.map).toContain('{text}');
    expect(d.prompts.refine).toContain('{existing_answer}');
    expect(d).toMatchObject({ engine: 'extractive', budget: null, extractive: { ratio: 0.1 } });
  });

  it('rejects bad requests with the field and the fix', async () => {
    const both = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', payload: { text: 'x', dataset: 'docs' } });
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'dataset' }] });
    const none = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', payload: {} });
    expect(none.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'text' }] });
    const badMode = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', payload: { text: 'x', mode: 'stuff' } });
    expect(badMode.statusCode).toBe(400);
    expect(badMode.json().code).toBe('VALIDATION_FAILED');
    const noEndpoint = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', payload: { text: 'x', engine: { endpoint: 'nope' } } });
    expect(noEndpoint.statusCode).toBe(404);
    expect(noEndpoint.json().code).toBe('ENDPOINT_NOT_FOUND');
    const badPrompt = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', payload: { text: 'x', engine: { endpoint: 'nope' }, mapPrompt: 'no placeholder' } });
    expect(badPrompt.json()).toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ field: 'mapPrompt' }] });
    const empty = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', payload: { text: '   ' } });
    expect(empty.json().code).toBe('FILE_EMPTY');
    const pdf = await multipart([{ name: 'file', fileName: 'paper.pdf', content: '%PDF-1.5 binary' }]);
    const pdfJob = await t.app.inject({ method: 'POST', url: '/api/v1/summarize', ...pdf });
    const failed = await t.ctx.queue.wait(pdfJob.json().job.id, { timeoutMs: 30_000 });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('FILE_BINARY');
    const notSummary = await t.app.inject({ method: 'GET', url: '/api/v1/summarize/job_missing' });
    expect(notSummary.statusCode).toBe(404);
  });
});

const missing = sumpubmedMissing();
describe.skipIf(missing !== null)(`extractive engine on SumPubMed${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('a 100-page document (≈ 50k words) is summarized end to end by the job', async () => {
    const { hundredPageDocument } = await import('./testing/sumpubmed.ts');
    const text = hundredPageDocument(loadSumPubMed());
    expect(text.split(/\s+/).length).toBeGreaterThanOrEqual(50_000);
    const t0 = Date.now();
    const job = await run({ text, name: 'hundred-pages.txt', maxWords: 600 });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const r = job.result as SummarizeResult;
    expect(r.documents[0]!.inputWords).toBeGreaterThanOrEqual(50_000);
    expect(r.documents[0]!.words).toBeGreaterThanOrEqual(600);
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);
});
