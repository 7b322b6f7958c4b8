import { Table, Text } from '@mantine/core';
import type { TryResult } from './api.ts';

const COLUMNS: Array<[string, string]> = [
  ['covered', 'Covered'],
  ['pa-needed', 'Prior auth'],
  ['doc-needed', 'Documentation'],
  ['doc-purpose', 'Doc purpose'],
  ['info-needed', 'Info needed'],
  ['billingCode', 'Billing codes'],
  ['reason', 'Reason'],
  ['coverage', 'Coverage'],
  ['date', 'Date'],
  ['coverage-assertion-id', 'Assertion id'],
];

/** The CRD coverage-information extensions of the system actions, one row per order and coverage. */
export function CoverageTable({ rows }: { rows: TryResult['coverageInformation'] }) {
  if (rows.length === 0) return <Text c="dimmed" size="sm">No coverage information (no system actions).</Text>;
  return (
    // Wide by nature (11 columns): it scrolls inside its own box and long values wrap, so the page never scrolls sideways.
    <Table.ScrollContainer minWidth={760} maw="100%" data-testid="cds-coverage-scroll">
      <Table striped withTableBorder data-testid="cds-coverage-table" fz="sm" layout="fixed" style={{ overflowWrap: 'anywhere' }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Order</Table.Th>
            {COLUMNS.map(([key, label]) => (
              <Table.Th key={label} w={key === 'reason' ? 220 : key === 'coverage-assertion-id' || key === 'coverage' ? 130 : undefined}>
                {label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.flatMap((a) =>
            a.items.map((item, i) => (
              <Table.Tr key={`${a.resource}-${i}`}>
                <Table.Td>{a.resource}</Table.Td>
                {COLUMNS.map(([key]) => (
                  <Table.Td key={key} data-testid={`cds-coverage-${key}`}>
                    {(item[key] ?? []).map((v) => (key === 'billingCode' ? (v.split('|')[1] ?? v) : v)).join(', ') || '—'}
                  </Table.Td>
                ))}
              </Table.Tr>
            )),
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
