/**
 * Renders an @observablehq/plot chart into a div: in an effect, again when the deps or the container's
 * width change. Attach `sizeRef` to the outer (full-width) element and `hostRef` to the inner one.
 */
import { useEffect, useRef } from 'react';
import { useElementSize } from '@mantine/hooks';

export function usePlot(render: (width: number) => (SVGSVGElement | HTMLElement) | null, deps: unknown[]) {
  const { ref: sizeRef, width } = useElementSize<HTMLDivElement>();
  const hostRef = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    const host = hostRef.current;
    if (!host || width <= 0) return;
    const chart = render(Math.floor(width));
    if (!chart) return;
    host.replaceChildren(chart);
    return () => chart.remove();
  }, [width, ...deps]);
  return { sizeRef, hostRef };
}
