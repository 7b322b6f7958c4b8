/**
 * Confusion-matrix heat maps (@observablehq/plot cell + text marks). Multi-class: one N×N matrix, rows
 * actual and columns predicted. Multi-label: small multiples, one 2×2 matrix per label. Correct cells are
 * teal, errors orange; the opacity is the share of the actual row, so the diagonal reads as recall.
 */
import { SimpleGrid, Stack, Text } from '@mantine/core';
import * as Plot from '@observablehq/plot';
import { usePlot } from '../components/usePlot.ts';
import { isPerLabelMatrix, multiClassCells, multiLabelMatrices, type MatrixCell } from './metrics.ts';

const RIGHT = 'var(--mantine-color-teal-7)';
const WRONG = 'var(--mantine-color-orange-7)';
const BINARY_NAMES: Record<string, string> = { 'no/no': 'true negatives', 'no/yes': 'false positives', 'yes/no': 'false negatives', 'yes/yes': 'true positives' };

interface PlotProps {
  cells: MatrixCell[];
  labels: string[];
  /** Largest cell side in px. */
  maxCell: number;
  binary?: boolean;
}

function MatrixPlot({ cells, labels, maxCell, binary = false }: PlotProps) {
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      const longest = Math.max(...labels.map((l) => l.length));
      const rotate = !binary && labels.length > 4 && longest > 4;
      const marginLeft = binary ? 44 : Math.min(180, Math.max(50, longest * 7 + 28));
      const marginBottom = rotate ? Math.min(150, longest * 5.5 + 48) : 46;
      const cell = Math.max(14, Math.min(maxCell, Math.floor((width - marginLeft - 8) / labels.length)));
      const showText = cell >= 22;
      const style = { background: 'transparent', color: 'inherit', fontSize: binary ? '11px' : '12px', overflow: 'visible' };
      return Plot.plot({
        width: marginLeft + cell * labels.length + 8,
        height: 8 + cell * labels.length + marginBottom,
        marginLeft,
        marginTop: 8,
        marginRight: 8,
        marginBottom,
        style,
        x: { domain: labels, label: 'Predicted', labelAnchor: 'center', labelOffset: marginBottom - 4, tickRotate: rotate ? -40 : 0 },
        y: { domain: labels, label: 'Actual', labelAnchor: 'center', labelOffset: marginLeft - 10 },
        opacity: { type: 'identity' },
        marks: [
          Plot.cell(cells, {
            x: 'predicted',
            y: 'actual',
            fill: (d: MatrixCell) => (d.actual === d.predicted ? RIGHT : WRONG),
            fillOpacity: (d: MatrixCell) => (d.count === 0 ? 0.04 : 0.12 + 0.88 * d.rowFraction),
            inset: 1,
            rx: 3,
            title: (d: MatrixCell) =>
              binary
                ? `${d.count.toLocaleString('en-US')} ${BINARY_NAMES[`${d.actual}/${d.predicted}`]}`
                : `actual ${d.actual}, predicted ${d.predicted}: ${d.count.toLocaleString('en-US')} (${Math.round(d.rowFraction * 100)}% of ${d.actual})`,
            tip: true,
          }),
          ...(showText
            ? [
                Plot.text(cells, {
                  x: 'predicted',
                  y: 'actual',
                  text: (d: MatrixCell) => (d.count >= 10_000 ? `${Math.round(d.count / 1000)}k` : String(d.count)),
                  fill: (d: MatrixCell) => (d.count > 0 && d.rowFraction > 0.5 ? 'white' : 'currentColor'),
                }),
              ]
            : []),
        ],
      });
    },
    [cells, labels, maxCell, binary],
  );
  return (
    <div ref={sizeRef} style={{ width: '100%' }}>
      <div ref={hostRef} style={binary ? { display: 'flex', justifyContent: 'center' } : undefined} />
    </div>
  );
}

export function ConfusionMatrix({ matrix, labels }: { matrix: unknown; labels: string[] }) {
  if (isPerLabelMatrix(matrix)) {
    const per = multiLabelMatrices(matrix, labels);
    if (!per) return <Text c="dimmed">The confusion matrices do not match the labels.</Text>;
    return (
      <Stack gap="xs" data-testid="confusion-matrix" data-kind="multi-label">
        <Text size="sm" c="dimmed">
          One matrix per label: rows are the truth (does the document have the label?), columns the prediction.
        </Text>
        <SimpleGrid cols={{ base: 2, sm: 3, md: 4, lg: 5 }} spacing="md">
          {per.map((m) => (
            <Stack key={m.label} gap={2} data-testid="confusion-matrix-label" data-label={m.label}>
              <Text size="sm" fw={600} ta="center" truncate>
                {m.label}
              </Text>
              <MatrixPlot cells={m.cells} labels={['no', 'yes']} maxCell={56} binary />
            </Stack>
          ))}
        </SimpleGrid>
      </Stack>
    );
  }
  const cells = multiClassCells(matrix, labels);
  if (!cells) return <Text c="dimmed">The confusion matrix does not match the labels.</Text>;
  return (
    <Stack gap="xs" data-testid="confusion-matrix" data-kind="multi-class">
      <Text size="sm" c="dimmed">
        Rows are the true class, columns the predicted one; the diagonal holds the correct predictions. Hover a cell for details.
      </Text>
      <MatrixPlot cells={cells} labels={labels} maxCell={labels.length <= 4 ? 88 : 64} />
    </Stack>
  );
}
