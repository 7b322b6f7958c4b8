/**
 * A pipeline run: its steps as a DAG coloured by live state (click a node: that step's outputs and log), the same
 * steps as a table (worker, seconds, attempts, error), the parameters and trigger, and a link to the run's lineage.
 */
import { useState } from 'react';
import { Anchor, Badge, Button, Code, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDate } from '../components/format.ts';
import { cancelRun, lineagePath, usePipelineVersion, useRun, useStepLogs, type PipelineStepRun } from './api.ts';
import { RunDag } from './RunDag.tsx';

export const paramsText = (params: Record<string, unknown>) => Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
export const triggerText = (t: { type: string; detail?: Record<string, unknown> }) => (t.detail && Object.keys(t.detail).length > 0 ? `${t.type} (${paramsText(t.detail)})` : t.type);

function StepRow({ step, selected, onSelect }: { step: PipelineStepRun; selected: boolean; onSelect: () => void }) {
  return (
    <Table.Tr onClick={onSelect} style={{ cursor: 'pointer' }} bg={selected ? 'var(--mantine-color-blue-light)' : undefined} data-testid={`step-${step.name}`}>
      <Table.Td>{step.name}</Table.Td>
      <Table.Td>{step.type}</Table.Td>
      <Table.Td><StatusBadge status={step.status} /></Table.Td>
      <Table.Td>{step.cached ? <Badge variant="light" color="grape">cached</Badge> : null}</Table.Td>
      <Table.Td>{step.worker ?? ''}</Table.Td>
      <Table.Td>{step.seconds ?? ''}</Table.Td>
      <Table.Td>{step.attempts}</Table.Td>
      <Table.Td>{step.error ? `${step.error.code}: ${step.error.message}` : ''}</Table.Td>
    </Table.Tr>
  );
}

export function RunPage() {
  const { id = '' } = useParams();
  const run = useRun(id);
  const qc = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const r = run.data;
  const version = usePipelineVersion(r?.pipeline ?? '', r?.version);
  const active = r?.status === 'running' || r?.status === 'waiting';
  const step = r?.steps.find((s) => s.name === selected) ?? null;
  const logs = useStepLogs(id, selected, active);
  return (
    <Stack>
      <PageHeader
        title={<Group gap="sm">{r ? `${r.pipeline}:${r.version}` : id}{r && <StatusBadge status={r.status} data-testid="run-status" />}</Group>}
        description={r ? `Run ${r.id} · ${formatDate(r.createdAt)}${r.status === 'waiting' ? ' · waiting for an approval' : ''}` : undefined}
        crumb={{ to: r ? `/pipelines/${encodeURIComponent(r.pipeline)}` : '/pipelines', label: r?.pipeline ?? 'Pipelines', current: id }}
        actions={
          <>
            <Anchor component={Link} to={lineagePath('run', id)} size="sm" data-testid="run-lineage">Lineage</Anchor>
            {active && <Button color="red" variant="light" onClick={() => void cancelRun(id).then(() => qc.invalidateQueries({ queryKey: ['pipeline-run', id] }))}>Cancel</Button>}
          </>
        }
      />
      {run.error ? <ErrorAlert error={run.error} /> : null}
      {r?.error && <ErrorAlert title={`The run ${r.status}`} error={new Error(`${r.error.code}: ${r.error.message}`)} />}
      {r && (
        <Text size="sm" data-testid="run-meta">
          Trigger: <Code>{triggerText(r.trigger)}</Code> · Parameters: <Code>{paramsText(r.params) || '(none)'}</Code>
        </Text>
      )}
      {r && version.data && <RunDag steps={version.data.definition.steps} runs={r.steps} selected={selected} onSelect={setSelected} />}
      {step && (
        <Paper withBorder p="md" data-testid="step-detail">
          <Text fw={600}>{step.name}{step.jobId ? ` · job ${step.jobId}` : ''}</Text>
          <Text size="sm" mt="xs">Outputs</Text>
          <Code block>{JSON.stringify(step.outputs, null, 2) ?? 'null'}</Code>
          <Text size="sm" mt="xs">Log</Text>
          <Code block data-testid="step-log">{(logs.data?.items ?? []).map((l) => `${l.at} ${l.level} ${l.message}`).join('\n') || '(no lines)'}</Code>
        </Paper>
      )}
      {r && (
        <Paper withBorder>
          <Table verticalSpacing="xs" data-testid="run-steps">
            <Table.Thead><Table.Tr>{['Step', 'Type', 'Status', '', 'Worker', 'Seconds', 'Attempts', 'Error'].map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
            <Table.Tbody>{r.steps.map((s) => <StepRow key={s.name} step={s} selected={s.name === selected} onSelect={() => setSelected(s.name)} />)}</Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}
