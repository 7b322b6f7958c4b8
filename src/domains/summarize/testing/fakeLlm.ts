/** A deterministic stand-in for an LLM endpoint (tests only): tokens are white-space words. */
import { AppError } from '../../../core/errors.ts';
import type { GenerationParams, GenerationResult, LlmHandle } from '../../llm/types.ts';

export interface FakeLlm extends LlmHandle {
  prompts: string[];
}

/**
 * `outputWords`: how many words each answer has (capped by maxNewTokens). Answers are `S<n>` followed by filler
 * words, so tests can follow which call produced what. Overflowing the context throws like the real runtime.
 */
export function fakeLlm(options: { contextSize: number; outputWords: number; delayMs?: number }): FakeLlm {
  const prompts: string[] = [];
  const count = (t: string) => (t.match(/\S+/g) ?? []).length;
  return {
    endpointName: 'fake',
    contextSize: options.contextSize,
    prompts,
    async countTokens(text: string) {
      return count(text);
    },
    async generate(prompt: string, params: GenerationParams, opts: { signal?: AbortSignal } = {}): Promise<GenerationResult> {
      opts.signal?.throwIfAborted();
      const promptTokens = count(prompt);
      const max = params.maxNewTokens ?? 16;
      if (promptTokens + max > options.contextSize) {
        throw new AppError('LLM_CONTEXT_OVERFLOW', `prompt ${promptTokens} + ${max} > ${options.contextSize} by ${promptTokens + max - options.contextSize}`);
      }
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      opts.signal?.throwIfAborted();
      prompts.push(prompt);
      const n = Math.min(max, options.outputWords);
      const text = [`S${prompts.length}`, ...Array.from({ length: n - 1 }, (_, i) => `w${i}`)].join(' ');
      return { text: ` ${text}`, promptTokens, completionTokens: n, finishReason: n === max ? 'length' : 'stop', timeToFirstToken: 0, tokensPerSecond: 1000 };
    },
  };
}

/** `n` paragraphs of `wordsEach` distinct-ish words, with sentence ends. */
export function longText(n: number, wordsEach = 60): string {
  const paras: string[] = [];
  for (let p = 0; p < n; p++) {
    const words = Array.from({ length: wordsEach }, (_, i) => `p${p}w${i}${(i + 1) % 12 === 0 ? '.' : ''}`);
    paras.push(`${words.join(' ')}.`);
  }
  return paras.join('\n\n');
}
