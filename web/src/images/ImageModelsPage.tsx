import { Anchor, Badge, Button } from '@mantine/core';
import { Link } from 'react-router';
import type { ModelVersion } from '../api/types.ts';
import { createdColumn, DataTable, NameVersion, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatMetric } from '../models/metrics.ts';
import { imageModelPath, useImageModels } from './api.ts';

/** The build kind, wherever the server keeps it (params, meta or the report in meta). */
export function buildOf(m: ModelVersion): string | null {
  const candidates = [m.params?.build, m.meta?.build, (m.meta?.report as { build?: unknown } | undefined)?.build];
  const b = candidates.find((c) => typeof c === 'string');
  return typeof b === 'string' ? b : null;
}

function metric(m: ModelVersion, key: string): unknown {
  return (m.metrics as Record<string, unknown> | null | undefined)?.[key];
}

function BuildBadge({ model }: { model: ModelVersion }) {
  const build = buildOf(model);
  return build ? (
    <Badge variant="light" color={build === 'standard' ? 'indigo' : 'teal'}>
      {build}
    </Badge>
  ) : (
    '—'
  );
}

const COLUMNS: Array<Column<ModelVersion>> = [
  { header: 'Model', cell: (m) => <NameVersion to={imageModelPath(m.name, m.version)} name={m.name} version={m.version} /> },
  { header: 'Build', cell: (m) => <BuildBadge model={m} /> },
  { header: 'Status', cell: (m) => <StatusBadge status={m.status} /> },
  { header: 'Balanced accuracy', numeric: true, cell: (m) => formatMetric(metric(m, 'balanced_accuracy')) },
  { header: 'Macro F1', numeric: true, cell: (m) => formatMetric(metric(m, 'macro_f1')) },
  createdColumn(),
];

/** /images: image classifiers in the registry. */
export function ImageModelsPage() {
  const list = useImageModels();
  const newButton = (
    <Button component={Link} to="/images/new" data-testid="images-new">
      New image classifier
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Image classification"
        description="No-code image classifiers like SageMaker Canvas: import a folder per label, quick or standard build, advanced metrics, single and batch prediction."
        actions={newButton}
      />
      <DataTable
        query={list}
        errorTitle="Cannot load image models"
        empty={
          <EmptyState title="No image classifiers yet" data-testid="images-empty">
            Upload a zip with one folder per label (or a CSV manifest), then{' '}
            <Anchor component={Link} to="/images/new">
              build an image classifier
            </Anchor>
            .
          </EmptyState>
        }
        columns={COLUMNS}
        rowKey={(m) => m.id}
        href={(m) => imageModelPath(m.name, m.version)}
        rowAttrs={(m) => ({ 'data-testid': 'images-model-row', 'data-model': `${m.name}:${m.version}` })}
        minWidth={760}
        data-testid="images-models-table"
      />
    </>
  );
}
