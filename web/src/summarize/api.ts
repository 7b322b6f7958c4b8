/** Summarization API (POST /summarize, GET /summarize/{job}, /summarize/defaults) for the Summarize page. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Job } from '../api/types.ts';

export type SummarizeMode = 'map-reduce' | 'refine';

export interface Budget {
  contextSize: number;
  outputTokens: number;
  margin: number;
  templateTokens: { map: number; combine: number; refine: number };
  chunkTokens: number;
  chunkOverlap: number;
  tokenMax: number;
}

export interface SummarizeDefaults {
  prompts: { map: string; combine: string; refine: string };
  extractive: { ratio: number; minWords: number; maxWords: number };
  llmAvailable: boolean;
  budget: Budget | null;
}

export interface Intermediate {
  document: string;
  stage: string;
  index: number;
  round: number;
  promptTokens: number;
  completionTokens: number;
  seconds: number;
  finishReason: string;
  output: string;
}

export interface DocumentSummary {
  id: string;
  summary: string;
  words: number;
  inputWords: number;
  chunks: number;
  sentences?: Array<{ index: number; text: string; score: number; section: string }>;
  seconds: number;
}

export interface SummarizeResult {
  summary: string;
  engine: 'extractive' | { endpoint: string };
  mode: string;
  format: string;
  chunks: number;
  documents: DocumentSummary[];
  intermediate: Intermediate[];
  tokenMax: number | null;
  budget: (Budget & { chunks: number }) | null;
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  seconds: number;
}

export interface SummarizeJobView {
  job: Job;
  result: SummarizeResult | null;
  partial: { intermediate: Intermediate[]; documents: DocumentSummary[]; error?: string } | null;
}

export const summarizeKeys = {
  defaults: (endpoint: string | null, mode: SummarizeMode, maxNewTokens: number | null) => ['summarize', 'defaults', endpoint, mode, maxNewTokens] as const,
  job: (id: string) => ['summarize', 'job', id] as const,
};

export function useSummarizeDefaults(endpoint: string | null, mode: SummarizeMode, maxNewTokens: number | null) {
  return useQuery({
    queryKey: summarizeKeys.defaults(endpoint, mode, maxNewTokens),
    queryFn: ({ signal }) => api<SummarizeDefaults>('/summarize/defaults', { query: { endpoint, mode, maxNewTokens }, signal }),
    staleTime: 60_000,
  });
}

/** The job view once the job is terminal (result, or the partial intermediate summaries). */
export function useSummarizeJob(id: string, terminal: boolean) {
  return useQuery({
    queryKey: [...summarizeKeys.job(id), terminal],
    queryFn: ({ signal }) => api<SummarizeJobView>(`/summarize/${encodeURIComponent(id)}`, { signal }),
    enabled: terminal,
  });
}

export function startSummarize(body: Record<string, unknown>): Promise<{ job: Job }> {
  return api<{ job: Job }>('/summarize', { method: 'POST', body });
}

export function uploadSummarize(fields: Record<string, string>, file: File): Promise<{ job: Job }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', file, file.name);
  return api<{ job: Job }>('/summarize', { method: 'POST', body: form });
}

export const fileUrl = (jobId: string, file: 'summary.md' | 'result.json') => `/api/v1/summarize/${encodeURIComponent(jobId)}/files/${file}`;
