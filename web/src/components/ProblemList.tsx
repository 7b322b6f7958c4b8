import { Badge, Group, Paper, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import type { Problem } from '../api/types.ts';

interface Props {
  problems: Problem[];
  /** Rows shown before "and N more". */
  max?: number;
  'data-testid'?: string;
}

type Severity = 'error' | 'warning';

function severityOf(p: Problem): Severity {
  return p.severity === 'warning' ? 'warning' : 'error';
}

const BG: Record<Severity, string> = { error: 'var(--mantine-color-red-light)', warning: 'var(--mantine-color-yellow-light)' };
const FG: Record<Severity, string> = { error: 'red', warning: 'yellow.8' };

/** Below this width the table becomes a list of cards (e.g. in the upload sidebar). */
const COMPACT_BELOW = 600;

function SeverityLabel({ sev }: { sev: Severity }) {
  return (
    <Text size="xs" fw={700} c={FG[sev]} tt="uppercase" span>
      {sev}
    </Text>
  );
}

function ProblemTable({ problems }: { problems: Problem[] }) {
  return (
    <Table highlightOnHover withTableBorder verticalSpacing={6} fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={90}>Severity</Table.Th>
          <Table.Th w={70}>Row</Table.Th>
          <Table.Th w={140}>Field</Table.Th>
          <Table.Th>Problem</Table.Th>
          <Table.Th>Fix</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {problems.map((p, i) => {
          const sev = severityOf(p);
          return (
            <Table.Tr key={i} data-severity={sev} style={{ backgroundColor: BG[sev], verticalAlign: 'top' }}>
              <Table.Td>
                <SeverityLabel sev={sev} />
              </Table.Td>
              <Table.Td>{p.row ?? '—'}</Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {p.field ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>{p.problem}</Table.Td>
              <Table.Td c="dimmed">{p.fix}</Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

function ProblemCards({ problems }: { problems: Problem[] }) {
  return (
    <Stack gap={6}>
      {problems.map((p, i) => {
        const sev = severityOf(p);
        return (
          <Paper key={i} p="xs" radius="sm" data-severity={sev} style={{ backgroundColor: BG[sev] }}>
            <Group gap={8} mb={2}>
              <SeverityLabel sev={sev} />
              {p.row !== undefined && <Text size="xs" fw={600}>row {p.row}</Text>}
              {p.field && (
                <Text size="xs" ff="monospace">
                  {p.field}
                </Text>
              )}
            </Group>
            <Text size="sm">{p.problem}</Text>
            <Text size="xs" c="dimmed">
              Fix: {p.fix}
            </Text>
          </Paper>
        );
      })}
    </Stack>
  );
}

/** Validation problems: where (row, field), what is wrong and how to fix it; warnings yellow, errors red. */
export function ProblemList({ problems, max = 200, 'data-testid': testId = 'problem-list' }: Props) {
  const { ref, width } = useElementSize<HTMLDivElement>();
  if (problems.length === 0) return null;
  const errors = problems.filter((p) => severityOf(p) === 'error').length;
  const warnings = problems.length - errors;
  const shown = problems.slice(0, max);
  const compact = width > 0 && width < COMPACT_BELOW;
  return (
    <div ref={ref} data-testid={testId} data-layout={compact ? 'cards' : 'table'} style={{ minWidth: 0 }}>
      <Group gap="xs" mb="xs">
        {errors > 0 && <Badge color="red" variant="light">{errors} error{errors === 1 ? '' : 's'}</Badge>}
        {warnings > 0 && <Badge color="yellow" variant="light">{warnings} warning{warnings === 1 ? '' : 's'}</Badge>}
      </Group>
      <ScrollArea.Autosize mah={420} type="auto">
        {compact ? <ProblemCards problems={shown} /> : <ProblemTable problems={shown} />}
      </ScrollArea.Autosize>
      {problems.length > shown.length && (
        <Text size="sm" c="dimmed" mt="xs">
          … and {problems.length - shown.length} more.
        </Text>
      )}
    </div>
  );
}
