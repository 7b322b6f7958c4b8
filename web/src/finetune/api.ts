/** Fine-tuning API (src/domains/finetune): runs (live while running), metric series, uploads, export/deploy. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { uploadWithProgress } from '../api/upload.ts';
import type { FinetuneRunView } from '../../../src/domains/finetune/index.ts';

export type { FinetuneRunView };
export interface SeriesPoint { step: number; value: number }
export type RunSeries = Record<'loss' | 'eval_loss' | 'lr' | 'tokens_per_s' | 'seqs_per_s' | 'grad_norm', SeriesPoint[]>;

const live = (status: string | undefined) => status === 'queued' || status === 'running';

export function useRuns() {
  return useQuery({ queryKey: ['finetune-runs'], queryFn: () => api<{ items: FinetuneRunView[] }>('/finetune/runs'), refetchInterval: (q) => (q.state.data?.items.some((r) => live(r.status)) ? 2000 : false) });
}

export function useRun(run: string) {
  return useQuery({ queryKey: ['finetune-run', run], queryFn: () => api<FinetuneRunView>(`/finetune/runs/${encodeURIComponent(run)}`), refetchInterval: (q) => (live(q.state.data?.status) ? 1000 : false) });
}

/** Polled while the run trains; `running` is in the key so the run's end fetches the series once more (its last steps). */
export function useSeries(run: string, running: boolean) {
  return useQuery({ queryKey: ['finetune-series', run, running], queryFn: () => api<RunSeries>(`/finetune/runs/${encodeURIComponent(run)}/metrics`), refetchInterval: running ? 1000 : false, placeholderData: keepPreviousData });
}

export const uploadData = (file: File, onProgress: (f: number) => void) => {
  const form = new FormData();
  form.append('file', file, file.name);
  return uploadWithProgress<{ id: string }>('/finetune/uploads', form, onProgress).promise;
};
export const createRun = (body: Record<string, unknown>) => api<FinetuneRunView>('/finetune/runs', { method: 'POST', body });
export const cancelRun = (run: string) => api<FinetuneRunView>(`/finetune/runs/${encodeURIComponent(run)}/cancel`, { method: 'POST' });
export const resumeRun = (run: string) => api<FinetuneRunView>(`/finetune/runs/${encodeURIComponent(run)}/resume`, { method: 'POST' });
export const exportRun = (run: string, body: { step?: number; name?: string; deploy?: string }) =>
  api<{ checkpoint: { step: number }; model: { name: string; version: number }; endpoint: string | null }>(`/finetune/runs/${encodeURIComponent(run)}/export`, { method: 'POST', body });
