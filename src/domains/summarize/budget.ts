/**
 * Token budgets of a summarization run, derived from the endpoint's context window and counted with the
 * model's own tokenizer (never LangChain's fixed chunk_size 500 / token_max 3000):
 *
 *   output      = maxNewTokens (default ¼ of the context, 16…512, less when the window is tight — see below)
 *   margin      = max(8, 2 % of the context)  — BOS/EOS and token merges at the template/text seams
 *   chunk       ≤ context − map template − output − margin            (map-reduce)
 *               ≤ context − refine template − 2 × output − margin     (refine: the running summary rides along)
 *   token_max   = context − combine template − output − margin        (collapse while the summaries exceed it)
 *
 * The default chunk is the whole room up to DEFAULT_CHUNK_CAP tokens; the default overlap is 5 % of the chunk.
 * A request that cannot fit (a chunkSize too large, prompts longer than the window) fails with
 * SUMMARIZE_CONTEXT_TOO_SMALL saying by how many tokens — nothing is truncated silently.
 */
import { AppError } from '../../core/errors.ts';
import { splitText } from '../../ml/summarize/splitter.ts';
import type { LlmHandle } from '../llm/types.ts';
import { templateOnly, type Prompts } from './prompts.ts';

export const DEFAULT_CHUNK_CAP = 2048;
const MIN_CHUNK = 16;

export interface BudgetRequest {
  mode: 'map-reduce' | 'refine';
  chunkSize?: number;
  chunkOverlap?: number;
  maxNewTokens?: number;
  tokenMax?: number;
}

export interface Budget {
  contextSize: number;
  outputTokens: number;
  margin: number;
  templateTokens: { map: number; combine: number; refine: number };
  chunkTokens: number;
  chunkOverlap: number;
  /** Collapse summaries while their total exceeds this (map-reduce). */
  tokenMax: number;
}

function tooSmall(message: string, field: string, fix: string): AppError {
  return new AppError('SUMMARIZE_CONTEXT_TOO_SMALL', message, { problems: [{ field, problem: message, fix }] });
}

export async function computeBudget(llm: Pick<LlmHandle, 'contextSize' | 'countTokens'>, prompts: Prompts, req: BudgetRequest): Promise<Budget> {
  const ctx = llm.contextSize;
  const margin = Math.max(8, Math.ceil(ctx * 0.02));
  const [map, combine, refine] = await Promise.all([llm.countTokens(templateOnly(prompts.map)), llm.countTokens(templateOnly(prompts.combine)), llm.countTokens(templateOnly(prompts.refine))]);
  // Default output: ¼ of the context (16…512), smaller where the window is tight, so that the combine prompt holds at
  // least two outputs (map-reduce) or a chunk as large as the running summary still fits (refine).
  const fitting = req.mode === 'refine' ? Math.floor((ctx - refine - margin) / 3) : Math.floor((ctx - Math.max(map, combine) - margin) / 3);
  const outputTokens = req.maxNewTokens ?? Math.max(16, Math.min(512, Math.floor(ctx / 4), fitting));
  const room = req.mode === 'refine' ? ctx - refine - 2 * outputTokens - margin : ctx - map - outputTokens - margin;
  const promptField = req.mode === 'refine' ? 'refinePrompt' : 'mapPrompt';
  if (room < MIN_CHUNK) {
    throw tooSmall(
      `The context window of ${ctx} tokens cannot hold the ${req.mode === 'refine' ? 'refine' : 'map'} prompt (${req.mode === 'refine' ? refine : map} tokens), ${req.mode === 'refine' ? `twice the output budget (2 × ${outputTokens})` : `the output budget (${outputTokens})`} and a chunk of at least ${MIN_CHUNK} tokens: ${MIN_CHUNK - room} tokens short.`,
      req.maxNewTokens !== undefined ? 'maxNewTokens' : promptField,
      'Use a shorter prompt, a smaller maxNewTokens, or an endpoint deployed with a larger contextSize.',
    );
  }
  if (req.chunkSize !== undefined && req.chunkSize > room) {
    throw tooSmall(
      `chunkSize ${req.chunkSize} does not fit: the context window (${ctx}) minus the prompt and output budget leaves ${room} tokens per chunk (${req.chunkSize - room} too many).`,
      'chunkSize',
      `Use chunkSize ≤ ${room}, or leave it out to use the largest chunk that fits.`,
    );
  }
  const chunkTokens = req.chunkSize ?? Math.min(room, DEFAULT_CHUNK_CAP);
  const chunkOverlap = req.chunkOverlap ?? Math.floor(chunkTokens * 0.05);
  if (chunkOverlap >= chunkTokens) {
    throw new AppError('VALIDATION_FAILED', `chunkOverlap (${chunkOverlap}) must be smaller than the chunk size (${chunkTokens} tokens).`, {
      problems: [{ field: 'chunkOverlap', problem: `${chunkOverlap} ≥ chunk size ${chunkTokens}`, fix: `Use a chunkOverlap below ${chunkTokens}.` }],
    });
  }
  const derivedTokenMax = ctx - combine - outputTokens - margin;
  if (req.mode === 'map-reduce' && derivedTokenMax < 2 * outputTokens) {
    throw tooSmall(
      `The context window of ${ctx} tokens cannot combine two summaries: the combine prompt (${combine} tokens) and the output budget (${outputTokens}) leave ${derivedTokenMax} tokens, fewer than two outputs (${2 * outputTokens}).`,
      'combinePrompt',
      'Use a shorter combine prompt, a smaller maxNewTokens, or a larger context.',
    );
  }
  if (req.tokenMax !== undefined && req.tokenMax > derivedTokenMax) {
    throw tooSmall(`tokenMax ${req.tokenMax} does not fit the context window: at most ${derivedTokenMax} tokens of summaries fit the combine prompt.`, 'tokenMax', `Use tokenMax ≤ ${derivedTokenMax} or leave it out.`);
  }
  return { contextSize: ctx, outputTokens, margin, templateTokens: { map, combine, refine }, chunkTokens, chunkOverlap, tokenMax: req.tokenMax ?? derivedTokenMax };
}

/**
 * Splits `text` into chunks of at most `chunkTokens` model tokens. The recursive splitter measures with a
 * characters-per-token ratio calibrated on the document by the model's tokenizer; every chunk is then counted
 * exactly and re-split (with a proportionally smaller size) if the estimate was optimistic.
 */
export async function splitByTokens(text: string, llm: Pick<LlmHandle, 'countTokens'>, chunkTokens: number, overlapTokens: number, signal?: AbortSignal): Promise<string[]> {
  const total = await llm.countTokens(text);
  if (total <= chunkTokens) return text.trim() ? [text.trim()] : [];
  const charsPerToken = Math.max(0.5, text.length / Math.max(1, total));
  const estimate = (s: string) => Math.ceil(s.length / charsPerToken);
  const out: string[] = [];
  const fit = async (piece: string, size: number, overlap: number, depth: number): Promise<void> => {
    for (const chunk of splitText(piece, { chunkSize: size, chunkOverlap: Math.min(overlap, size - 1), length: estimate })) {
      signal?.throwIfAborted();
      const n = await llm.countTokens(chunk);
      if (n <= chunkTokens || depth >= 6) out.push(chunk);
      else await fit(chunk, Math.max(1, Math.floor(size * (chunkTokens / n) * 0.95)), 0, depth + 1);
    }
  };
  await fit(text, chunkTokens, overlapTokens, 0);
  return out;
}
