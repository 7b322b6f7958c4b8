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
    <Table.ScrollContainer minWidth={900}>
      <Table striped withTableBorder data-testid="cds-coverage-table" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Order</Table.Th>
            {COLUMNS.map(([, label]) => (
              <Table.Th key={label}>{label}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.flatMap((a) =>
            a.items.map((item, i) => (
              <Table.Tr key={`${a.resource}-${i}`}>
                <Table.Td>{a.resource}</Table.Td>
                {COLUMNS.map(([key]) => (
                  <Table.Td key={key} data-testid={`cds-coverage-${key}`} style={key === 'reason' ? { minWidth: 280 } : undefined}>
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
