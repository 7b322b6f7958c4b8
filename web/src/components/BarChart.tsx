/**
 * A thin React wrapper around @observablehq/plot: the chart is rendered into a div in an effect and
 * re-rendered when the data or the container's width changes. Text uses currentColor, so the charts
 * follow the light/dark color scheme.
 */
import * as Plot from '@observablehq/plot';
import { usePlot } from './usePlot.ts';

const FILL = 'var(--mantine-color-teal-6)';

export interface BarDatum {
  label: string;
  value: number;
}

interface BarChartProps {
  data: BarDatum[];
  /** Value axis label. */
  valueLabel?: string;
  /** Horizontal bars (one row per category), sorted by value; vertical bars keep the data's order. Default true. */
  horizontal?: boolean;
  'data-testid'?: string;
}

/** Counts per category, e.g. rows per label. */
export function BarChart({ data, valueLabel = 'count', horizontal = true, 'data-testid': testId }: BarChartProps) {
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      if (data.length === 0) return null;
      const style = { background: 'transparent', color: 'inherit', fontSize: '12px', overflow: 'visible' };
      if (horizontal) {
        const longest = Math.max(...data.map((d) => d.label.length));
        const marginLeft = Math.min(220, Math.max(40, longest * 7 + 12));
        return Plot.plot({
          width,
          height: Math.max(240, data.length * 26 + 50),
          marginLeft,
          marginRight: 48,
          style,
          x: { label: valueLabel, grid: true },
          y: { label: null },
          marks: [
            Plot.barX(data, { x: 'value', y: 'label', fill: FILL, sort: { y: '-x' }, tip: true }),
            Plot.text(data, { x: 'value', y: 'label', text: (d: BarDatum) => d.value.toLocaleString('en-US'), dx: 4, textAnchor: 'start', fill: 'currentColor' }),
            Plot.ruleX([0]),
          ],
        });
      }
      return Plot.plot({
        width,
        height: 260,
        marginBottom: data.length > 8 ? 56 : 36,
        marginLeft: 48,
        style,
        // Categories keep the given order (e.g. histogram bins).
        x: { label: null, domain: data.map((d) => d.label), tickRotate: data.length > 8 ? -30 : 0 },
        y: { label: valueLabel, grid: true },
        marks: [Plot.barY(data, { x: 'label', y: 'value', fill: 'var(--mantine-color-indigo-5)', tip: true }), Plot.ruleY([0])],
      });
    },
    [data, valueLabel, horizontal],
  );
  return (
    <div ref={sizeRef} data-testid={testId} style={{ width: '100%' }}>
      <div ref={hostRef} />
    </div>
  );
}
