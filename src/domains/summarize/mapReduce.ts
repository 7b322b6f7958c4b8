/**
 * LLM summarization with LangChain's semantics, sized from the model's context (see budget.ts):
 *
 * map-reduce — split → map prompt per chunk → while the summaries' total exceeds token_max, group consecutive
 *   summaries greedily into groups of ≤ token_max tokens and summarize each group with the combine prompt
 *   (LangChain's `split_list_of_docs` + collapse) → combine prompt over the rest. A document that fits one chunk
 *   takes one call (no map + combine of a single summary; langchain#1937).
 * refine — the first chunk with the map prompt, then each next chunk with the refine prompt and the running summary.
 *
 * Every call is recorded (stage, tokens in/out, seconds, output) so the intermediate summaries can be shown;
 * progress is reported per call; the AbortSignal stops between and inside calls.
 */
import { AppError } from '../../core/errors.ts';
import type { GenerationParams, LlmHandle } from '../llm/types.ts';
import { computeBudget, splitByTokens, type Budget } from './budget.ts';
import { fillPrompt, type Prompts } from './prompts.ts';

export type Stage = 'map' | 'collapse' | 'combine' | 'refine' | 'single';

export interface LlmCall {
  stage: Stage;
  /** Index within the stage (chunk number for map/refine, group number for collapse). */
  index: number;
  /** Collapse round (1, 2, …); 0 for the other stages. */
  round: number;
  promptTokens: number;
  completionTokens: number;
  seconds: number;
  finishReason: string;
  output: string;
}

export interface LlmSummary {
  summary: string;
  chunks: string[];
  calls: LlmCall[];
  budget: Budget;
  collapseRounds: number;
}

export interface LlmSummarizeOptions {
  mode: 'map-reduce' | 'refine';
  prompts: Prompts;
  chunkSize?: number;
  chunkOverlap?: number;
  maxNewTokens?: number;
  tokenMax?: number;
  params?: Omit<GenerationParams, 'maxNewTokens'>;
  signal?: AbortSignal;
  /** fraction in [0, 1] of this document's work. */
  onProgress?: (fraction: number, message: string) => void | Promise<void>;
  /** Each finished call, as soon as it is done. */
  onCall?: (call: LlmCall) => void | Promise<void>;
  /** Bounds the collapse loop (LangChain's collapse_max_retries). */
  maxCollapseRounds?: number;
}

/** Groups consecutive items so each group's total stays ≤ tokenMax (LangChain's split_list_of_docs). */
export function groupByTokens(lengths: readonly number[], tokenMax: number): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let total = 0;
  lengths.forEach((len, i) => {
    if (current.length > 0 && total + len > tokenMax) {
      groups.push(current);
      current = [];
      total = 0;
    }
    current.push(i);
    total += len;
  });
  if (current.length) groups.push(current);
  return groups;
}

const JOIN = '\n\n';

export async function summarizeWithLlm(text: string, llm: LlmHandle, options: LlmSummarizeOptions): Promise<LlmSummary> {
  const { prompts, signal } = options;
  const budget = await computeBudget(llm, prompts, options);
  signal?.throwIfAborted();
  const chunks = await splitByTokens(text, llm, budget.chunkTokens, budget.chunkOverlap, signal);
  if (chunks.length === 0) throw new AppError('FILE_EMPTY', 'The document has no text to summarize.');
  const calls: LlmCall[] = [];
  const params: GenerationParams = { temperature: 0, ...options.params, maxNewTokens: budget.outputTokens };
  // Estimated number of calls, for progress: chunks (+ collapse ≈ chunks·output/token_max) + 1 combine.
  let expected = chunks.length === 1 ? 1 : options.mode === 'refine' ? chunks.length : chunks.length + 1 + Math.ceil((chunks.length * budget.outputTokens) / budget.tokenMax);
  let reported = 0;
  const progress = async (message: string) => {
    expected = Math.max(expected, calls.length + 1);
    // Never backwards, even when a collapse round adds calls to the estimate.
    reported = Math.max(reported, Math.min(0.99, calls.length / expected));
    await options.onProgress?.(reported, message);
  };

  const call = async (stage: Stage, index: number, round: number, prompt: string): Promise<string> => {
    signal?.throwIfAborted();
    const t0 = performance.now();
    const r = await llm.generate(prompt, params, { signal });
    signal?.throwIfAborted();
    const output = r.text.trim();
    const c: LlmCall = { stage, index, round, promptTokens: r.promptTokens, completionTokens: r.completionTokens, seconds: (performance.now() - t0) / 1000, finishReason: r.finishReason, output };
    calls.push(c);
    await options.onCall?.(c);
    return output;
  };

  let summary: string;
  let collapseRounds = 0;
  if (chunks.length === 1) {
    await progress('summarizing the document (it fits one prompt)');
    summary = await call('single', 0, 0, fillPrompt(prompts.map, { text: chunks[0]! }));
  } else if (options.mode === 'refine') {
    await progress(`refine 1/${chunks.length}`);
    summary = await call('map', 0, 0, fillPrompt(prompts.map, { text: chunks[0]! }));
    for (let i = 1; i < chunks.length; i++) {
      await progress(`refine ${i + 1}/${chunks.length}`);
      summary = await call('refine', i, 0, fillPrompt(prompts.refine, { text: chunks[i]!, existing_answer: summary }));
    }
  } else {
    let summaries: string[] = [];
    for (let i = 0; i < chunks.length; i++) {
      await progress(`map ${i + 1}/${chunks.length}`);
      summaries.push(await call('map', i, 0, fillPrompt(prompts.map, { text: chunks[i]! })));
    }
    const maxRounds = options.maxCollapseRounds ?? 8;
    for (;;) {
      const lengths = await Promise.all(summaries.map((s) => llm.countTokens(s)));
      const joinCost = summaries.length > 1 ? (await llm.countTokens(JOIN)) * (summaries.length - 1) : 0;
      if (lengths.reduce((a, b) => a + b, 0) + joinCost <= budget.tokenMax) break;
      collapseRounds++;
      if (collapseRounds > maxRounds) {
        throw new AppError('SUMMARIZE_CONTEXT_TOO_SMALL', `The summaries still exceed token_max (${budget.tokenMax} tokens) after ${maxRounds} collapse rounds.`, {
          problems: [{ field: 'maxNewTokens', problem: 'the collapse does not converge', fix: 'Use a smaller maxNewTokens or an endpoint with a larger context.' }],
        });
      }
      const groups = groupByTokens(lengths.map((l) => l + 2), budget.tokenMax);
      if (groups.length >= summaries.length && summaries.length > 1) {
        // Every summary is alone in its group: pair them up so the collapse always shrinks the list.
        groups.splice(0, groups.length, ...Array.from({ length: Math.ceil(summaries.length / 2) }, (_, k) => [2 * k, 2 * k + 1].filter((i) => i < summaries.length)));
      }
      expected += groups.length;
      const next: string[] = [];
      for (let g = 0; g < groups.length; g++) {
        await progress(`collapse round ${collapseRounds}: group ${g + 1}/${groups.length}`);
        next.push(await call('collapse', g, collapseRounds, fillPrompt(prompts.combine, { text: groups[g]!.map((i) => summaries[i]!).join(JOIN) })));
      }
      summaries = next;
    }
    await progress('combine');
    summary = await call('combine', 0, 0, fillPrompt(prompts.combine, { text: summaries.join(JOIN) }));
  }
  await options.onProgress?.(1, 'done');
  return { summary, chunks, calls, budget, collapseRounds };
}
