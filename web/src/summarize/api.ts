/** Summarization API (POST /summarize, GET /summarize/{job}, /summarize/defaults) for the Summarize page. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Job } from '../api/types.ts';
import type { Budget } from '../../../src/domains/summarize/budget.ts';
import type { DocumentSummary, IntermediateSummary, SummarizeResult as ServerResult } from '../../../src/domains/summarize/schema.ts';
import type { SummarizeService } from '../../../src/domains/summarize/service.ts';

export type { Budget, DocumentSummary };
export type SummarizeMode = 'map-reduce' | 'refine';
export type Intermediate = IntermediateSummary;
export type SummarizeDefaults = Awaited<ReturnType<SummarizeService['defaults']>>;
/** The result, with its budget read as the LLM engine writes it (the server types it loosely). */
export type SummarizeResult = Omit<ServerResult, 'budget'> & { budget: (Budget & { chunks: number }) | null };

/** GET /summarize/{job}; `partial` is partial.json (written while it runs), passed through untyped by the server. */
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
