import { Group, Paper, Progress, SimpleGrid, Table, Text, Tooltip } from '@mantine/core';
import type { TextMetrics } from '../api/types.ts';
import { TableCard } from '../components/DataTable.tsx';
import { formatNumber } from '../components/format.ts';
import { formatMetric, num, overallRows, perLabelRows } from './metrics.ts';

/** A 0..1 score with a small bar (red → yellow → teal). */
function ScoreCell({ value, lowerIsBetter = false }: { value: number | null | undefined; lowerIsBetter?: boolean }) {
  const v = num(value);
  const good = v === null ? 0 : lowerIsBetter ? 1 - v : v;
  const color = good >= 0.8 ? 'teal' : good >= 0.6 ? 'yellow' : 'red';
  return (
    <Group gap={8} wrap="nowrap" justify="flex-end">
      <Text size="sm" className="sb-num">
        {formatMetric(v)}
      </Text>
      <Progress value={v === null ? 0 : v * 100} color={color} size="sm" w={56} aria-hidden />
    </Group>
  );
}

/** Accuracy, macro/micro precision, recall and F1, hamming loss, mean AUC. */
export function OverallMetrics({ metrics }: { metrics: TextMetrics }) {
  const rows = overallRows(metrics);
  const half = Math.ceil(rows.length / 2);
  const table = (part: typeof rows) => (
    <Table verticalSpacing={6} withRowBorders>
      <Table.Tbody>
        {part.map((r) => (
          <Table.Tr key={r.key} data-testid="metric-row" data-metric={r.key}>
            <Table.Td>
              <Tooltip label={r.hint} multiline w={280} openDelay={200}>
                <Text size="sm" span style={{ borderBottom: '1px dotted var(--mantine-color-dimmed)', cursor: 'help' }}>
                  {r.label}
                </Text>
              </Tooltip>
            </Table.Td>
            <Table.Td>
              <ScoreCell value={r.value} lowerIsBetter={r.key === 'hamming_loss'} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  return (
    <Paper withBorder radius="md" p="xs" data-testid="metrics-table">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg" style={{ alignItems: 'start' }}>
        {table(rows.slice(0, half))}
        {table(rows.slice(half))}
      </SimpleGrid>
    </Paper>
  );
}

/** Precision, recall, F1, support and AUC per label. */
export function PerLabelMetrics({ metrics, labels }: { metrics: TextMetrics; labels?: string[] }) {
  const rows = perLabelRows(metrics, labels);
  if (rows.length === 0) return <Text c="dimmed">No per-label metrics.</Text>;
  return (
    <TableCard minWidth={640} maxHeight={480}>
      <Table highlightOnHover verticalSpacing={6} stickyHeader data-testid="per-label-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Label</Table.Th>
            <Table.Th ta="right">Precision</Table.Th>
            <Table.Th ta="right">Recall</Table.Th>
            <Table.Th ta="right">F1</Table.Th>
            <Table.Th ta="right">Support</Table.Th>
            <Table.Th ta="right">AUC</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.label} data-testid="per-label-row" data-label={r.label}>
              <Table.Td fw={500}>{r.label}</Table.Td>
              <Table.Td>
                <ScoreCell value={r.precision} />
              </Table.Td>
              <Table.Td>
                <ScoreCell value={r.recall} />
              </Table.Td>
              <Table.Td>
                <ScoreCell value={r.f1} />
              </Table.Td>
              <Table.Td ta="right" className="sb-num">
                {formatNumber(r.support)}
              </Table.Td>
              <Table.Td>
                <ScoreCell value={r.auc} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableCard>
  );
}
