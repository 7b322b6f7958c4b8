import { useState } from 'react';
import { Group, Select, Text } from '@mantine/core';
import * as Plot from '@observablehq/plot';
import { useQueries } from '@tanstack/react-query';
import { api, isApiError } from '../../api/client.ts';
import type { ModelVersion } from '../../api/types.ts';
import { usePlot } from '../../components/usePlot.ts';
import { qualityKeys, type TuningReport } from '../../quality/api.ts';
import { labelRows } from './compare.ts';
import { versionColor } from './CompareTables.tsx';

const STYLE = { background: 'transparent', color: 'inherit', fontSize: '12px', overflow: 'visible' };

/** Grouped horizontal bars: F1 of each label, one bar per version. */
export function LabelF1Chart({ versions }: { versions: ModelVersion[] }) {
  const rows = labelRows(versions);
  const data = rows.flatMap((r) => r.f1.map((f1, i) => ({ label: r.label, version: `v${versions[i]!.version}`, f1: f1 ?? 0 })));
  const domain = versions.map((v) => `v${v.version}`);
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      if (data.length === 0) return null;
      const longest = Math.max(...rows.map((r) => r.label.length));
      return Plot.plot({
        width,
        height: Math.max(160, rows.length * (versions.length * 12 + 10) + 40),
        marginLeft: Math.min(200, Math.max(50, longest * 7 + 12)),
        style: STYLE,
        x: { label: 'F1', domain: [0, 1], grid: true },
        y: { label: null, domain: domain, axis: null },
        fy: { label: null, domain: rows.map((r) => r.label) },
        color: { domain, range: versions.map((_, i) => versionColor(i)) },
        marks: [Plot.barX(data, { x: 'f1', y: 'version', fy: 'label', fill: 'version', tip: true }), Plot.ruleX([0])],
      });
    },
    [JSON.stringify(data)],
  );
  return (
    <div ref={sizeRef} data-testid="compare-f1-chart" style={{ width: '100%' }}>
      <div ref={hostRef} />
    </div>
  );
}

/** Tuning reports of the versions (null where a version was never tuned). */
function useReports(versions: ModelVersion[]) {
  return useQueries({
    queries: versions.map((v) => ({
      queryKey: qualityKeys.report(v.name, v.version),
      enabled: v.kind === 'text-classifier' && v.status === 'ready',
      queryFn: async ({ signal }: { signal: AbortSignal }) => {
        try {
          return await api<TuningReport>(`/text/models/${encodeURIComponent(v.name)}/versions/${v.version}/tuning-report`, { query: { format: 'json' }, signal });
        } catch (err) {
          if (isApiError(err) && err.status === 404) return null;
          throw err;
        }
      },
    })),
  });
}

interface CurvePoint {
  version: string;
  recall: number;
  precision: number;
}

/** Precision–recall curves of one label from each tuned version's report, overlaid. */
export function PrCurvesCompare({ versions }: { versions: ModelVersion[] }) {
  const reports = useReports(versions).map((q) => q.data ?? null);
  const tuned = versions.map((v, i) => ({ v, i, report: reports[i] })).filter((x): x is { v: ModelVersion; i: number; report: TuningReport } => Boolean(x.report));
  const labels = [...new Set(tuned.flatMap((t) => t.report.curves.map((c) => c.label)))];
  const [picked, setPicked] = useState<string | null>(null);
  const label = picked && labels.includes(picked) ? picked : (labels[0] ?? null);
  const pts: CurvePoint[] = tuned.flatMap(({ v, report }) => {
    const c = report.curves.find((x) => x.label === label);
    return c ? c.recall.map((r, k) => ({ version: `v${v.version}`, recall: r, precision: c.precision[k] ?? 0 })) : [];
  });
  const domain = tuned.map((t) => `v${t.v.version}`);
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      if (pts.length === 0) return null;
      return Plot.plot({
        width,
        height: 300,
        marginLeft: 48,
        style: STYLE,
        x: { label: 'recall', domain: [0, 1], grid: true },
        y: { label: 'precision', domain: [0, 1.02], grid: true },
        color: { domain, range: tuned.map((t) => versionColor(t.i)), legend: true },
        marks: [Plot.line(pts, { x: 'recall', y: 'precision', z: 'version', stroke: 'version', strokeWidth: 2, curve: 'step-after', tip: true })],
      });
    },
    [JSON.stringify(pts)],
  );
  if (tuned.length === 0) {
    return (
      <Text c="dimmed" size="sm" data-testid="compare-pr-none">
        No precision–recall curves: none of these versions has been tuned. Tune a version (Tune thresholds on its page) to compare its curves here.
      </Text>
    );
  }
  return (
    <div data-testid="compare-pr" data-versions={domain.join(',')} data-label={label ?? ''}>
      <Group gap="sm" mb="xs">
        <Select size="xs" w={220} aria-label="Label" data={labels} value={label} onChange={setPicked} allowDeselect={false} data-testid="compare-pr-label" />
        <Text size="xs" c="dimmed">
          from the tuning reports of {domain.join(', ')} (out-of-fold scores on each version's training part)
        </Text>
      </Group>
      <div ref={sizeRef} style={{ width: '100%' }}>
        <div ref={hostRef} />
      </div>
    </div>
  );
}
