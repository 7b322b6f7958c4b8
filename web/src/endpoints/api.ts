/** Endpoint metrics (GET /api/v1/endpoints/{name}/metrics): types and the query, refreshed while the page is open. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { EndpointMetricsReport, LatencySummary, MetricsWindow } from '../../../src/domains/endpoints/metrics.ts';

export type { LatencySummary, MetricsWindow };
export type EndpointMetrics = EndpointMetricsReport;

/** The windows the page offers (the server accepts a few more). */
export const METRICS_WINDOWS = ['5m', '15m', '1h', '6h', '24h'] as const satisfies readonly MetricsWindow[];

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
