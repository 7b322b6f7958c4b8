/** Pipelines API (src/domains/pipelines): pipelines and versions, runs (live while running), step logs, lineage. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { PipelineRun, PipelineStepRun, PipelineSummary, PipelineVersion, StepLogLine } from '../../../src/domains/pipelines/index.ts';
import type { LineageGraph, LineageKind, LineageNode } from '../../../src/domains/pipelines/lineage.ts';

export type { LineageGraph, LineageKind, LineageNode, PipelineRun, PipelineStepRun, PipelineSummary, PipelineVersion, StepLogLine };

const live = (status: string | undefined) => (status === 'running' || status === 'waiting' ? 1000 : false);

export function usePipelines() {
  return useQuery({ queryKey: ['pipelines'], queryFn: () => api<{ items: PipelineSummary[] }>('/pipelines') });
}

export function usePipeline(name: string) {
  return useQuery({ queryKey: ['pipeline', name], queryFn: () => api<PipelineVersion>(`/pipelines/${encodeURIComponent(name)}`) });
}

/** One version of a pipeline: the definition a run ran (its DAG). */
export function usePipelineVersion(name: string, version: number | undefined) {
  return useQuery({
    queryKey: ['pipeline', name, version],
    enabled: name !== '' && version !== undefined,
    queryFn: () => api<PipelineVersion>(`/pipelines/${encodeURIComponent(name)}/versions/${version}`),
    staleTime: Infinity, // a version never changes
  });
}

export function useLineage(kind: string, id: string) {
  return useQuery({ queryKey: ['pipeline-lineage', kind, id], enabled: kind !== '' && id !== '', queryFn: () => api<LineageGraph>('/pipelines/lineage', { query: { kind, id } }) });
}

export const lineagePath = (kind: string, id: string) => `/pipelines/lineage?kind=${encodeURIComponent(kind)}&id=${encodeURIComponent(id)}`;

export function useRuns(pipeline?: string) {
  return useQuery({
    queryKey: ['pipeline-runs', pipeline ?? ''],
    queryFn: () => api<{ items: PipelineRun[] }>('/pipelines/runs', { query: { pipeline, limit: 50 } }),
    refetchInterval: (q) => (q.state.data?.items.some((r) => live(r.status)) ? 2000 : false),
  });
}

export function useRun(id: string) {
  return useQuery({ queryKey: ['pipeline-run', id], queryFn: () => api<PipelineRun>(`/pipelines/runs/${encodeURIComponent(id)}`), refetchInterval: (q) => live(q.state.data?.status) });
}

export function useStepLogs(id: string, step: string | null, running: boolean) {
  return useQuery({
    queryKey: ['pipeline-logs', id, step],
    enabled: step !== null,
    queryFn: () => api<{ items: StepLogLine[] }>(`/pipelines/runs/${encodeURIComponent(id)}/logs`, { query: { step: step ?? undefined } }),
    refetchInterval: running ? 1000 : false,
  });
}

export const startRun = (name: string, params: Record<string, string>) => api<PipelineRun>(`/pipelines/${encodeURIComponent(name)}/runs`, { method: 'POST', body: { params } });
export const cancelRun = (id: string) => api<PipelineRun>(`/pipelines/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
