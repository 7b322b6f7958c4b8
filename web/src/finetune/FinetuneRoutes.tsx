/** Fine-tuning: the runs (list), a form to start one (base model, data file, method, workers, steps), a run's page. */
import { useState, type ComponentPropsWithoutRef } from 'react';
import { Button, FileInput, Group, NumberInput, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { Route, Routes, useNavigate } from 'react-router';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useLlmModels } from '../llm/api.ts';
import { createRun, uploadData, useRuns, type FinetuneRunView } from './api.ts';
import { RunPage } from './RunPage.tsx';

const columns: ReadonlyArray<Column<FinetuneRunView>> = [
  { header: 'Run', cell: (r) => r.name },
  { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
  { header: 'Method', cell: (r) => r.spec.method },
  { header: 'Workers', cell: (r) => r.spec.parallel.dataParallel, numeric: true },
  { header: 'Launcher', cell: (r) => r.launcher },
  { header: 'Step', cell: (r) => r.summary.step, numeric: true },
  { header: 'Eval loss', cell: (r) => (r.summary.evalLoss === null ? '' : `${r.summary.baseEvalLoss?.toFixed(3) ?? '?'} → ${r.summary.evalLoss.toFixed(3)}`) },
  { header: 'Tokens/s', cell: (r) => (r.summary.tokensPerSecond === null ? '' : r.summary.tokensPerSecond.toFixed(0)), numeric: true },
];

function CreateForm() {
  const models = useLlmModels();
  const navigate = useNavigate();
  const [base, setBase] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [method, setMethod] = useState<string | null>('lora');
  const [workers, setWorkers] = useState<number | string>(1);
  const [steps, setSteps] = useState<number | string>(100);
  const [launcher, setLauncher] = useState<string | null>('local');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setBusy(true); setError(null);
    try {
      const up = await uploadData(file!, () => {});
      const run = await createRun({ ...(name ? { name } : {}), base: base!, data: { upload: up.id }, method, hp: { maxSteps: Number(steps) }, parallel: { dataParallel: Number(workers) }, launcher: { type: launcher } });
      navigate(`/finetune/${encodeURIComponent(run.name)}`);
    } catch (e) { setError(e); } finally { setBusy(false); }
  };
  return (
    <Paper withBorder p="md">
      <Title order={5} mb="sm">New fine-tuning run</Title>
      <Stack gap="xs">
        <Group grow>
          <Select label="Base model (LLM catalog)" data={(models.data?.items ?? []).map((m) => `${m.name}:${m.version}`)} value={base} onChange={setBase} data-testid="finetune-base" />
          <FileInput label="Data (JSONL or .txt)" value={file} onChange={setFile} accept=".jsonl,.json,.txt" data-testid="finetune-data" fileInputProps={{ 'data-testid': 'finetune-data-file' } as ComponentPropsWithoutRef<'input'>} />
          <TextInput label="Name (optional)" value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="finetune-name" />
        </Group>
        <Group grow>
          <Select label="Method" data={['lora', 'full']} value={method} onChange={setMethod} />
          <NumberInput label="Workers" min={1} value={workers} onChange={setWorkers} data-testid="finetune-workers" />
          <NumberInput label="Steps" min={1} value={steps} onChange={setSteps} data-testid="finetune-steps" />
          <Select label="Launcher" data={['local', 'slurm']} value={launcher} onChange={setLauncher} />
        </Group>
        <ErrorAlert error={error} />
        <Group><Button onClick={submit} loading={busy} disabled={!base || !file} data-testid="finetune-start">Start</Button></Group>
        <Text size="xs" c="dimmed">Everything is checked before it starts: the model&apos;s architecture and shape, every data row, the world size against the cores or the Slurm allocation. CLI: sagebrush finetune run --base NAME --data FILE.</Text>
      </Stack>
    </Paper>
  );
}

function RunsPage() {
  const runs = useRuns();
  return (
    <Stack>
      <PageHeader title="Fine-tuning" description="LoRA or full fine-tuning of llama models on torchrun (this machine) or Slurm; checkpoints deploy as LLM endpoints." />
      <CreateForm />
      <DataTable query={runs} columns={columns} rowKey={(r) => r.id} href={(r) => `/finetune/${encodeURIComponent(r.name)}`} empty={<Text c="dimmed">No runs yet.</Text>} data-testid="finetune-runs" />
    </Stack>
  );
}

export function FinetuneRoutes() {
  return (
    <Routes>
      <Route index element={<RunsPage />} />
      <Route path=":run" element={<RunPage />} />
    </Routes>
  );
}
