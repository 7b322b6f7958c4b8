import { Group, Text } from '@mantine/core';
import * as Plot from '@observablehq/plot';
import { usePlot } from '../components/usePlot.ts';
import type { PrCurve, PrPoint } from './api.ts';

interface Pt {
  recall: number;
  precision: number;
  threshold: number;
}

/** The point of the curve whose threshold is nearest to `t` (the curve's thresholds come from the report). */
export function pointAt(curve: PrCurve, t: number): PrPoint | null {
  let best = -1;
  for (let i = 0; i < curve.thresholds.length; i++) {
    if (best < 0 || Math.abs(curve.thresholds[i]! - t) < Math.abs(curve.thresholds[best]! - t)) best = i;
  }
  return best < 0 ? null : { threshold: curve.thresholds[best]!, precision: curve.precision[best]!, recall: curve.recall[best]! };
}

interface Marked {
  p: PrPoint;
  color: string;
  name: string;
}

function markedPoints(curve: PrCurve, current: number | null | undefined): Marked[] {
  const dots: Marked[] = [];
  if (curve.baseline) dots.push({ p: curve.baseline, color: 'var(--mantine-color-gray-6)', name: 'default' });
  if (curve.chosen) dots.push({ p: curve.chosen, color: 'var(--mantine-color-red-6)', name: 'tuned' });
  if (current !== null && current !== undefined && (!curve.chosen || Math.abs(current - curve.chosen.threshold) > 1e-6)) {
    const p = pointAt(curve, current);
    if (p) dots.push({ p: { ...p, threshold: current }, color: 'var(--mantine-color-orange-6)', name: 'current' });
  }
  return dots;
}

/** Precision–recall curve of one label with the tuned point, the 0.5 baseline and (when edited) the current threshold. */
export function PrCurveChart({ curve, current }: { curve: PrCurve; current?: number | null }) {
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      const pts: Pt[] = curve.recall.map((r, i) => ({ recall: r, precision: curve.precision[i] ?? 0, threshold: curve.thresholds[i] ?? 0 }));
      if (pts.length === 0) return null;
      const marks: Plot.Markish[] = [
        Plot.ruleY([0]),
        Plot.line(pts, { x: 'recall', y: 'precision', stroke: 'var(--mantine-color-indigo-6)', strokeWidth: 2, curve: 'step-after' }),
        Plot.dot(pts, { x: 'recall', y: 'precision', r: 1.5, fill: 'var(--mantine-color-indigo-4)', tip: true, title: (d: Pt) => `t = ${d.threshold.toFixed(3)}\nprecision ${d.precision.toFixed(3)}\nrecall ${d.recall.toFixed(3)}` }),
      ];
      const dots = markedPoints(curve, current);
      for (const d of dots) {
        marks.push(Plot.dot([d.p], { x: 'recall', y: 'precision', r: 6, fill: d.color, stroke: 'white', strokeWidth: 1.5 }));
      }
      return Plot.plot({
        width,
        height: 320,
        marginLeft: 48,
        marginRight: 24,
        style: { background: 'transparent', color: 'inherit', fontSize: '12px', overflow: 'visible' },
        x: { label: 'recall', domain: [0, 1], grid: true },
        y: { label: 'precision', domain: [0, 1.02], grid: true },
        marks,
      });
    },
    [curve, current],
  );
  return (
    <div ref={sizeRef} data-testid="pr-chart" data-label={curve.label} style={{ width: '100%' }}>
      <div ref={hostRef} />
      <Group gap="md" mt={4} data-testid="pr-legend">
        {markedPoints(curve, current).map((d) => (
          <Group key={d.name} gap={6} wrap="nowrap">
            <span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 5, background: d.color }} />
            <Text size="xs">
              {d.name} t = {d.p.threshold.toFixed(3)} · P {d.p.precision.toFixed(3)} · R {d.p.recall.toFixed(3)}
            </Text>
          </Group>
        ))}
      </Group>
    </div>
  );
}
