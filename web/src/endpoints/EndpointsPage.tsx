import { useState } from 'react';
import { Anchor, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Endpoint } from '../api/types.ts';
import { createdColumn, DataTable, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useAction } from '../components/useAction.ts';
import { deleteEndpoint, endpointKeys, useEndpoints, useModelVersion } from '../models/api.ts';
import { useLiveRule } from '../models/DecisionRule.tsx';
import { kindLabel, modelPageFor } from '../models/kinds.ts';
import { TryItBox } from './TryItBox.tsx';

function DeleteDialog({ endpoint, onClose }: { endpoint: Endpoint; onClose: () => void }) {
  const qc = useQueryClient();
  const { busy, error, attempt } = useAction();
  const confirm = async () => {
    await attempt(async () => {
      await deleteEndpoint(endpoint.name);
      await qc.invalidateQueries({ queryKey: endpointKeys.all });
      onClose();
    });
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

function Actions({ endpoint: e, open }: { endpoint: Endpoint; open: (d: Dialog) => void }) {
  return (
    <Group gap="xs" justify="flex-end" wrap="nowrap">
      {e.kind === 'llm' && (
        <Button size="xs" variant="light" component={Link} to={`/llm/endpoints/${encodeURIComponent(e.name)}`} data-testid="endpoint-playground">
          Playground
        </Button>
      )}
      {e.kind === 'text-classifier' && (
        <Button size="xs" variant="light" onClick={() => open({ kind: 'try', endpoint: e })} data-testid="endpoint-try">
          Try it
        </Button>
      )}
      <Button size="xs" variant="default" component={Link} to={`/endpoints/${encodeURIComponent(e.name)}`} data-testid="endpoint-metrics">
        Metrics
      </Button>
      <Button size="xs" variant="subtle" color="red" onClick={() => open({ kind: 'delete', endpoint: e })} data-testid="endpoint-delete">
        Delete
      </Button>
    </Group>
  );
}

function columns(open: (d: Dialog) => void): Array<Column<Endpoint>> {
  return [
    {
      header: 'Name',
      td: () => ({ fw: 600 }),
      cell: (e) => (
        <Anchor component={Link} to={`/endpoints/${encodeURIComponent(e.name)}`} fw={600} data-testid="endpoint-link">
          {e.name}
        </Anchor>
      ),
    },
    {
      header: 'Model',
      cell: (e) => (
        <>
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
        </>
      ),
    },
    { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
    createdColumn(),
    { header: '', cell: (e) => <Actions endpoint={e} open={open} /> },
  ];
}

export function EndpointsPage() {
  const list = useEndpoints();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  return (
    <>
      <PageHeader title="Endpoints" description="Real-time inference endpoints for classifiers and LLMs." />
      <DataTable
        query={list}
        errorTitle="Cannot load endpoints"
        empty={
          <EmptyState title="No endpoints yet — deploy a model" data-testid="endpoints-empty">
            Deploy a trained model from its page on the{' '}
            <Anchor component={Link} to="/models">
              Models
            </Anchor>{' '}
            page to get a real-time endpoint.
          </EmptyState>
        }
        columns={columns(setDialog)}
        rowKey={(e) => e.id}
        rowAttrs={(e) => ({ 'data-testid': 'endpoint-row', 'data-endpoint': e.name })}
        minWidth={720}
        data-testid="endpoints-table"
      />
      <Modal opened={dialog?.kind === 'try'} onClose={close} title={dialog ? `Try ${dialog.endpoint.name}` : ''} size="xl" centered>
        {dialog?.kind === 'try' && <EndpointTryIt endpoint={dialog.endpoint} />}
      </Modal>
      <Modal opened={dialog?.kind === 'delete'} onClose={close} title="Delete endpoint" centered>
        {dialog?.kind === 'delete' && <DeleteDialog endpoint={dialog.endpoint} onClose={close} />}
      </Modal>
    </>
  );
}
