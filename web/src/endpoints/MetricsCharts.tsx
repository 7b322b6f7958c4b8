/** The endpoint page's charts (@observablehq/plot): requests and errors per step, and latency percentiles over time. */
import * as Plot from '@observablehq/plot';
import { usePlot } from '../components/usePlot.ts';
import type { EndpointMetrics } from './api.ts';

const STYLE = { background: 'transparent', color: 'inherit', fontSize: '12px', overflow: 'visible' };

/** Stacked bars per step: successful answers and errors. */
export function RequestsChart({ metrics }: { metrics: EndpointMetrics }) {
  const data = metrics.series.flatMap((p) => [
    { t: new Date(p.t), kind: 'ok', n: p.requests - p.errors },
    { t: new Date(p.t), kind: 'errors', n: p.errors },
  ]);
  const { sizeRef, hostRef } = usePlot(
    (width) =>
      Plot.plot({
        width,
        height: 200,
        marginLeft: 44,
        style: STYLE,
        x: { type: 'time', label: null, domain: [new Date(metrics.from), new Date(metrics.to)] },
        y: { label: `requests per ${metrics.stepSeconds / 60} min`, grid: true },
        color: { domain: ['ok', 'errors'], range: ['var(--mantine-color-teal-6)', 'var(--mantine-color-red-6)'], legend: true },
        marks: [
          Plot.rectY(data, { x1: 't', x2: (d: { t: Date }) => new Date(d.t.getTime() + metrics.stepSeconds * 1000), y: 'n', fill: 'kind', tip: true, inset: 0.5 }),
          Plot.ruleY([0]),
        ],
      }),
    [metrics],
  );
  return (
    <div ref={sizeRef} data-testid="endpoint-requests-chart" style={{ width: '100%' }}>
      <div ref={hostRef} />
    </div>
  );
}

/** p50 / p95 / p99 per step (steps without requests leave a gap). */
export function LatencyChart({ metrics }: { metrics: EndpointMetrics }) {
  const data = metrics.series.flatMap((p) =>
    (['p50Ms', 'p95Ms', 'p99Ms'] as const).map((k) => ({ t: new Date(p.t), percentile: k.slice(0, 3), ms: p[k] })),
  );
  const { sizeRef, hostRef } = usePlot(
    (width) =>
      Plot.plot({
        width,
        height: 220,
        marginLeft: 52,
        style: STYLE,
        x: { type: 'time', label: null, domain: [new Date(metrics.from), new Date(metrics.to)] },
        y: { label: 'latency (ms)', grid: true, zero: true },
        color: { domain: ['p50', 'p95', 'p99'], range: ['var(--mantine-color-indigo-6)', 'var(--mantine-color-orange-6)', 'var(--mantine-color-red-6)'], legend: true },
        marks: [
          Plot.line(data, { x: 't', y: 'ms', z: 'percentile', stroke: 'percentile', strokeWidth: 2 }),
          Plot.dot(data.filter((d) => d.ms !== null), { x: 't', y: 'ms', fill: 'percentile', r: 2.5, tip: true }),
          Plot.ruleY([0]),
        ],
      }),
    [metrics],
  );
  return (
    <div ref={sizeRef} data-testid="endpoint-latency-chart" style={{ width: '100%' }}>
      <div ref={hostRef} />
    </div>
  );
}
