import { useState } from 'react';
import { Badge, Group, Paper, Switch, Table, Text } from '@mantine/core';
import type { ModelVersion } from '../../api/types.ts';
import { TableCard } from '../../components/DataTable.tsx';
import { formatNumber } from '../../components/format.ts';
import { formatMetric } from '../metrics.ts';
import { formatDelta, labelRows, metricRows, paramRows } from './compare.ts';

export const VERSION_COLORS = ['indigo', 'orange', 'teal', 'grape'];
export const versionColor = (i: number) => `var(--mantine-color-${VERSION_COLORS[i % VERSION_COLORS.length]}-6)`;

function VersionHead({ versions, first = 'Parameter' }: { versions: ModelVersion[]; first?: string }) {
  return (
    <Table.Thead>
      <Table.Tr>
        <Table.Th>{first}</Table.Th>
        {versions.map((v, i) => (
          <Table.Th key={v.version} ta="right">
            <Badge variant="light" color={VERSION_COLORS[i % VERSION_COLORS.length]} tt="none">
              v{v.version}
              {i === 0 ? ' (baseline)' : ''}
            </Badge>
          </Table.Th>
        ))}
      </Table.Tr>
    </Table.Thead>
  );
}

function Delta({ d, lowerIsBetter }: { d: number | null; lowerIsBetter?: boolean }) {
  const f = formatDelta(d, lowerIsBetter);
  if (!f) return null;
  return (
    <Text span size="xs" ml={6} c={f.tone === 'good' ? 'teal.7' : f.tone === 'bad' ? 'red.7' : 'dimmed'} data-testid="compare-delta" data-tone={f.tone}>
      {f.text}
    </Text>
  );
}

/** Parameters side by side; rows where the versions differ are highlighted (and can be shown alone). */
export function ParamsTable({ versions }: { versions: ModelVersion[] }) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  const rows = paramRows(versions);
  const shown = onlyDiff ? rows.filter((r) => r.differs) : rows;
  return (
    <TableCard
      minWidth={560}
      p="xs"
      header={
        <Group justify="space-between" mb="xs">
          <Text size="sm" c="dimmed">
            {rows.filter((r) => r.differs).length} of {rows.length} parameters differ
          </Text>
          <Switch size="xs" label="Only differences" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.currentTarget.checked)} data-testid="compare-only-diff" />
        </Group>
      }
    >
      <Table verticalSpacing={4} data-testid="compare-params">
        <VersionHead versions={versions} />
        <Table.Tbody>
          {shown.map((r) => (
            <Table.Tr key={r.key} data-testid="compare-param-row" data-param={r.key} data-differs={String(r.differs)} bg={r.differs ? 'var(--mantine-color-yellow-light)' : undefined}>
              <Table.Td className="sb-mono" fz="xs">
                {r.key}
              </Table.Td>
              {r.values.map((v, i) => (
                <Table.Td key={i} ta="right" fz="sm" fw={r.differs ? 600 : undefined} style={{ wordBreak: 'break-all' }}>
                  {v}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableCard>
  );
}

/** Headline metrics with each version's change against the baseline (the first version). */
export function MetricsCompareTable({ versions }: { versions: ModelVersion[] }) {
  const rows = metricRows(versions);
  if (rows.length === 0) return <Text c="dimmed">None of these versions has metrics.</Text>;
  return (
    <Paper withBorder radius="md" p="xs">
      <Table verticalSpacing={4} data-testid="compare-metrics">
        <VersionHead versions={versions} first="Metric" />
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key} data-testid="compare-metric-row" data-metric={r.key}>
              <Table.Td fz="sm">{r.label}</Table.Td>
              {r.values.map((v, i) => (
                <Table.Td key={i} ta="right" className="sb-num" fz="sm" data-testid="compare-metric-value" data-version={versions[i]!.version}>
                  {formatMetric(v)}
                  <Delta d={r.deltas[i] ?? null} lowerIsBetter={r.lowerIsBetter} />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

/** F1 per label for each version (with the change against the baseline) and the test support. */
export function LabelsCompareTable({ versions }: { versions: ModelVersion[] }) {
  const rows = labelRows(versions);
  if (rows.length === 0) return <Text c="dimmed">No per-label metrics.</Text>;
  return (
    <TableCard minWidth={560} maxHeight={420}>
      <Table verticalSpacing={4} stickyHeader data-testid="compare-labels">
        <VersionHead versions={versions} first="Label (F1)" />
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.label} data-testid="compare-label-row" data-label={r.label}>
              <Table.Td fz="sm" fw={500}>
                {r.label}
              </Table.Td>
              {r.f1.map((v, i) => (
                <Table.Td key={i} ta="right" className="sb-num" fz="sm" title={`support ${formatNumber(r.support[i])}`}>
                  {formatMetric(v)}
                  <Delta d={r.deltas[i] ?? null} />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableCard>
  );
}
