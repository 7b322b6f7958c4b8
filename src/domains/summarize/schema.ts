/** Request, job payload and result shapes of summarization (zod: validation + OpenAPI from one source). */
import { z } from 'zod';
import type { LlmCall } from './mapReduce.ts';
import { DEFAULT_COMBINE_PROMPT, DEFAULT_MAP_PROMPT, DEFAULT_REFINE_PROMPT } from './prompts.ts';

export const inputFormatSchema = z.enum(['auto', 'text', 'markdown', 'jsonl']);

export const engineSchema = z.union([
  z.literal('extractive'),
  z.object({ endpoint: z.string().min(1).describe('name of a deployed LLM endpoint') }).strict(),
]);
export type Engine = z.infer<typeof engineSchema>;

/** Options shared by the JSON request, the multipart form and the job payload. */
export const summarizeOptionsSchema = z.object({
  engine: engineSchema.default('extractive').describe("'extractive' (no model; the default) or {endpoint: NAME} for map-reduce / refine with an LLM endpoint"),
  mode: z.enum(['map-reduce', 'refine']).default('map-reduce'),
  format: inputFormatSchema.default('auto').describe('auto: by file name (.txt, .md, .jsonl) and content'),
  chunkSize: z.number().int().min(16).optional().describe('LLM: chunk size in model tokens (default: what the context window leaves after the prompt and output, at most 2048)'),
  chunkOverlap: z.number().int().min(0).optional().describe('LLM: overlap between chunks in model tokens (default 5 % of the chunk)'),
  tokenMax: z.number().int().min(16).optional().describe('LLM: collapse summaries while their total exceeds this (default: context − combine prompt − output)'),
  maxNewTokens: z.number().int().min(1).max(8192).optional().describe('LLM: output budget per call (default ¼ of the context, 16…512)'),
  temperature: z.number().min(0).max(2).optional().describe('LLM: sampling temperature (default 0: greedy)'),
  seed: z.number().int().optional(),
  mapPrompt: z.string().min(1).max(20_000).optional().describe(`LLM: map prompt with {text}. Default:\n${DEFAULT_MAP_PROMPT}`),
  combinePrompt: z.string().min(1).max(20_000).optional().describe(`LLM: combine / collapse prompt with {text}. Default:\n${DEFAULT_COMBINE_PROMPT}`),
  refinePrompt: z.string().min(1).max(20_000).optional().describe(`LLM refine mode: prompt with {existing_answer} and {text}. Default:\n${DEFAULT_REFINE_PROMPT}`),
  maxWords: z.number().int().min(10).max(100_000).optional().describe('extractive: summary length in words'),
  ratio: z.number().gt(0).max(1).optional().describe('extractive: summary length as a fraction of the document (default 0.1, 50…400 words)'),
});
export type SummarizeOptions = z.infer<typeof summarizeOptionsSchema>;

export const summarizeRequestSchema = summarizeOptionsSchema.extend({
  text: z.string().min(1).max(50_000_000).optional().describe('the document (or JSON Lines of {"id","text"})'),
  name: z.string().max(200).optional().describe('a name for pasted text (default "document")'),
  dataset: z.string().min(1).optional().describe('id or name of an uploaded dataset whose file is the input'),
  datasetVersion: z.number().int().positive().optional(),
});
export type SummarizeRequest = z.infer<typeof summarizeRequestSchema>;

export const summarizePayloadSchema = summarizeOptionsSchema.extend({
  inputKey: z.string(),
  fileName: z.string(),
});
export type SummarizePayload = z.infer<typeof summarizePayloadSchema>;

export const jobIdParams = z.object({ jobId: z.string().min(1) });
export const fileParams = jobIdParams.extend({ file: z.enum(['summary.md', 'result.json', 'partial.json']) });
export const defaultsQuery = z.object({
  endpoint: z.string().min(1).optional(),
  mode: z.enum(['map-reduce', 'refine']).default('map-reduce'),
  maxNewTokens: z.coerce.number().int().min(1).max(8192).optional(),
});

/** One LLM call as kept in the result (intermediate summaries), with the document it belongs to; a stored stage reads back as a string. */
export interface IntermediateSummary extends Omit<LlmCall, 'stage'> {
  document: string;
  stage: string;
}

export interface DocumentSummary {
  id: string;
  summary: string;
  words: number;
  inputWords: number;
  chunks: number;
  /** Extractive: the chosen sentences with their score. */
  sentences?: Array<{ index: number; text: string; score: number; section: string }>;
  collapseRounds?: number;
  seconds: number;
}

export interface SummarizeResult {
  summary: string;
  engine: Engine;
  mode: 'map-reduce' | 'refine' | 'extractive';
  format: string;
  /** Chunks summarized (all documents). */
  chunks: number;
  documents: DocumentSummary[];
  intermediate: IntermediateSummary[];
  /** LLM: the collapse budget (context − combine prompt − output − margin); null for the extractive engine. */
  tokenMax: number | null;
  budget: Record<string, unknown> | null;
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  prompts: { map: string; combine: string; refine: string } | null;
  seconds: number;
  artifacts: { summary: string; result: string };
}
