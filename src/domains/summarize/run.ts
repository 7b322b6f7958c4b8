/** The `summarize.run` job: read the input, summarize each document with the chosen engine, keep everything. */
import { AppError } from '../../core/errors.ts';
import type { JobContext } from '../../jobs/types.ts';
import { summarizeExtractive } from '../../ml/summarize/extractive.ts';
import type { LlmHandle } from '../llm/types.ts';
import { readDocuments } from './input.ts';
import { summarizeWithLlm, type LlmCall } from './mapReduce.ts';
import { DEFAULT_PROMPTS, checkPrompts, type Prompts } from './prompts.ts';
import type { DocumentSummary, IntermediateSummary, SummarizePayload, SummarizeResult } from './schema.ts';
import type { SummarizeDeps } from './deps.ts';

const words = (s: string) => (s.match(/\S+/g) ?? []).length;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function summaryMarkdown(result: Omit<SummarizeResult, 'artifacts'>, fileName: string): string {
  const engine = result.engine === 'extractive' ? 'extractive' : `${result.mode} with endpoint ${result.engine.endpoint}`;
  const head = `<!-- Summary of ${fileName} (${engine}; ${result.chunks} chunk(s), ${result.llmCalls} LLM call(s), ${result.seconds} s) -->\n\n`;
  if (result.documents.length === 1) return `${head}${result.summary}\n`;
  return `${head}${result.documents.map((d) => `## ${d.id}\n\n${d.summary}`).join('\n\n')}\n`;
}

export async function runSummarizeJob(deps: SummarizeDeps, ctx: JobContext<SummarizePayload>): Promise<SummarizeResult> {
  const p = ctx.job.payload;
  const started = performance.now();
  await ctx.progress(0.01, 'reading the input');
  const { format, documents } = readDocuments(await deps.artifacts.get(p.inputKey), p.fileName, p.format);
  const totalWords = documents.reduce((s, d) => s + words(d.text), 0) || 1;
  await ctx.log(`${documents.length} document(s), ${totalWords} words, format ${format}`);

  const prefix = `summaries/${ctx.job.id}/`;
  const out: DocumentSummary[] = [];
  const intermediate: IntermediateSummary[] = [];
  let chunks = 0;
  let budget: Record<string, unknown> | null = null;
  let tokenMax: number | null = null;
  let prompts: Prompts | null = null;
  let doneWords = 0;

  try {
    if (p.engine === 'extractive') {
      for (const doc of documents) {
        ctx.signal.throwIfAborted();
        const t0 = performance.now();
        const s = summarizeExtractive(doc.text, { maxWords: p.maxWords, ratio: p.ratio });
        const w = words(doc.text);
        out.push({ id: doc.id, summary: s.summary, words: s.words, inputWords: w, chunks: 1, sentences: s.sentences.map((x) => ({ ...x, score: round(x.score, 4) })), seconds: round((performance.now() - t0) / 1000) });
        chunks++;
        doneWords += w;
        await ctx.progress(0.02 + 0.96 * (doneWords / totalWords), `summarized ${out.length}/${documents.length}`);
      }
    } else {
      if (!deps.llm) throw new AppError('ENDPOINT_NOT_FOUND', 'LLM endpoints are not available in this server; use engine "extractive".');
      const llm: LlmHandle = await deps.llm.handle(p.engine.endpoint);
      prompts = { map: p.mapPrompt ?? DEFAULT_PROMPTS.map, combine: p.combinePrompt ?? DEFAULT_PROMPTS.combine, refine: p.refinePrompt ?? DEFAULT_PROMPTS.refine };
      checkPrompts(prompts, p.mode);
      await ctx.log(`endpoint ${llm.endpointName}: context ${llm.contextSize} tokens, mode ${p.mode}`);
      for (const doc of documents) {
        const t0 = performance.now();
        const w = words(doc.text);
        const base = doneWords / totalWords;
        const share = w / totalWords;
        const label = documents.length > 1 ? `${doc.id}: ` : '';
        const r = await summarizeWithLlm(doc.text, llm, {
          mode: p.mode,
          prompts,
          chunkSize: p.chunkSize,
          chunkOverlap: p.chunkOverlap,
          maxNewTokens: p.maxNewTokens,
          tokenMax: p.tokenMax,
          params: { ...(p.temperature !== undefined ? { temperature: p.temperature } : {}), ...(p.seed !== undefined ? { seed: p.seed } : {}) },
          signal: ctx.signal,
          onProgress: (f, m) => ctx.progress(0.02 + 0.96 * (base + share * f), `${label}${m}`),
          onCall: async (c: LlmCall) => {
            intermediate.push({ document: doc.id, ...c, seconds: round(c.seconds) });
            await ctx.log(`${label}${c.stage}${c.round ? ` round ${c.round}` : ''} ${c.index + 1}: ${c.promptTokens} → ${c.completionTokens} tokens in ${c.seconds.toFixed(2)} s (${c.finishReason})`);
          },
        });
        if (!budget) {
          budget = { ...r.budget, chunks: r.chunks.length };
          tokenMax = r.budget.tokenMax;
          await ctx.log(`budget: chunk ${r.budget.chunkTokens} tokens (overlap ${r.budget.chunkOverlap}), output ${r.budget.outputTokens}, token_max ${r.budget.tokenMax}`);
        }
        chunks += r.chunks.length;
        doneWords += w;
        out.push({ id: doc.id, summary: r.summary, words: words(r.summary), inputWords: w, chunks: r.chunks.length, collapseRounds: r.collapseRounds, seconds: round((performance.now() - t0) / 1000) });
      }
    }
  } catch (err) {
    // Keep what was done (cancelled or failed): the intermediate summaries stay viewable.
    if (intermediate.length > 0 || out.length > 0) {
      const partial = { documents: out, intermediate, budget, error: err instanceof Error ? err.message : String(err) };
      await deps.artifacts.put(`${prefix}partial.json`, JSON.stringify(partial, null, 2)).catch(() => undefined);
    }
    throw err;
  }

  const summary = out.length === 1 ? out[0]!.summary : out.map((d) => `## ${d.id}\n\n${d.summary}`).join('\n\n');
  const body: Omit<SummarizeResult, 'artifacts'> = {
    summary,
    engine: p.engine,
    mode: p.engine === 'extractive' ? 'extractive' : p.mode,
    format,
    chunks,
    documents: out,
    intermediate,
    tokenMax,
    budget,
    llmCalls: intermediate.length,
    promptTokens: intermediate.reduce((s, c) => s + c.promptTokens, 0),
    completionTokens: intermediate.reduce((s, c) => s + c.completionTokens, 0),
    prompts,
    seconds: round((performance.now() - started) / 1000),
  };
  const artifacts = { summary: `${prefix}summary.md`, result: `${prefix}result.json` };
  await deps.artifacts.put(artifacts.result, JSON.stringify({ ...body, artifacts }, null, 2), { contentType: 'application/json' });
  await deps.artifacts.put(artifacts.summary, summaryMarkdown(body, p.fileName), { contentType: 'text/markdown; charset=utf-8' });
  await ctx.progress(1, 'done');
  return { ...body, artifacts };
}
