/**
 * Pipelines: the list (with recent runs), a pipeline's definition and runs (start one with parameters), and a run's
 * steps as a DAG list with live state, each step's outputs and log.
 */
import { useState } from 'react';
import { Badge, Button, Code, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDate } from '../components/format.ts';
import { cancelRun, startRun, usePipeline, usePipelines, useRun, useRuns, useStepLogs, type PipelineRun, type PipelineStepRun, type PipelineSummary } from './api.ts';

const runColumns: ReadonlyArray<Column<PipelineRun>> = [
  { header: 'Run', cell: (r) => <Text size="sm" ff="monospace">{r.id}</Text> },
  { header: 'Pipeline', cell: (r) => `${r.pipeline}:${r.version}` },
  { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
  { header: 'Trigger', cell: (r) => r.trigger.type },
  { header: 'Started', cell: (r) => formatDate(r.createdAt) },
  { header: 'Error', cell: (r) => r.error?.code ?? '' },
];

function PipelinesPage() {
  const pipelines = usePipelines();
  const runs = useRuns();
  const columns: ReadonlyArray<Column<PipelineSummary>> = [
    { header: 'Name', cell: (p) => p.name },
    { header: 'Version', cell: (p) => p.latestVersion, numeric: true },
    { header: 'Updated', cell: (p) => formatDate(p.updatedAt) },
  ];
  return (
    <Stack>
      <PageHeader title="Pipelines" description="Versioned pipelines (sagebrush pipelines apply FILE) and their runs." />
      <DataTable query={pipelines} columns={columns} rowKey={(p) => p.name} href={(p) => `/pipelines/${encodeURIComponent(p.name)}`} empty={<Text c="dimmed">No pipelines yet: apply one with <Code>sagebrush pipelines apply FILE</Code>.</Text>} data-testid="pipelines-table" />
      <Title order={4}>Recent runs</Title>
      <DataTable query={runs} columns={runColumns} rowKey={(r) => r.id} href={(r) => `/pipelines/runs/${r.id}`} empty={<Text c="dimmed">No runs yet.</Text>} data-testid="pipeline-runs-table" />
    </Stack>
  );
}

function PipelinePage() {
  const { name = '' } = useParams();
  const pipeline = usePipeline(name);
  const runs = useRuns(name);
  const navigate = useNavigate();
  const [params, setParams] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const def = pipeline.data?.definition;
  const start = async () => {
    setError(null);
    try {
      const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));
      const run = await startRun(name, given);
      navigate(`/pipelines/runs/${run.id}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Stack>
      <PageHeader title={`${name}${pipeline.data ? `:${pipeline.data.version}` : ''}`} description={def?.description} crumb={{ to: '/pipelines', label: 'Pipelines', current: name }} />
      {pipeline.error ? <ErrorAlert error={pipeline.error} /> : null}
      {def && (
        <Paper withBorder p="md">
          <Stack gap="xs">
            <Text fw={600}>Start a run</Text>
            {Object.entries(def.parameters).map(([k, p]) => (
              <TextInput key={k} label={`${k} (${p.type})`} placeholder={p.default === undefined ? 'required' : String(p.default)} value={params[k] ?? ''} onChange={(e) => setParams({ ...params, [k]: e.currentTarget.value })} data-testid={`param-${k}`} />
            ))}
            {error ? <ErrorAlert error={error} /> : null}
            <Group><Button onClick={() => void start()} data-testid="start-run">Run</Button></Group>
            <Text size="sm" c="dimmed">Steps: {def.steps.map((s) => `${s.name} (${s.type})`).join(' → ')}</Text>
          </Stack>
        </Paper>
      )}
      <DataTable query={runs} columns={runColumns} rowKey={(r) => r.id} href={(r) => `/pipelines/runs/${r.id}`} empty={<Text c="dimmed">No runs yet.</Text>} />
    </Stack>
  );
}

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

function RunPage() {
  const { id = '' } = useParams();
  const run = useRun(id);
  const qc = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const r = run.data;
  const active = r?.status === 'running' || r?.status === 'waiting';
  const step = r?.steps.find((s) => s.name === selected) ?? null;
  const logs = useStepLogs(id, selected, active);
  return (
    <Stack>
      <PageHeader
        title={<Group gap="sm">{r ? `${r.pipeline}:${r.version}` : id}{r && <StatusBadge status={r.status} data-testid="run-status" />}</Group>}
        description={r ? `Run ${r.id} · ${r.trigger.type} · ${formatDate(r.createdAt)}${r.status === 'waiting' ? ' · waiting for an approval' : ''}` : undefined}
        crumb={{ to: '/pipelines', label: 'Pipelines', current: id }}
        actions={active ? <Button color="red" variant="light" onClick={() => void cancelRun(id).then(() => qc.invalidateQueries({ queryKey: ['pipeline-run', id] }))}>Cancel</Button> : undefined}
      />
      {run.error ? <ErrorAlert error={run.error} /> : null}
      {r?.error && <ErrorAlert title={`The run ${r.status}`} error={new Error(`${r.error.code}: ${r.error.message}`)} />}
      {r && (
        <Paper withBorder>
          <Table verticalSpacing="xs" data-testid="run-steps">
            <Table.Thead><Table.Tr>{['Step', 'Type', 'Status', '', 'Worker', 'Seconds', 'Attempts', 'Error'].map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
            <Table.Tbody>{r.steps.map((s) => <StepRow key={s.name} step={s} selected={s.name === selected} onSelect={() => setSelected(s.name)} />)}</Table.Tbody>
          </Table>
        </Paper>
      )}
      {step && (
        <Paper withBorder p="md" data-testid="step-detail">
          <Text fw={600}>{step.name}{step.jobId ? ` · job ${step.jobId}` : ''}</Text>
          <Text size="sm" mt="xs">Outputs</Text>
          <Code block>{JSON.stringify(step.outputs, null, 2) ?? 'null'}</Code>
          <Text size="sm" mt="xs">Log</Text>
          <Code block data-testid="step-log">{(logs.data?.items ?? []).map((l) => `${l.at} ${l.level} ${l.message}`).join('\n') || '(no lines)'}</Code>
        </Paper>
      )}
    </Stack>
  );
}

export function PipelinesRoutes() {
  return (
    <Routes>
      <Route index element={<PipelinesPage />} />
      <Route path="runs/:id" element={<RunPage />} />
      <Route path=":name" element={<PipelinePage />} />
    </Routes>
  );
}
