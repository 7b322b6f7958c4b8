/** Wizard step 1: pick an image dataset (zip) that is already imported, or upload a zip and follow its import. */
import { useState } from 'react';
import { Button, Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { Dataset, DatasetUploadAccepted } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatBytes } from '../components/format.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { datasetKeys, uploadDataset, useDatasets } from '../datasets/api.ts';
import { FileDropArea, JobFollower } from './parts.tsx';

export interface ChosenDataset {
  name: string;
  version: number;
  /** The dataset's id: thumbnail URLs by id + version are cached by the browser for good. */
  id?: string;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number; abort: () => void }
  | { kind: 'importing'; accepted: DatasetUploadAccepted }
  | { kind: 'error'; error: unknown };

function isImageDataset(d: Dataset): boolean {
  return d.kind === 'images';
}

function defaultName(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-').slice(0, 100);
}

export function DatasetStep({ chosen, onChosen, disabled }: { chosen: ChosenDataset | null; onChosen: (d: ChosenDataset) => void; disabled: boolean }) {
  const { data: datasets, error: listError } = useDatasets();
  const images = (datasets?.items ?? []).filter(isImageDataset);
  const [mode, setMode] = useState<'existing' | 'upload'>('upload');
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const qc = useQueryClient();
  const busy = disabled || phase.kind === 'uploading' || phase.kind === 'importing';

  const upload = () => {
    if (!file || busy) return;
    const handle = uploadDataset({ file, name: name || defaultName(file.name), format: 'zip' }, (fraction) =>
      setPhase((p) => (p.kind === 'uploading' ? { ...p, fraction } : p)),
    );
    setPhase({ kind: 'uploading', fraction: 0, abort: handle.abort });
    handle.promise.then(
      (accepted) => {
        if (accepted.job) setPhase({ kind: 'importing', accepted });
        else {
          setPhase({ kind: 'idle' });
          onChosen({ name: accepted.dataset.name, version: accepted.version.version, id: accepted.dataset.id });
        }
      },
      (error: unknown) => setPhase({ kind: 'error', error }),
    );
  };

  return (
    <Stack gap="sm" data-testid="images-dataset-step">
      <SegmentedControl
        value={mode}
        onChange={(v) => setMode(v as 'existing' | 'upload')}
        data={[
          { value: 'upload', label: 'Upload a zip' },
          { value: 'existing', label: `Use an imported dataset (${images.length})` },
        ]}
        disabled={busy}
        data-testid="images-dataset-mode"
      />
      {listError && <ErrorAlert error={listError} title="Cannot load datasets" />}
      {mode === 'existing' ? (
        <Select
          label="Image dataset"
          placeholder={images.length ? 'Choose a dataset' : 'No image datasets yet: upload a zip'}
          data={images.map((d) => ({ value: d.name, label: `${d.name} (v${d.latestVersion})` }))}
          value={chosen?.name ?? null}
          onChange={(v) => {
            const d = images.find((x) => x.name === v);
            if (d) onChosen({ name: d.name, version: d.latestVersion, id: d.id });
          }}
          searchable
          disabled={busy}
          data-testid="images-dataset-select"
        />
      ) : (
        <Stack gap="sm">
          <FileDropArea
            accept=".zip,application/zip"
            onFile={(f) => {
              setFile(f);
              setPhase({ kind: 'idle' });
            }}
            disabled={busy}
            title={file ? `${file.name} (${formatBytes(file.size)})` : 'Drop a zip here or click to choose'}
            hint="One folder per label (akiec/…, bcc/…), or a CSV manifest with a path column, a label column and e.g. a lesion or patient id; JPEG, PNG or WebP."
            testId="images-upload-dropzone"
            inputTestId="images-upload-file"
          />
          <Group align="flex-end" gap="sm">
            <TextInput
              label="Dataset name"
              placeholder={file ? defaultName(file.name) : 'from the file name'}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              disabled={busy}
              style={{ flex: 1 }}
              data-testid="images-upload-name"
            />
            {phase.kind === 'uploading' && (
              <Button variant="default" onClick={phase.abort}>
                Cancel
              </Button>
            )}
            <Button onClick={upload} disabled={!file || busy} loading={phase.kind === 'uploading' || phase.kind === 'importing'} data-testid="images-upload-submit">
              Upload and import
            </Button>
          </Group>
          {phase.kind === 'uploading' && <ProgressBar value={phase.fraction} status="uploading" label="Uploading…" data-testid="images-upload-progress" />}
          {phase.kind === 'importing' && (
            <JobFollower
              key={phase.accepted.job.id}
              initial={phase.accepted.job}
              title={`Import of “${phase.accepted.dataset.name}”`}
              runningLabel="Checking the images…"
              testId="images-import"
              onFinished={(ok) => {
                if (!ok) return;
                void qc.invalidateQueries({ queryKey: datasetKeys.all });
                onChosen({ name: phase.accepted.dataset.name, version: phase.accepted.version.version, id: phase.accepted.dataset.id });
                setPhase({ kind: 'idle' });
                setFile(null);
              }}
            />
          )}
          {phase.kind === 'error' && <ErrorAlert error={phase.error} title="Upload failed" />}
        </Stack>
      )}
      {chosen && (
        <Text size="sm" data-testid="images-dataset-chosen">
          Dataset <b>{chosen.name}</b> version {chosen.version}
        </Text>
      )}
    </Stack>
  );
}
