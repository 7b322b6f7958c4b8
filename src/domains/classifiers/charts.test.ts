import { describe, expect, it } from 'vitest';
import { escapeXml, lineChartSvg, prCurvesSvg } from './charts.ts';
import { svgToPng } from './png.ts';

describe('quality figures', () => {
  it('draws one PR panel per label with the tuned and default points, escaping text', async () => {
    const svg = prCurvesSvg([
      { label: 'a<b>', recall: [1, 0.5, 0], precision: [0.2, 0.6, 1], chosen: { recall: 0.5, precision: 0.6, threshold: 0.3 }, baseline: { recall: 0.2, precision: 0.9, threshold: 0.5 } },
      { label: 'threat', recall: [], precision: [] },
    ], 'Title & "quotes"');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a&lt;b&gt;');
    expect(svg).toContain('Title &amp; &quot;quotes&quot;');
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain('tuned threshold 0.300: precision 0.600, recall 0.500');
    expect(svg).not.toMatch(/<script|href=|NaN/);
    const png = await svgToPng(svg);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('line charts: log x axis, null points skipped, one legend entry per series', () => {
    const svg = lineChartSvg({
      title: 't', xLabel: 'N', yLabel: 'F1', xScale: 'log',
      series: [{ name: 'f1', points: [{ x: 10, y: 0 }, { x: 100, y: 0.5 }, { x: 1000, y: null }] }, { name: 'macro', points: [{ x: 10, y: 0.4 }], dashed: true }],
    });
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('>1000<');
    expect(svg).not.toContain('NaN');
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });
});
