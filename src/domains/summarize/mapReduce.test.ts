import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { computeBudget, splitByTokens } from './budget.ts';
import { groupByTokens, summarizeWithLlm } from './mapReduce.ts';
import { DEFAULT_PROMPTS, templateOnly } from './prompts.ts';
import { fakeLlm, longText } from './testing/fakeLlm.ts';

const words = (s: string) => (s.match(/\S+/g) ?? []).length;

describe('token budget from the context window', () => {
  it('derives chunk size, overlap and token_max from the context, the templates and the output budget', async () => {
    const llm = fakeLlm({ contextSize: 1024, outputWords: 10 });
    const b = await computeBudget(llm, DEFAULT_PROMPTS, { mode: 'map-reduce' });
    const map = words(templateOnly(DEFAULT_PROMPTS.map));
    const combine = words(templateOnly(DEFAULT_PROMPTS.combine));
    expect(b.outputTokens).toBe(256); // ¼ of 1024
    expect(b.margin).toBe(21); // max(8, ⌈2 % of 1024⌉)
    expect(b.chunkTokens).toBe(1024 - map - 256 - 21);
    expect(b.chunkOverlap).toBe(Math.floor(b.chunkTokens * 0.05));
    expect(b.tokenMax).toBe(1024 - combine - 256 - 21);
    // A bigger window gives bigger chunks (capped at 2048) and a bigger token_max — never LangChain's fixed 3000.
    const big = await computeBudget(fakeLlm({ contextSize: 32768, outputWords: 10 }), DEFAULT_PROMPTS, { mode: 'map-reduce' });
    expect(big.chunkTokens).toBe(2048);
    expect(big.tokenMax).toBe(32768 - combine - 512 - Math.ceil(32768 * 0.02));
  });

  it('a tight window lowers the default output so two summaries still fit the combine prompt', async () => {
    const prompts = { ...DEFAULT_PROMPTS, combine: `${'word '.repeat(80)}{text}` };
    const b = await computeBudget(fakeLlm({ contextSize: 256, outputWords: 10 }), prompts, { mode: 'map-reduce' });
    // ¼ of 256 = 64 would leave 256 − 80 − 64 − 8 = 104 < 2 × 64; (256 − 80 − 8) / 3 = 56 fits.
    expect(b.outputTokens).toBe(56);
    expect(b.tokenMax).toBeGreaterThanOrEqual(2 * b.outputTokens);
  });

  it('refine leaves room for the running summary', async () => {
    const llm = fakeLlm({ contextSize: 1024, outputWords: 10 });
    const b = await computeBudget(llm, DEFAULT_PROMPTS, { mode: 'refine', maxNewTokens: 100 });
    expect(b.chunkTokens).toBe(1024 - words(templateOnly(DEFAULT_PROMPTS.refine)) - 2 * 100 - 21);
  });

  it('says by how many tokens a request does not fit', async () => {
    const llm = fakeLlm({ contextSize: 256, outputWords: 10 });
    const err = await computeBudget(llm, DEFAULT_PROMPTS, { mode: 'map-reduce', chunkSize: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('SUMMARIZE_CONTEXT_TOO_SMALL');
    expect((err as AppError).message).toMatch(/chunkSize 400 does not fit: .* leaves \d+ tokens per chunk \(\d+ too many\)/);
    const small = await computeBudget(fakeLlm({ contextSize: 64, outputWords: 10 }), DEFAULT_PROMPTS, { mode: 'map-reduce', maxNewTokens: 40 }).catch((e: unknown) => e);
    expect((small as AppError).code).toBe('SUMMARIZE_CONTEXT_TOO_SMALL');
    expect((small as AppError).message).toMatch(/tokens short/);
    expect((small as AppError).problems?.[0]?.field).toBe('maxNewTokens');
  });
});

describe('splitting by model tokens', () => {
  it('every chunk fits the token budget and all text is covered', async () => {
    const llm = fakeLlm({ contextSize: 1024, outputWords: 10 });
    const text = longText(40, 55);
    const chunks = await splitByTokens(text, llm, 200, 10);
    for (const c of chunks) expect(words(c)).toBeLessThanOrEqual(200);
    expect(chunks.length).toBeGreaterThanOrEqual(11);
    const seen = new Set(chunks.flatMap((c) => c.match(/\S+/g) ?? []));
    for (const w of text.match(/\S+/g) ?? []) expect(seen.has(w)).toBe(true);
  });

  it('a text that fits is one chunk', async () => {
    expect(await splitByTokens('  short text.  ', fakeLlm({ contextSize: 100, outputWords: 1 }), 50, 5)).toEqual(['short text.']);
  });
});

describe('map-reduce (LangChain semantics, budgets from the context)', () => {
  it('groups consecutive summaries under token_max like split_list_of_docs', () => {
    expect(groupByTokens([5, 5, 5, 5, 5], 10)).toEqual([[0, 1], [2, 3], [4]]);
    expect(groupByTokens([12, 3], 10)).toEqual([[0], [1]]);
    expect(groupByTokens([], 10)).toEqual([]);
  });

  it('maps every chunk, collapses while the summaries exceed token_max, then combines — never overflowing the context', async () => {
    const llm = fakeLlm({ contextSize: 512, outputWords: 60 });
    const progress: number[] = [];
    const calls: string[] = [];
    const r = await summarizeWithLlm(longText(120, 60), llm, {
      mode: 'map-reduce',
      prompts: DEFAULT_PROMPTS,
      maxNewTokens: 64,
      onProgress: (f) => void progress.push(f),
      onCall: (c) => void calls.push(`${c.stage}${c.round || ''}`),
    });
    const maps = r.calls.filter((c) => c.stage === 'map');
    expect(maps.length).toBe(r.chunks.length);
    expect(r.chunks.length).toBeGreaterThan(10);
    // 60-token summaries of > 10 chunks exceed token_max (≈ 512 − prompt − 64 − margin), so at least one collapse round.
    expect(r.collapseRounds).toBeGreaterThanOrEqual(1);
    expect(r.calls.filter((c) => c.stage === 'collapse').length).toBeGreaterThan(0);
    expect(r.calls.at(-1)!.stage).toBe('combine');
    expect(calls.length).toBe(r.calls.length);
    expect(r.summary).toBe(r.calls.at(-1)!.output);
    for (const c of r.calls) expect(c.promptTokens + 64).toBeLessThanOrEqual(512);
    // The combine prompt holds summaries whose total is within token_max.
    const combinePrompt = llm.prompts.at(-1)!;
    expect(words(combinePrompt) - words(templateOnly(DEFAULT_PROMPTS.combine))).toBeLessThanOrEqual(r.budget.tokenMax);
    // Progress only goes up and ends at 1.
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress.at(-1)).toBe(1);
  });

  it('a document that fits one chunk takes a single call', async () => {
    const llm = fakeLlm({ contextSize: 2048, outputWords: 20 });
    const r = await summarizeWithLlm('A short document. It has two sentences.', llm, { mode: 'map-reduce', prompts: DEFAULT_PROMPTS });
    expect(r.calls.map((c) => c.stage)).toEqual(['single']);
    expect(llm.prompts[0]).toContain('A short document. It has two sentences.');
  });

  it('uses the edited prompts', async () => {
    const llm = fakeLlm({ contextSize: 400, outputWords: 5 });
    await summarizeWithLlm(longText(20, 60), llm, { mode: 'map-reduce', prompts: { ...DEFAULT_PROMPTS, map: 'MAP>> {text} <<', combine: 'COMBINE>> {text} <<' }, maxNewTokens: 32 });
    expect(llm.prompts.slice(0, -1).every((p) => p.startsWith('MAP>> '))).toBe(true);
    expect(llm.prompts.at(-1)!.startsWith('COMBINE>> S1 ')).toBe(true);
  });

  it('refine: map the first chunk, then refine with each next chunk and the running summary', async () => {
    const llm = fakeLlm({ contextSize: 600, outputWords: 8 });
    const r = await summarizeWithLlm(longText(30, 60), llm, { mode: 'refine', prompts: DEFAULT_PROMPTS, maxNewTokens: 50 });
    expect(r.calls[0]!.stage).toBe('map');
    expect(r.calls.slice(1).every((c) => c.stage === 'refine')).toBe(true);
    expect(r.calls.length).toBe(r.chunks.length);
    // Each refine prompt carries the previous answer.
    expect(llm.prompts[1]).toContain(`existing summary up to a certain point: S1 `);
    for (const c of r.calls) expect(c.promptTokens + 50).toBeLessThanOrEqual(600);
  });

  it('stops when the signal aborts, keeping the calls made so far', async () => {
    const llm = fakeLlm({ contextSize: 512, outputWords: 10, delayMs: 5 });
    const controller = new AbortController();
    const done: string[] = [];
    const run = summarizeWithLlm(longText(60, 60), llm, {
      mode: 'map-reduce',
      prompts: DEFAULT_PROMPTS,
      signal: controller.signal,
      onCall: (c) => {
        done.push(c.stage);
        if (done.length === 3) controller.abort(new Error('cancelled by test'));
      },
    });
    await expect(run).rejects.toThrow('cancelled by test');
    expect(done.length).toBe(3);
    expect(llm.prompts.length).toBe(3);
  });
});
