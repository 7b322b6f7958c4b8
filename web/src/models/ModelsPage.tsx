import { Anchor, Button, Group } from '@mantine/core';
import { Link } from 'react-router';
import type { ModelVersion } from '../api/types.ts';
import { createdColumn, DataTable, NameVersion, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useModels } from './api.ts';
import { DecisionBadge } from './DecisionRule.tsx';
import { kindLabel, modelPageFor } from './kinds.ts';
import { formatMetric } from './metrics.ts';

function columns(all: ModelVersion[]): Array<Column<ModelVersion>> {
  return [
    {
      header: 'Model',
      cell: (m) => (
        <>
          <NameVersion to={modelPageFor(m)} name={m.name} version={m.version} />
          {all.filter((o) => o.name === m.name).length > 1 && (
            <Anchor component={Link} to={`/models/${encodeURIComponent(m.name)}/compare`} size="xs" ml="sm" onClick={(e) => e.stopPropagation()} data-testid="model-compare">
              Compare versions
            </Anchor>
          )}
        </>
      ),
    },
    { header: 'Kind', cell: (m) => kindLabel(m.kind), td: () => ({ 'data-testid': 'model-kind' }) },
    { header: 'Status', cell: (m) => <StatusBadge status={m.status} /> },
    {
      header: 'Macro F1',
      numeric: true,
      cell: (m) => (
        <Group gap={6} justify="flex-end" wrap="nowrap">
          {m.kind === 'text-classifier' && m.status === 'ready' && <DecisionBadge model={m} size="xs" />}
          {formatMetric(m.metrics?.macro_f1)}
        </Group>
      ),
    },
    { header: 'Mean AUC', numeric: true, cell: (m) => formatMetric(m.metrics?.mean_auc) },
    createdColumn(),
  ];
}

export function ModelsPage() {
  const list = useModels();
  const newButton = (
    <Button component={Link} to="/models/new" data-testid="models-new">
      New classifier
    </Button>
  );
  return (
    <>
      <PageHeader title="Models" description="Trained classifiers and imported LLMs, versioned in the registry." actions={newButton} />
      <DataTable
        query={list}
        errorTitle="Cannot load models"
        empty={
          <EmptyState title="No models yet — train one from a dataset" data-testid="models-empty">
            Import a labelled dataset on the{' '}
            <Anchor component={Link} to="/datasets">
              Datasets
            </Anchor>{' '}
            page, then{' '}
            <Anchor component={Link} to="/models/new">
              train a text classifier
            </Anchor>
            .
          </EmptyState>
        }
        columns={columns(list.data?.items ?? [])}
        rowKey={(m) => m.id}
        href={modelPageFor}
        rowAttrs={(m) => ({ 'data-testid': 'model-row', 'data-model': `${m.name}:${m.version}`, 'data-kind': m.kind, 'data-href': modelPageFor(m) })}
        minWidth={720}
        data-testid="models-table"
      />
    </>
  );
}
