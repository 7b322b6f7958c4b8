/** Labeling API (src/domains/labeling): who am I, jobs with progress, tasks, saves, image history, export. */
import { useQuery } from '@tanstack/react-query';
import { api, buildUrl } from '../api/client.ts';
import type { LabelingJob, LabelingTask } from '../../../src/domains/labeling/index.ts';
import type { Box } from './editorState.ts';

export type { LabelingJob, LabelingTask };

export interface HistoryItem {
  eventTime: string;
  values: Record<string, unknown>;
}

export function useMe() {
  return useQuery({ queryKey: ['labeling-me'], queryFn: () => api<{ principal: string }>('/labeling/me'), staleTime: Infinity });
}

/** Detection datasets (D1's /detection/datasets) for the job form's picker. */
export function useDetectionDatasets() {
  return useQuery({ queryKey: ['detection-datasets'], queryFn: () => api<{ items: Array<{ name: string; images: number }> }>('/detection/datasets') });
}

export function useJobs() {
  return useQuery({ queryKey: ['labeling-jobs'], queryFn: () => api<{ items: LabelingJob[] }>('/labeling/jobs'), refetchInterval: 5000 });
}

export function useJob(id: string) {
  return useQuery({ queryKey: ['labeling-job', id], queryFn: () => api<LabelingJob>(`/labeling/jobs/${encodeURIComponent(id)}`) });
}

export function useTasks(id: string) {
  return useQuery({ queryKey: ['labeling-tasks', id], queryFn: () => api<{ items: LabelingTask[] }>(`/labeling/jobs/${encodeURIComponent(id)}/tasks`) });
}

export function useHistory(id: string, n: number) {
  return useQuery({ queryKey: ['labeling-history', id, n], queryFn: () => api<{ image: string; items: HistoryItem[] }>(`${taskPath(id, n)}/history`) });
}

export const taskPath = (id: string, n: number) => `/labeling/jobs/${encodeURIComponent(id)}/tasks/${n}`;
export const imageUrl = (id: string, n: number) => buildUrl(`${taskPath(id, n)}/image`);
export const exportUrl = (id: string, format: string) => buildUrl(`/labeling/jobs/${encodeURIComponent(id)}/export`, { format });

export function createJob(body: { dataset: string; source: 'unlabeled' | 'inbox'; limit: number; labelers?: string[]; name?: string }): Promise<LabelingJob> {
  return api<LabelingJob>('/labeling/jobs', { method: 'POST', body });
}

export function createVerification(id: string, body: { verifiers?: string[] }): Promise<LabelingJob> {
  return api<LabelingJob>(`/labeling/jobs/${encodeURIComponent(id)}/verification`, { method: 'POST', body });
}

export function saveTask(id: string, n: number, body: { boxes?: Box[]; decision?: 'approve' | 'reject' | 'adjust' }): Promise<LabelingTask> {
  return api<LabelingTask>(taskPath(id, n), { method: 'PUT', body });
}

/** "alice, bob" → ['alice', 'bob']; empty → undefined (the server then assigns the caller). */
export function namesOf(text: string): string[] | undefined {
  const names = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  return names.length > 0 ? names : undefined;
}
