/**
 * Pipelines: the list (with recent runs), a pipeline's definition and run history (parameters, trigger; start one
 * with parameters), a run's steps as a live DAG (RunPage.tsx) and lineage (LineagePage.tsx).
 */
import { useState } from 'react';
import { Button, Code, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { Route, Routes, useNavigate, useParams } from 'react-router';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDate } from '../components/format.ts';
import { startRun, usePipeline, usePipelines, useRuns, type PipelineRun, type PipelineSummary } from './api.ts';
import { LineagePage } from './LineagePage.tsx';
import { paramsText, RunPage, triggerText } from './RunPage.tsx';

const runColumns: ReadonlyArray<Column<PipelineRun>> = [
  { header: 'Run', cell: (r) => <Text size="sm" ff="monospace">{r.id}</Text> },
  { header: 'Pipeline', cell: (r) => `${r.pipeline}:${r.version}` },
  { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
  { header: 'Trigger', cell: (r) => triggerText(r.trigger) },
  { header: 'Parameters', cell: (r) => <Text size="xs" ff="monospace">{paramsText(r.params)}</Text> },
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
      <Title order={4}>Run history</Title>
      <DataTable query={runs} columns={runColumns} rowKey={(r) => r.id} href={(r) => `/pipelines/runs/${r.id}`} empty={<Text c="dimmed">No runs yet.</Text>} data-testid="pipeline-history" />
    </Stack>
  );
}

export function PipelinesRoutes() {
  return (
    <Routes>
      <Route index element={<PipelinesPage />} />
      <Route path="runs/:id" element={<RunPage />} />
      <Route path="lineage" element={<LineagePage />} />
      <Route path=":name" element={<PipelinePage />} />
    </Routes>
  );
}
