import { Anchor, Loader, Paper, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Model } from '../api/types.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useList } from '../components/useList.ts';

export function ModelsPage() {
  const { data, error, isPending } = useList<Model>('models', '/models');
  return (
    <>
      <PageHeader title="Models" description="Trained classifiers and imported LLMs, versioned in the registry." />
      {isPending && <Loader />}
      {error && <ErrorAlert error={error} title="Cannot load models" />}
      {data && data.items.length === 0 && (
        <EmptyState title="No models yet — train one from a dataset" data-testid="models-empty">
          Import a labelled dataset on the{' '}
          <Anchor component={Link} to="/datasets">
            Datasets
          </Anchor>{' '}
          page, then start a training job.
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={640}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="models-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((m) => (
                  <Table.Tr key={m.id} data-testid="model-row">
                    <Table.Td fw={600}>{m.name}</Table.Td>
                    <Table.Td>{m.version !== undefined ? `v${m.version}` : '—'}</Table.Td>
                    <Table.Td>{m.kind}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={m.status} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {formatDate(m.createdAt)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
