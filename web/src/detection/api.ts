/** Object detection API (the /api/v1/detection/models routes): detectors, their held-out metrics, predict and draw. */
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, authHeaders, buildUrl, parseBody } from '../api/client.ts';
import type { ModelVersion, Page } from '../api/types.ts';
import type { PredictResult } from '../../../src/domains/detection/service.ts';
import type { DetectionMetrics } from '../../../src/ml/detection/cocoEval.ts';

export type { DetectionMetrics, PredictResult };
const enc = encodeURIComponent;

export const detectorPath = (name: string, version: number): string => `/detection/models/${enc(name)}/${version}`;

export function useDetectors() {
  return useQuery({ queryKey: ['detection', 'models'], queryFn: ({ signal }) => api<Page<ModelVersion>>('/detection/models', { query: { limit: 200 }, signal }) });
}

export interface DetectorMetricsResponse {
  model: { id: string; name: string; version: number };
  classes: string[];
  metrics: Partial<DetectionMetrics> & { train_seconds?: number; n_train?: number; n_test?: number };
}

export function useDetectorMetrics(ref: string) {
  return useQuery({ queryKey: ['detection', 'metrics', ref], queryFn: ({ signal }) => api<DetectorMetricsResponse>(`/detection/models/${enc(ref)}/metrics`, { signal }) });
}

/** POST …/predict and …/draw with the same file: the detections and the image with boxes drawn (an object URL). */
export async function tryImage(ref: string, file: File, minScore: number): Promise<{ result: PredictResult; drawnUrl: string }> {
  const form = (): FormData => {
    const f = new FormData();
    f.append('file', file, file.name);
    return f;
  };
  const result = await api<PredictResult>(`/detection/models/${enc(ref)}/predict`, { method: 'POST', query: { minScore }, body: form() });
  const res = await fetch(buildUrl(`/detection/models/${enc(ref)}/draw`, { minScore }), { method: 'POST', headers: authHeaders(), body: form() });
  if (!res.ok) throw ApiError.fromBody(res.status, res.statusText, parseBody(await res.text(), res.headers.get('content-type')));
  return { result, drawnUrl: URL.createObjectURL(await res.blob()) };
}
