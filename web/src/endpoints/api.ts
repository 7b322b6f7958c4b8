/** Endpoint metrics (GET /api/v1/endpoints/{name}/metrics): types and the query, refreshed while the page is open. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';

export const METRICS_WINDOWS = ['5m', '15m', '1h', '6h', '24h'] as const;
export type MetricsWindow = (typeof METRICS_WINDOWS)[number];

export interface LatencySummary {
  requests: number;
  errors: number;
  clientErrors: number;
  serverErrors: number;
  errorRate: number | null;
  meanMs: number | null;
  maxMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface EndpointMetrics {
  endpoint: string;
  window: string;
  windowSeconds: number;
  stepSeconds: number;
  from: string;
  to: string;
  recordingSince: string;
  summary: LatencySummary;
  lifetime: { requests: number; errors: number };
  series: Array<LatencySummary & { t: string }>;
}

export function useEndpointMetrics(name: string, window: MetricsWindow) {
  return useQuery({
    queryKey: ['endpoints', 'metrics', name, window] as const,
    queryFn: ({ signal }) => api<EndpointMetrics>(`/endpoints/${encodeURIComponent(name)}/metrics`, { query: { window }, signal }),
    refetchInterval: 5000,
  });
}

/** "12.3 ms", "1.24 s", or an em dash. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}
