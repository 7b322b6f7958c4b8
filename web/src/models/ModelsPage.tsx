import { Anchor, Button, Group, Loader, Paper, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useModels } from './api.ts';
import { DecisionBadge } from './DecisionRule.tsx';
import { kindLabel, modelPageFor } from './kinds.ts';
import { formatMetric } from './metrics.ts';

export function ModelsPage() {
  const { data, error, isPending } = useModels();
  const navigate = useNavigate();
  const newButton = (
    <Button component={Link} to="/models/new" data-testid="models-new">
      New classifier
    </Button>
  );
  return (
    <>
      <PageHeader title="Models" description="Trained classifiers and imported LLMs, versioned in the registry." actions={newButton} />
      {isPending && <Loader />}
      {error && <ErrorAlert error={error} title="Cannot load models" />}
      {data && data.items.length === 0 && (
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
      )}
      {data && data.items.length > 0 && (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={720}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="models-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Macro F1</Table.Th>
                  <Table.Th ta="right">Mean AUC</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((m) => {
                  const to = modelPageFor(m);
                  return (
                    <Table.Tr key={m.id} data-testid="model-row" data-model={`${m.name}:${m.version}`} data-kind={m.kind} data-href={to} className="sb-row-link" onClick={() => navigate(to)}>
                      <Table.Td>
                        <Anchor component={Link} to={to} fw={600} onClick={(e) => e.stopPropagation()}>
                          {m.name}
                        </Anchor>
                        <Text span c="dimmed">
                          :{m.version}
                        </Text>
                        {data.items.filter((o) => o.name === m.name).length > 1 && (
                          <Anchor component={Link} to={`/models/${encodeURIComponent(m.name)}/compare`} size="xs" ml="sm" onClick={(e) => e.stopPropagation()} data-testid="model-compare">
                            Compare versions
                          </Anchor>
                        )}
                      </Table.Td>
                      <Table.Td data-testid="model-kind">{kindLabel(m.kind)}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={m.status} />
                      </Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        <Group gap={6} justify="flex-end" wrap="nowrap">
                          {m.kind === 'text-classifier' && m.status === 'ready' && <DecisionBadge model={m} size="xs" />}
                          {formatMetric(m.metrics?.macro_f1)}
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        {formatMetric(m.metrics?.mean_auc)}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {formatDate(m.createdAt)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
