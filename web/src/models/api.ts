/** Model registry, endpoint and text-classification queries and mutations. */
import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from '../api/client.ts';
import { uploadWithProgress, type UploadHandle } from '../api/upload.ts';
import type {
  BatchInputFormat,
  ClassifyResult,
  Endpoint,
  Job,
  ModelVersion,
  Page,
  TextMetrics,
  TrainingCheck,
  TrainingCheckRequest,
  TrainRequest,
} from '../api/types.ts';

const enc = encodeURIComponent;

export const modelKeys = {
  all: ['models'] as const,
  list: () => ['models', 'list'] as const,
  named: (name: string) => ['models', 'named', name] as const,
  version: (name: string, v: number) => ['models', 'version', name, v] as const,
  metricsFile: (name: string, v: number) => ['models', 'metrics-file', name, v] as const,
};

export const endpointKeys = {
  all: ['endpoints'] as const,
  list: () => ['endpoints', 'list'] as const,
};

export function modelPath(name: string, version: number): string {
  return `/models/${enc(name)}/${version}`;
}

export function artifactUrl(name: string, version: number, artifact: string): string {
  return `/api/v1/models/${enc(name)}/versions/${version}/artifacts/${enc(artifact)}`;
}

export function batchOutputUrl(jobId: string, format: 'jsonl' | 'tar.gz'): string {
  return `/api/v1/text/batch-jobs/${enc(jobId)}/output?format=${format}`;
}

/** A list endpoint read as empty while the route does not exist (404). */
async function listOrEmpty<T>(path: string, signal: AbortSignal): Promise<Page<T>> {
  try {
    return await api<Page<T>>(path, { query: { limit: 200 }, signal });
  } catch (err) {
    if (isApiError(err) && err.status === 404) return { items: [], nextCursor: null };
    throw err;
  }
}

export function useModels() {
  return useQuery({
    queryKey: modelKeys.list(),
    queryFn: ({ signal }) => listOrEmpty<ModelVersion>('/models', signal),
    refetchInterval: (q) => (q.state.data?.items.some((m) => m.status === 'training') ? 2000 : 10_000),
  });
}

export function useModelVersions(name: string) {
  return useQuery({
    queryKey: modelKeys.named(name),
    queryFn: ({ signal }) => api<{ name: string; versions: ModelVersion[] }>(`/models/${enc(name)}`, { signal }),
  });
}

export function useModelVersion(name: string, version: number) {
  return useQuery({
    queryKey: modelKeys.version(name, version),
    queryFn: ({ signal }) => api<ModelVersion>(`/models/${enc(name)}/versions/${version}`, { signal }),
    enabled: Boolean(name) && version > 0,
    refetchInterval: (q) => (q.state.data?.status === 'training' ? 2000 : false),
  });
}

/** metrics.json: the registry's metrics plus the confusion matrix. */
export function useMetricsFile(name: string, version: number, enabled: boolean) {
  return useQuery({
    queryKey: modelKeys.metricsFile(name, version),
    queryFn: ({ signal }) => api<TextMetrics>(artifactUrl(name, version, 'metrics.json'), { signal }),
    enabled,
    staleTime: Infinity,
  });
}

export function deleteModelVersion(name: string, version: number): Promise<void> {
  return api<void>(`/models/${enc(name)}/versions/${version}`, { method: 'DELETE' });
}

export function trainClassifier(body: TrainRequest): Promise<{ job: Job }> {
  return api<{ job: Job }>('/text/classifiers', { method: 'POST', body });
}

/**
 * Training's data checks without training (dry run), re-run when the request changes; null skips it.
 * Errors (a dataset that cannot be read as text) come back as the query's error.
 */
export function useTrainingCheck(body: TrainingCheckRequest | null) {
  return useQuery({
    queryKey: ['text', 'training-check', body] as const,
    queryFn: ({ signal }) => api<TrainingCheck>('/text/classifiers/check', { method: 'POST', body: body!, signal }),
    enabled: Boolean(body?.dataset),
    staleTime: 30_000,
  });
}

export function useEndpoints() {
  return useQuery({
    queryKey: endpointKeys.list(),
    queryFn: ({ signal }) => listOrEmpty<Endpoint>('/endpoints', signal),
    refetchInterval: 10_000,
  });
}

export function createEndpoint(name: string, model: string): Promise<Endpoint> {
  return api<Endpoint>('/endpoints', { method: 'POST', body: { name, model } });
}

export function deleteEndpoint(name: string): Promise<void> {
  return api<void>(`/endpoints/${enc(name)}`, { method: 'DELETE' });
}

export function classify(endpoint: string, text: string): Promise<ClassifyResult> {
  return api<ClassifyResult>(`/endpoints/${enc(endpoint)}/classify`, { method: 'POST', body: { Text: text } });
}

export interface BatchFields {
  model: string;
  inputFormat: BatchInputFormat;
  column?: string;
  file: File;
}

export function startBatchJob(fields: BatchFields, onProgress: (fraction: number) => void): UploadHandle<{ job: Job }> {
  const form = new FormData();
  // The server reads the fields before the file part.
  form.append('model', fields.model);
  form.append('inputFormat', fields.inputFormat);
  if (fields.inputFormat === 'csv' && fields.column?.trim()) form.append('column', fields.column.trim());
  form.append('file', fields.file, fields.file.name);
  return uploadWithProgress<{ job: Job }>('/text/batch-jobs', form, onProgress);
}
