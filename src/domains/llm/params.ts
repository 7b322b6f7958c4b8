/**
 * Request payloads: TGI / JumpStart text generation, Llama-2 chat dialogs, OpenAI completions and chat,
 * infill — zod schemas (validation + OpenAPI) and their mapping to one set of generation parameters.
 *
 * Sampling follows TGI: greedy unless `do_sample` is true or a sampling warper is set (temperature ≠ 1,
 * top_k, top_p < 1); `do_sample: false` forces greedy. OpenAI requests sample at temperature 1 by default
 * (as OpenAI does); temperature 0 is greedy.
 */
import { z } from 'zod';
import type { GenerationParams } from './types.ts';

export const TGI_DEFAULT_MAX_NEW_TOKENS = 20;
export const MAX_STOP_SEQUENCES = 16;

export const tgiParametersSchema = z
  .object({
    max_new_tokens: z.number().int().min(1).optional().describe('tokens to generate (default 20, like TGI)'),
    temperature: z.number().min(0).max(100).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    top_k: z.number().int().min(1).optional(),
    do_sample: z.boolean().optional(),
    repetition_penalty: z.number().gt(0).optional().describe('multiplicative, 1.0 = none'),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    return_full_text: z.boolean().optional().describe('prefix the prompt to generated_text (default false)'),
    stop: z.array(z.string().min(1)).max(MAX_STOP_SEQUENCES).optional().describe('stop sequences (not included in the output)'),
    seed: z.number().int().min(0).optional(),
    truncate: z.union([z.boolean(), z.number().int().min(1)]).optional().describe('true: drop the oldest prompt tokens to fit the context; N: keep the last N prompt tokens'),
    details: z.boolean().optional(),
    typical_p: z.number().gt(0).max(1).optional().describe('accepted for compatibility, not applied'),
    watermark: z.boolean().optional().describe('accepted for compatibility, not applied'),
    decoder_input_details: z.boolean().optional().describe('accepted for compatibility, not applied'),
    best_of: z.literal(1).optional(),
  })
  .strict();

export type TgiParameters = z.infer<typeof tgiParametersSchema>;

export const chatMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict();
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const invocationBodySchema = z
  .object({
    inputs: z.union([z.string(), z.array(z.string()).min(1), z.array(chatMessageSchema).min(1), z.array(z.array(chatMessageSchema).min(1)).min(1)]),
    parameters: tgiParametersSchema.optional(),
    stream: z.boolean().optional().describe('server-sent events in TGI generate_stream format (one text input only)'),
    accept_eula: z.boolean().optional(),
  })
  .strict();

export type InvocationBody = z.infer<typeof invocationBodySchema>;

export const infillBodySchema = z
  .object({
    prefix: z.string(),
    suffix: z.string().default(''),
    parameters: tgiParametersSchema
      .extend({ template: z.string().optional().describe('force a FIM template (codellama, starcoder, deepseek, qwen, codestral)') })
      .optional(),
    stream: z.boolean().optional(),
    accept_eula: z.boolean().optional(),
  })
  .strict();

export type InfillBody = z.infer<typeof infillBodySchema>;

/** TGI parameters → generation parameters (sampling decided with TGI's rule). */
export function fromTgi(p: TgiParameters | undefined, defaultMaxNewTokens = TGI_DEFAULT_MAX_NEW_TOKENS): GenerationParams {
  const q = p ?? {};
  const warpers = (q.temperature !== undefined && q.temperature !== 1) || q.top_k !== undefined || (q.top_p !== undefined && q.top_p < 1);
  const doSample = q.do_sample ?? warpers;
  return {
    maxNewTokens: q.max_new_tokens ?? defaultMaxNewTokens,
    temperature: q.temperature,
    topP: q.top_p,
    topK: q.top_k,
    doSample,
    repetitionPenalty: q.repetition_penalty,
    frequencyPenalty: q.frequency_penalty,
    presencePenalty: q.presence_penalty,
    stop: q.stop,
    seed: q.seed,
  };
}

const stopField = z.union([z.string().min(1), z.array(z.string().min(1)).max(MAX_STOP_SEQUENCES)]).nullable().optional();

/** Fields both OpenAI request kinds share (plus our `truncate`, `top_k`, `repetition_penalty`, `accept_eula`). */
const openAiCommon = {
  model: z.string().min(1).describe('the endpoint name'),
  max_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  top_k: z.number().int().min(1).optional(),
  repetition_penalty: z.number().gt(0).optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  stop: stopField,
  seed: z.number().int().nullable().optional(),
  n: z.literal(1).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  user: z.string().optional(),
  truncate: z.boolean().optional(),
  accept_eula: z.boolean().optional(),
};

const contentPart = z.object({ type: z.literal('text'), text: z.string() });

export const openAiChatBodySchema = z.object({
  ...openAiCommon,
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant']),
        content: z.union([z.string(), z.array(contentPart)]).nullable(),
        name: z.string().optional(),
      }),
    )
    .min(1),
});

export type OpenAiChatBody = z.infer<typeof openAiChatBodySchema>;

export const openAiCompletionBodySchema = z.object({
  ...openAiCommon,
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  echo: z.boolean().optional(),
  suffix: z.string().nullable().optional(),
});

export type OpenAiCompletionBody = z.infer<typeof openAiCompletionBodySchema>;

/** OpenAI fields → generation parameters; `maxNewTokens` undefined means "the rest of the context". */
export function fromOpenAi(b: OpenAiChatBody | OpenAiCompletionBody, defaultMax?: number): GenerationParams {
  const temperature = b.temperature ?? 1;
  const stop = b.stop == null ? undefined : typeof b.stop === 'string' ? [b.stop] : b.stop;
  const max = ('max_completion_tokens' in b ? b.max_completion_tokens : undefined) ?? b.max_tokens ?? defaultMax;
  return {
    maxNewTokens: max ?? undefined,
    temperature,
    topP: b.top_p ?? undefined,
    topK: b.top_k,
    doSample: temperature > 0,
    repetitionPenalty: b.repetition_penalty,
    frequencyPenalty: b.frequency_penalty ?? undefined,
    presencePenalty: b.presence_penalty ?? undefined,
    stop,
    seed: b.seed == null ? undefined : Math.abs(b.seed),
  };
}

/** Sampler options for node-llama-cpp from generation parameters (greedy: temperature 0). */
export function samplerOptions(p: GenerationParams): {
  temperature: number;
  topK?: number;
  topP?: number;
  seed?: number;
  repeatPenalty: false | { penalty?: number; frequencyPenalty?: number; presencePenalty?: number; lastTokens: number };
} {
  const sample = (p.doSample ?? (p.temperature !== undefined && p.temperature > 0)) && p.temperature !== 0;
  const penalties = p.repetitionPenalty !== undefined || p.frequencyPenalty || p.presencePenalty;
  return {
    temperature: sample ? (p.temperature ?? 1) : 0,
    ...(sample && p.topK !== undefined ? { topK: p.topK } : {}),
    ...(sample && p.topP !== undefined ? { topP: p.topP } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    repeatPenalty: penalties
      ? {
          lastTokens: 64,
          penalty: p.repetitionPenalty ?? 1,
          ...(p.frequencyPenalty ? { frequencyPenalty: p.frequencyPenalty } : {}),
          ...(p.presencePenalty ? { presencePenalty: p.presencePenalty } : {}),
        }
      : false,
  };
}
