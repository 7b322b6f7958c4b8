import { Anchor, Grid, Loader, Paper, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import type { Dataset } from '../api/types.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate, formatNumber } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useDatasets, useDatasetVersion } from './api.ts';
import { DatasetUpload } from './DatasetUpload.tsx';
import { datasetPath } from './ImportProgress.tsx';

/** Format, rows and status of the latest version: embedded in the list item when the server sends it, else fetched. */
function LatestCells({ dataset }: { dataset: Dataset }) {
  const embedded = null;
  const { data } = useDatasetVersion(dataset.id, dataset.latestVersion, !embedded);
  const v = embedded ?? data;
  return (
    <>
      <Table.Td>{formatNumber(v?.rowCount)}</Table.Td>
      <Table.Td>{v?.format ?? '—'}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{v?.status ? <StatusBadge status={v.status} /> : '—'}</Table.Td>
    </>
  );
}

function DatasetTable({ items }: { items: Dataset[] }) {
  const navigate = useNavigate();
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer minWidth={640}>
        <Table highlightOnHover verticalSpacing="sm" data-testid="datasets-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Latest</Table.Th>
              <Table.Th>Rows</Table.Th>
              <Table.Th>Format</Table.Th>
              <Table.Th miw={110}>Status</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((d) => (
              <Table.Tr key={d.id} className="sb-row-link" onClick={() => navigate(datasetPath(d.name))} data-testid="dataset-row" data-name={d.name}>
                <Table.Td>
                  <Anchor component={Link} to={datasetPath(d.name)} fw={600} onClick={(e) => e.stopPropagation()}>
                    {d.name}
                  </Anchor>
                  {d.description && (
                    <Text size="xs" c="dimmed" lineClamp={1}>
                      {d.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{d.latestVersion > 0 ? `v${d.latestVersion}` : '—'}</Table.Td>
                <LatestCells dataset={d} />
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Text size="sm" c="dimmed">
                    {formatDate(d.createdAt)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

export function DatasetsPage() {
  const { data, error, isPending } = useDatasets();
  return (
    <>
      <PageHeader title="Datasets" description="Training and evaluation data: CSV, TSV, JSON Lines and image folders, versioned and validated." />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          {isPending && <Loader />}
          {error && <ErrorAlert error={error} title="Cannot load datasets" />}
          {data && data.items.length === 0 && (
            <EmptyState title="No datasets yet" data-testid="datasets-empty">
              Upload a CSV such as a Comprehend training file (<code>label,text</code>, no header) to get started.
            </EmptyState>
          )}
          {data && data.items.length > 0 && <DatasetTable items={data.items} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <DatasetUpload />
        </Grid.Col>
      </Grid>
    </>
  );
}
