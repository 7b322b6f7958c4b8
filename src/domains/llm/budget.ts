/**
 * The context budget: a prompt plus the tokens to generate must fit the context window. Overflow is an
 * error that says by how much — never silent truncation — unless the caller asks for truncation, which
 * drops the OLDEST prompt tokens (keeping BOS), like TGI's `truncate`.
 */
import { AppError } from '../../core/errors.ts';

export interface Budget {
  tokens: number[];
  maxNewTokens: number;
  truncatedTokens: number;
}

export function overflowError(promptTokens: number, maxNewTokens: number, contextSize: number, maxLabel: string): AppError {
  const total = promptTokens + maxNewTokens;
  const excess = total - contextSize;
  return new AppError(
    'LLM_CONTEXT_OVERFLOW',
    `The prompt does not fit the context window: prompt is ${promptTokens} tokens + ${maxLabel} ${maxNewTokens} = ${total} > context ${contextSize}, ${excess} too many.`,
    {
      problems: [
        {
          field: 'inputs',
          problem: `${excess} tokens over the ${contextSize}-token context`,
          fix: `Shorten the prompt by ${excess} tokens, lower ${maxLabel}, redeploy with a larger contextSize, or pass truncate: true to drop the oldest prompt tokens.`,
        },
      ],
      extra: { promptTokens, maxNewTokens, contextSize, excessTokens: excess },
    },
  );
}

/**
 * Fits `tokens` (the full prompt, BOS included when `hasBos`) and `maxNewTokens` (undefined: the rest of the
 * context) into `contextSize`. `truncate: true` keeps the newest tokens that fit; a number keeps at most the
 * last N prompt tokens first.
 */
export function fitBudget(tokens: number[], maxNewTokens: number | undefined, contextSize: number, options: { truncate?: boolean | number; hasBos: boolean; maxLabel?: string }): Budget {
  const label = options.maxLabel ?? 'max_new_tokens';
  const head = options.hasBos && tokens.length > 0 ? tokens.slice(0, 1) : [];
  let body = options.hasBos ? tokens.slice(1) : tokens;
  let truncated = 0;
  if (typeof options.truncate === 'number' && body.length > options.truncate) {
    truncated += body.length - options.truncate;
    body = body.slice(-options.truncate);
  }
  const want = maxNewTokens ?? Math.max(1, contextSize - head.length - body.length);
  if (head.length + body.length + want > contextSize) {
    if (options.truncate === true && contextSize - want - head.length >= 1) {
      const keep = contextSize - want - head.length;
      truncated += body.length - keep;
      body = body.slice(-keep);
    } else {
      throw overflowError(head.length + body.length, want, contextSize, label);
    }
  }
  return { tokens: [...head, ...body], maxNewTokens: want, truncatedTokens: truncated };
}
