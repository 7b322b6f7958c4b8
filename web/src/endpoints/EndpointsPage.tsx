import { Anchor, Loader, Paper, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Endpoint } from '../api/types.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useList } from '../components/useList.ts';

export function EndpointsPage() {
  const { data, error, isPending } = useList<Endpoint>('endpoints', '/endpoints');
  return (
    <>
      <PageHeader title="Endpoints" description="Real-time inference endpoints for classifiers and LLMs." />
      {isPending && <Loader />}
      {error && <ErrorAlert error={error} title="Cannot load endpoints" />}
      {data && data.items.length === 0 && (
        <EmptyState title="No endpoints yet — deploy a model" data-testid="endpoints-empty">
          Deploy a trained model from the{' '}
          <Anchor component={Link} to="/models">
            Models
          </Anchor>{' '}
          page to get a real-time endpoint.
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={640}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="endpoints-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((e) => (
                  <Table.Tr key={e.id} data-testid="endpoint-row">
                    <Table.Td fw={600}>{e.name}</Table.Td>
                    <Table.Td>{e.kind}</Table.Td>
                    <Table.Td className="sb-mono">{e.modelId}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={e.status} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {formatDate(e.createdAt)}
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
