import { useState } from 'react';
import { Group, Loader, Pagination, Table, Text } from '@mantine/core';
import { TableCard } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatNumber } from '../components/format.ts';
import { usePreview } from './api.ts';

const PAGE_SIZE = 25;

/** Paged preview of the parsed rows (GET …/preview?offset&limit). */
export function PreviewTable({ idOrName, version, enabled }: { idOrName: string; version: number; enabled: boolean }) {
  const [page, setPage] = useState(1);
  const offset = (page - 1) * PAGE_SIZE;
  const { data, error, isPending, isFetching } = usePreview(idOrName, version, offset, PAGE_SIZE, enabled);
  if (!enabled) return <Text c="dimmed">The preview is available once the import has finished.</Text>;
  if (error) return <ErrorAlert error={error} title="Cannot load the preview" />;
  if (isPending || !data) return <Loader size="sm" />;
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  return (
    <div data-testid="preview">
      <TableCard minWidth={Math.min(1200, 160 * (data.columns.length + 1))} maxHeight={560}>
        <Table striped highlightOnHover withColumnBorders stickyHeader verticalSpacing={6} fz="sm" data-testid="preview-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={60}>#</Table.Th>
              {data.columns.map((c, i) => (
                <Table.Th key={i}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.rows.map((row, r) => (
              <Table.Tr key={data.offset + r} data-testid="preview-row">
                <Table.Td c="dimmed">{data.offset + r + 1}</Table.Td>
                {data.columns.map((_, c) => (
                  <Table.Td key={c} className="sb-cell">
                    {row[c] ?? ''}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableCard>
      <Group justify="space-between" mt="sm">
        <Text size="sm" c="dimmed" data-testid="preview-range">
          Rows {formatNumber(data.total === 0 ? 0 : data.offset + 1)}–{formatNumber(data.offset + data.rows.length)} of {formatNumber(data.total)}
          {isFetching ? ' · loading…' : ''}
        </Text>
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} size="sm" data-testid="preview-pagination" />}
      </Group>
    </div>
  );
}
