/** Training loss and eval loss against the step (live while the run trains). */
import { Text } from '@mantine/core';
import * as Plot from '@observablehq/plot';
import { usePlot } from '../components/usePlot.ts';
import type { RunSeries } from './api.ts';

export function LossChart({ series }: { series: RunSeries }) {
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      const rows = [...series.loss.map((p) => ({ ...p, metric: 'loss' })), ...series.eval_loss.map((p) => ({ ...p, metric: 'eval loss' }))];
      if (rows.length === 0) return null;
      return Plot.plot({
        width, height: 260, marginLeft: 48,
        x: { label: 'step' }, y: { label: 'loss', grid: true },
        color: { legend: true, domain: ['loss', 'eval loss'], range: ['var(--mantine-color-indigo-6)', 'var(--mantine-color-orange-6)'] },
        marks: [
          Plot.line(rows, { x: 'step', y: 'value', stroke: 'metric' }),
          Plot.dot(rows.filter((r) => r.metric === 'eval loss'), { x: 'step', y: 'value', fill: 'metric', r: 3, tip: true }),
        ],
      });
    },
    [series],
  );
  return (
    <div ref={sizeRef} data-testid="finetune-loss-chart" data-steps={series.loss.length}>
      {series.loss.length === 0 ? <Text c="dimmed" size="sm">No steps yet.</Text> : null}
      <div ref={hostRef} />
    </div>
  );
}
