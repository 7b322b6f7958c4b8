/**
 * The approval panel of a model version: its status (PendingManualApproval | Approved | Rejected), Approve / Reject
 * with a reason (recorded with the API token's name), the history, and the endpoint an approval deploys to.
 */
import { useState } from 'react';
import { Alert, Badge, Button, Group, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { ModelVersion } from '../api/types.ts';

export type GovernedModel = Pick<ModelVersion, 'name' | 'version' | 'status'>;
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useNamedAction } from '../components/useAction.ts';
import { formatDate } from '../components/format.ts';
import { useApproval, useRegistrySettings, useRegistryWrites, type ApprovalStatus, type Deployment } from './registryApi.ts';

const COLORS: Record<ApprovalStatus, string> = { PendingManualApproval: 'yellow', Approved: 'teal', Rejected: 'red' };
const LABELS: Record<ApprovalStatus, string> = { PendingManualApproval: 'Pending approval', Approved: 'Approved', Rejected: 'Rejected' };

export function ApprovalBadge({ status }: { status: ApprovalStatus }) {
  return (
    <Badge color={COLORS[status]} variant="light" data-testid="approval-status" data-status={status} style={{ minWidth: 'max-content' }}>
      {LABELS[status]}
    </Badge>
  );
}

/** Any kind's version (text, image, LLM): only its name, version and status are read. */
export function ApprovalPanel({ model }: { model: GovernedModel }) {
  const { data, error } = useApproval(model.name, model.version);
  const { data: settings } = useRegistrySettings(model.name);
  const writes = useRegistryWrites(model.name, model.version);
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const [deployment, setDeployment] = useState<Deployment | null>(null);
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const { busy, error: actionError, run } = useNamedAction();
  if (error) return <ErrorAlert error={error} title="Cannot load the approval status" />;
  if (!data) return null;

  const decide = (status: ApprovalStatus) =>
    run(status, async () => {
      const out = await writes.setApproval(status, reason);
      setReason('');
      setDeployment(out.deployment ?? null);
      await qc.invalidateQueries({ queryKey: ['models'] });
    });
  const deployTo = endpoint ?? settings?.deployOnApproval?.endpoint ?? '';

  return (
    <Stack gap="sm" data-testid="approval-panel">
      <Group gap="sm">
        <ApprovalBadge status={data.status} />
        {data.updatedBy && (
          <Text size="sm" c="dimmed" data-testid="approval-by">
            by {data.updatedBy} · {formatDate(data.updatedAt)}
            {data.reason ? ` — “${data.reason}”` : ''}
          </Text>
        )}
      </Group>
      <Textarea label="Reason" placeholder="Why (required to reject)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={1} maxLength={2000} data-testid="approval-reason" />
      <Group gap="sm">
        <Button color="teal" onClick={() => void decide('Approved')} loading={busy === 'Approved'} disabled={data.status === 'Approved' || model.status !== 'ready'} data-testid="approval-approve">
          Approve
        </Button>
        <Button color="red" variant="light" onClick={() => void decide('Rejected')} loading={busy === 'Rejected'} disabled={data.status === 'Rejected' || reason.trim() === ''} data-testid="approval-reject">
          Reject
        </Button>
      </Group>
      <Group gap="sm" align="end">
        <TextInput
          label="Deploy on approval to endpoint"
          description="Approving a version creates this endpoint or re-points it to the version"
          placeholder="none"
          value={deployTo}
          onChange={(e) => setEndpoint(e.currentTarget.value)}
          data-testid="deploy-on-approval-endpoint"
        />
        <Button variant="default" onClick={() => void run('settings', () => writes.setDeployOnApproval(deployTo.trim() || null))} loading={busy === 'settings'} data-testid="deploy-on-approval-save">
          Save
        </Button>
      </Group>
      {deployment && (
        <Alert color={deployment.action === 'failed' ? 'red' : 'teal'} variant="light" data-testid="approval-deployment" data-action={deployment.action}>
          {deployment.action === 'failed'
            ? `The approval is recorded, but deploying to endpoint ${deployment.endpoint} failed: ${deployment.error?.message ?? ''}`
            : `Endpoint ${deployment.endpoint} ${deployment.action}: it now serves ${model.name}:${model.version}.`}
        </Alert>
      )}
      <ErrorAlert error={actionError} title="The change was not made" />
      {data.history.length > 0 && (
        <Table data-testid="approval-history" striped withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Who</Table.Th>
              <Table.Th>Change</Table.Th>
              <Table.Th>Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.history.map((h) => (
              <Table.Tr key={`${h.at}-${h.status}`}>
                <Table.Td>{formatDate(h.at)}</Table.Td>
                <Table.Td>{h.by}</Table.Td>
                <Table.Td>
                  {LABELS[h.previousStatus]} → {LABELS[h.status]}
                </Table.Td>
                <Table.Td>{h.reason}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
