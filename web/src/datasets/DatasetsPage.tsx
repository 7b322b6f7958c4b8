import { Grid, Text } from '@mantine/core';
import type { Dataset } from '../api/types.ts';
import { createdColumn, DataTable, RowLink, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { formatNumber } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useDatasets, useDatasetVersion } from './api.ts';
import { DatasetUpload } from './DatasetUpload.tsx';
import { datasetPath } from './ImportProgress.tsx';

/** Format, rows and status of the latest version (fetched per row). */
function LatestCell({ dataset, field }: { dataset: Dataset; field: 'rowCount' | 'format' | 'status' }) {
  const { data: v } = useDatasetVersion(dataset.id, dataset.latestVersion);
  if (field === 'rowCount') return formatNumber(v?.rowCount);
  if (field === 'format') return v?.format ?? '—';
  return v?.status ? <StatusBadge status={v.status} /> : '—';
}

const nowrap = () => ({ style: { whiteSpace: 'nowrap' as const } });

const COLUMNS: Array<Column<Dataset>> = [
  {
    header: 'Name',
    cell: (d) => (
      <>
        <RowLink to={datasetPath(d.name)}>{d.name}</RowLink>
        {d.description && (
          <Text size="xs" c="dimmed" lineClamp={1}>
            {d.description}
          </Text>
        )}
      </>
    ),
  },
  { header: 'Latest', cell: (d) => (d.latestVersion > 0 ? `v${d.latestVersion}` : '—') },
  { header: 'Rows', cell: (d) => <LatestCell dataset={d} field="rowCount" /> },
  { header: 'Format', cell: (d) => <LatestCell dataset={d} field="format" /> },
  { header: 'Status', th: { miw: 110 }, cell: (d) => <LatestCell dataset={d} field="status" />, td: nowrap },
  { ...createdColumn<Dataset>(), td: nowrap },
];

export function DatasetsPage() {
  const list = useDatasets();
  return (
    <>
      <PageHeader title="Datasets" description="Training and evaluation data: CSV, TSV, JSON Lines and image folders, versioned and validated." />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <DataTable
            query={list}
            errorTitle="Cannot load datasets"
            empty={
              <EmptyState title="No datasets yet" data-testid="datasets-empty">
                Upload a CSV such as a Comprehend training file (<code>label,text</code>, no header) to get started.
              </EmptyState>
            }
            columns={COLUMNS}
            rowKey={(d) => d.id}
            href={(d) => datasetPath(d.name)}
            rowAttrs={(d) => ({ 'data-testid': 'dataset-row', 'data-name': d.name })}
            data-testid="datasets-table"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <DatasetUpload />
        </Grid.Col>
      </Grid>
    </>
  );
}
