import { useMemo } from 'react';
import { Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { BarChart } from '../components/BarChart.tsx';
import { formatNumber } from '../components/format.ts';
import { extractLabelCounts, extractLengthHistogram, type LengthStats } from './stats.ts';

function LengthSummary({ summary }: { summary: NonNullable<LengthStats['summary']> }) {
  const items = (['min', 'median', 'p95', 'max', 'mean'] as const).filter((k) => summary[k] !== undefined);
  return (
    <Group gap="md" mt="xs">
      {items.map((k) => (
        <Text key={k} size="xs" c="dimmed">
          {k} <b>{formatNumber(summary[k])}</b>
        </Text>
      ))}
    </Group>
  );
}

/** Label distribution and text length histogram from `version.stats` (whatever of them it has). */
export function DatasetCharts({ stats }: { stats: unknown }) {
  const labels = useMemo(() => extractLabelCounts(stats), [stats]);
  const lengths = useMemo(() => extractLengthHistogram(stats), [stats]);
  if (!labels && !lengths) {
    return (
      <Text c="dimmed" size="sm" data-testid="charts-empty">
        No label or length statistics for this version.
      </Text>
    );
  }
  return (
    <SimpleGrid cols={{ base: 1, md: labels && lengths ? 2 : 1 }} spacing="md">
      {labels && (
        <Paper withBorder p="md" radius="md">
          <Title order={5} mb={4}>
            {labels.title}
          </Title>
          <Text size="xs" c="dimmed" mb="sm">
            {labels.data.length} label{labels.data.length === 1 ? '' : 's'} · {formatNumber(labels.data.reduce((a, d) => a + d.value, 0))} in total
          </Text>
          <BarChart data={labels.data} valueLabel="rows" data-testid="label-chart" />
        </Paper>
      )}
      {lengths && (
        <Paper withBorder p="md" radius="md">
          <Title order={5} mb={4}>
            Text length{lengths.column ? ` (column “${lengths.column}”)` : ''}
          </Title>
          <Text size="xs" c="dimmed" mb="sm">
            characters per row
          </Text>
          <BarChart data={lengths.data} valueLabel="rows" horizontal={false} data-testid="length-chart" />
          {lengths.summary && <LengthSummary summary={lengths.summary} />}
        </Paper>
      )}
    </SimpleGrid>
  );
}
