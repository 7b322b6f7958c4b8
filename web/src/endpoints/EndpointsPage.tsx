import { useState } from 'react';
import { Anchor, Button, Group, Loader, Modal, Paper, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Endpoint } from '../api/types.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { deleteEndpoint, endpointKeys, useEndpoints, useModelVersion } from '../models/api.ts';
import { useLiveRule } from '../models/DecisionRule.tsx';
import { kindLabel, modelPageFor } from '../models/kinds.ts';
import { TryItBox } from './TryItBox.tsx';

function DeleteDialog({ endpoint, onClose }: { endpoint: Endpoint; onClose: () => void }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await deleteEndpoint(endpoint.name);
      await qc.invalidateQueries({ queryKey: endpointKeys.all });
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack>
      <Text size="sm">
        Delete endpoint <b>{endpoint.name}</b>? Clients calling it get 404 afterwards; the model version stays in the registry.
      </Text>
      {error !== null && <ErrorAlert error={error} title="Cannot delete" />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button color="red" onClick={confirm} loading={busy} data-testid="endpoint-delete-confirm">
          Delete
        </Button>
      </Group>
    </Stack>
  );
}

type Dialog = { kind: 'try' | 'delete'; endpoint: Endpoint } | null;

/** The try-it box of an endpoint, with its model's live decision rule marked on the score bars. */
function EndpointTryIt({ endpoint }: { endpoint: Endpoint }) {
  const { data: model } = useModelVersion(endpoint.model?.name ?? '', endpoint.model?.version ?? 0);
  const rule = useLiveRule(model);
  return <TryItBox endpoint={endpoint.name} rule={rule} />;
}

export function EndpointsPage() {
  const { data, error, isPending } = useEndpoints();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  return (
    <>
      <PageHeader title="Endpoints" description="Real-time inference endpoints for classifiers and LLMs." />
      {isPending && <Loader />}
      {error && <ErrorAlert error={error} title="Cannot load endpoints" />}
      {data && data.items.length === 0 && (
        <EmptyState title="No endpoints yet — deploy a model" data-testid="endpoints-empty">
          Deploy a trained model from its page on the{' '}
          <Anchor component={Link} to="/models">
            Models
          </Anchor>{' '}
          page to get a real-time endpoint.
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={720}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="endpoints-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((e) => (
                  <Table.Tr key={e.id} data-testid="endpoint-row" data-endpoint={e.name}>
                    <Table.Td fw={600}>
                      <Anchor component={Link} to={`/endpoints/${encodeURIComponent(e.name)}`} fw={600} data-testid="endpoint-link">
                        {e.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {e.model ? (
                        <Anchor component={Link} to={modelPageFor(e.model)} size="sm">
                          {e.model.name}:{e.model.version}
                        </Anchor>
                      ) : (
                        <Text size="sm" c="dimmed" className="sb-mono">
                          {e.modelId} (deleted)
                        </Text>
                      )}
                      <Text size="xs" c="dimmed">
                        {kindLabel(e.kind)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={e.status} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        {formatDate(e.createdAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        {e.kind === 'llm' && (
                          <Button size="xs" variant="light" component={Link} to={`/llm/endpoints/${encodeURIComponent(e.name)}`} data-testid="endpoint-playground">
                            Playground
                          </Button>
                        )}
                        {e.kind === 'text-classifier' && (
                          <Button size="xs" variant="light" onClick={() => setDialog({ kind: 'try', endpoint: e })} data-testid="endpoint-try">
                            Try it
                          </Button>
                        )}
                        <Button size="xs" variant="default" component={Link} to={`/endpoints/${encodeURIComponent(e.name)}`} data-testid="endpoint-metrics">
                          Metrics
                        </Button>
                        <Button size="xs" variant="subtle" color="red" onClick={() => setDialog({ kind: 'delete', endpoint: e })} data-testid="endpoint-delete">
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      <Modal opened={dialog?.kind === 'try'} onClose={close} title={dialog ? `Try ${dialog.endpoint.name}` : ''} size="xl" centered>
        {dialog?.kind === 'try' && <EndpointTryIt endpoint={dialog.endpoint} />}
      </Modal>
      <Modal opened={dialog?.kind === 'delete'} onClose={close} title="Delete endpoint" centered>
        {dialog?.kind === 'delete' && <DeleteDialog endpoint={dialog.endpoint} onClose={close} />}
      </Modal>
    </>
  );
}
