import * as Plot from '@observablehq/plot';
import { usePlot } from '../components/usePlot.ts';

export interface PrPoint { recall: number; precision: number }

/** Interpolated precision at the 101 COCO recall points, at IoU 0.5, one line per class. */
export function DetectorPrChart({ curves, classes }: { curves: PrPoint[][]; classes: string[] }) {
  const data = curves.flatMap((c, i) => c.map((p) => ({ ...p, cls: classes[i] ?? String(i) })));
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      if (data.length === 0) return null;
      return Plot.plot({
        width, height: 260, style: { background: 'transparent', color: 'inherit', fontSize: '12px' },
        x: { label: 'recall', domain: [0, 1] }, y: { label: 'precision', domain: [0, 1], grid: true },
        color: { legend: classes.length > 1 },
        marks: [Plot.line(data, { x: 'recall', y: 'precision', stroke: 'cls', strokeWidth: 2, curve: 'step-after', tip: true })],
      });
    },
    [JSON.stringify(data)],
  );
  return (
    <div ref={sizeRef} data-testid="detector-pr-curve">
      <div ref={hostRef} />
    </div>
  );
}
