import { useState, type FormEvent } from 'react';
import { Button, FileInput, Group, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { BatchInputFormat, Job, ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatBytes } from '../components/format.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { jobKeys } from '../jobs/hooks.ts';
import { startBatchJob } from './api.ts';
import { BatchJobProgress, RecentBatchJobs } from './BatchJobs.tsx';

const FORMATS: Array<{ value: BatchInputFormat; label: string; hint: string }> = [
  { value: 'one-doc-per-line', label: 'One document per line', hint: 'A text file; each line is a document (Comprehend ONE_DOC_PER_LINE).' },
  { value: 'one-doc-per-file', label: 'One document per file', hint: 'A single text file, or a .zip / .tar.gz of text files; each file is a document (ONE_DOC_PER_FILE).' },
  { value: 'csv', label: 'CSV column', hint: 'A CSV with a header row; the documents are in one column.' },
];

type Phase = { kind: 'idle' } | { kind: 'uploading'; fraction: number; abort: () => void } | { kind: 'running'; job: Job } | { kind: 'error'; error: unknown };

/** Batch analysis: upload a file, follow the text.batch job, download the results. */
export function BatchPanel({ model }: { model: ModelVersion }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<BatchInputFormat>('one-doc-per-line');
  const [column, setColumn] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const qc = useQueryClient();
  const uploading = phase.kind === 'uploading';
  const hint = FORMATS.find((f) => f.value === format)?.hint;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file || uploading) return;
    const handle = startBatchJob({ model: `${model.name}:${model.version}`, inputFormat: format, column, file }, (fraction) =>
      setPhase((p) => (p.kind === 'uploading' ? { ...p, fraction } : p)),
    );
    setPhase({ kind: 'uploading', fraction: 0, abort: handle.abort });
    handle.promise.then(
      ({ job }) => {
        setPhase({ kind: 'running', job });
        void qc.invalidateQueries({ queryKey: jobKeys.all });
      },
      (error: unknown) => setPhase({ kind: 'error', error }),
    );
  };

  return (
    <Paper withBorder p="md" radius="md" data-testid="batch-panel">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Group grow align="flex-start">
            <FileInput
              label="Input file"
              placeholder="Choose a file"
              value={file}
              onChange={setFile}
              clearable
              disabled={uploading}
              description={file ? formatBytes(file.size) : 'Text, CSV, ZIP or tar.gz'}
              data-testid="batch-file"
            />
            <Select
              label="Input format"
              data={FORMATS}
              value={format}
              onChange={(v) => setFormat((v ?? 'one-doc-per-line') as BatchInputFormat)}
              allowDeselect={false}
              disabled={uploading}
              description={hint}
              data-testid="batch-format"
            />
            {format === 'csv' && (
              <TextInput label="Text column" placeholder="text" description="Header name of the documents' column" value={column} onChange={(e) => setColumn(e.currentTarget.value)} disabled={uploading} data-testid="batch-column" />
            )}
          </Group>
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              Results: one JSON line per document (File, Line, {model.params?.mode === 'multi-label' ? 'Labels' : 'Classes'}), or Comprehend's output.tar.gz.
            </Text>
            <Group gap="xs">
              {phase.kind === 'uploading' && (
                <Button variant="default" onClick={phase.abort}>
                  Cancel
                </Button>
              )}
              <Button type="submit" disabled={!file || uploading || model.status !== 'ready'} loading={uploading} data-testid="batch-submit">
                Start batch analysis
              </Button>
            </Group>
          </Group>
          {phase.kind === 'uploading' && <ProgressBar value={phase.fraction} status="uploading" label="Uploading…" />}
          {phase.kind === 'running' && <BatchJobProgress key={phase.job.id} initial={phase.job} />}
          {phase.kind === 'error' && <ErrorAlert error={phase.error} title="Cannot start the batch job" />}
          <RecentBatchJobs model={model} exclude={phase.kind === 'running' ? phase.job.id : undefined} />
        </Stack>
      </form>
    </Paper>
  );
}
