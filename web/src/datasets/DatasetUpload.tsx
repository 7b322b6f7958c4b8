import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { Button, Group, Paper, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useNavigate } from 'react-router';
import type { DatasetUploadAccepted } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatBytes } from '../components/format.ts';
import { UploadIcon } from '../components/icons.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { uploadDataset } from './api.ts';
import { datasetPath, ImportProgress } from './ImportProgress.tsx';

const FORMATS = [
  { value: 'auto', label: 'Auto-detect' },
  { value: 'csv', label: 'CSV' },
  { value: 'tsv', label: 'TSV' },
  { value: 'jsonl', label: 'JSON Lines' },
  { value: 'zip', label: 'ZIP of image folders' },
];

const HEADERS = [
  { value: 'auto', label: 'Auto-detect' },
  { value: 'true', label: 'Header row' },
  { value: 'false', label: 'No header row' },
];

type Phase =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number; abort: () => void }
  | { kind: 'importing'; accepted: DatasetUploadAccepted; failed?: boolean }
  | { kind: 'error'; error: unknown };

function defaultName(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-').slice(0, 100);
}

/** Upload form: file picker + drop zone, name, description, format; then follows the import job. */
export function DatasetUpload() {
  const inputRef = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [format, setFormat] = useState<string>('auto');
  const [header, setHeader] = useState<string>('auto');
  const [dragging, setDragging] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const busy = phase.kind === 'uploading' || (phase.kind === 'importing' && !phase.failed);

  const choose = (f: File | null | undefined) => {
    if (!f) return;
    setFile(f);
    setPhase({ kind: 'idle' });
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    if (!busy) choose(e.dataTransfer.files?.[0]);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file || busy) return;
    const handle = uploadDataset({ file, name: name || defaultName(file.name), description, format, header }, (fraction) =>
      setPhase((p) => (p.kind === 'uploading' ? { ...p, fraction } : p)),
    );
    setPhase({ kind: 'uploading', fraction: 0, abort: handle.abort });
    handle.promise.then(
      (accepted) => {
        // A server that imported synchronously answers without a job.
        if (accepted.job) setPhase({ kind: 'importing', accepted });
        else navigate(datasetPath(accepted.dataset.name, accepted.version?.version));
      },
      (error: unknown) => setPhase({ kind: 'error', error }),
    );
  };

  return (
    <Paper withBorder p="lg" radius="md" data-testid="dataset-upload">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={4}>Upload a dataset</Title>
          <div
            className="sb-dropzone"
            role="button"
            tabIndex={0}
            data-active={dragging}
            data-testid="upload-dropzone"
            onClick={() => !busy && inputRef.current?.click()}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && !busy && inputRef.current?.click()}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <Stack align="center" gap={4}>
              <UploadIcon size={28} />
              {file ? (
                <Text fw={600} data-testid="upload-file-name">
                  {file.name} <Text span c="dimmed" fw={400}>({formatBytes(file.size)})</Text>
                </Text>
              ) : (
                <Text fw={600}>Drop a file here or click to choose</Text>
              )}
              <Text size="xs" c="dimmed">
                CSV, TSV, JSON Lines, or a ZIP of image folders
              </Text>
            </Stack>
            <input
              ref={inputRef}
              type="file"
              hidden
              accept=".csv,.tsv,.txt,.jsonl,.json,.zip,text/csv,text/tab-separated-values,application/zip"
              data-testid="upload-file"
              onChange={(e) => {
                choose(e.currentTarget.files?.[0]);
                e.currentTarget.value = '';
              }}
            />
          </div>
          <TextInput
            label="Name"
            placeholder={file ? defaultName(file.name) : 'from the file name'}
            description="An existing name adds a new version"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            disabled={busy}
            data-testid="upload-name"
          />
          <Textarea label="Description" autosize minRows={2} maxRows={5} value={description} onChange={(e) => setDescription(e.currentTarget.value)} disabled={busy} data-testid="upload-description" />
          <Group grow align="flex-start">
            <Select label="Format" data={FORMATS} value={format} onChange={(v) => setFormat(v ?? 'auto')} allowDeselect={false} disabled={busy} data-testid="upload-format" />
            <Select label="Header" data={HEADERS} value={header} onChange={(v) => setHeader(v ?? 'auto')} allowDeselect={false} disabled={busy} data-testid="upload-header" />
          </Group>
          <Group justify="flex-end">
            {phase.kind === 'uploading' && (
              <Button variant="default" onClick={phase.abort}>
                Cancel
              </Button>
            )}
            <Button type="submit" disabled={!file || busy} loading={busy} data-testid="upload-submit">
              Upload and import
            </Button>
          </Group>
          {phase.kind === 'uploading' && <ProgressBar value={phase.fraction} status="uploading" label="Uploading…" data-testid="upload-progress" />}
          {phase.kind === 'importing' && (
            <ImportProgress accepted={phase.accepted} onFailed={() => setPhase((p) => (p.kind === 'importing' ? { ...p, failed: true } : p))} />
          )}
          {phase.kind === 'error' && <ErrorAlert error={phase.error} title="Upload failed" />}
        </Stack>
      </form>
    </Paper>
  );
}
