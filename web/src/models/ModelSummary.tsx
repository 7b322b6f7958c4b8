import { useState, type ReactNode } from 'react';
import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Spoiler, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { authDownloadClick } from '../api/download.ts';
import { api } from '../api/client.ts';
import type { Job, ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate, formatNumber } from '../components/format.ts';
import { useDataset } from '../datasets/api.ts';
import { datasetPath } from '../datasets/ImportProgress.tsx';
import { jobKeys } from '../jobs/hooks.ts';
import { artifactUrl } from './api.ts';
import { num } from './metrics.ts';

function Stat({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600} size="lg" data-testid={testId} component="div">
        {children}
      </Text>
    </Paper>
  );
}

/** The dataset (name + version) a model was trained on, read through its training job's payload. */
function TrainingData({ model }: { model: ModelVersion }) {
  // The training job has finished: one plain read (useJob would open an event stream first).
  const { data: job } = useQuery({
    queryKey: jobKeys.one(model.jobId ?? ''),
    queryFn: ({ signal }) => api<Job>(`/jobs/${encodeURIComponent(model.jobId!)}`, { signal }),
    enabled: Boolean(model.jobId),
    staleTime: Infinity,
  });
  const payload = (job?.payload ?? {}) as { dataset?: string };
  const { data: dataset } = useDataset(payload.dataset ?? '');
  const version = dataset?.versions.find((v) => v.id === model.datasetVersionId);
  // Never an id: without the job (deleted) the dataset is unknown, and an id would say nothing to a reader.
  if (!payload.dataset) return <Text span>{model.datasetVersionId ? 'a dataset version no longer listed' : '—'}</Text>;
  return (
    <Anchor component={Link} to={datasetPath(dataset?.name ?? payload.dataset, version?.version)} size="sm" data-testid="model-dataset">
      {dataset?.name ?? payload.dataset}
      {version ? ` v${version.version}` : ''}
    </Anchor>
  );
}

/** The split; a separate test dataset by its name (the request may have named it by id). */
function SplitText({ model }: { model: ModelVersion }) {
  const s = model.params?.split;
  const ref = s && typeof s === 'object' && s.kind === 'user-test-set' && typeof s.testDataset === 'string' ? s.testDataset : '';
  const { data: testSet } = useDataset(ref);
  if (!ref) return <>{splitText(model)}</>;
  return (
    <>
      separate test dataset{' '}
      <Anchor component={Link} to={datasetPath(testSet?.name ?? ref, num(s?.testDatasetVersion) ?? undefined)} size="sm" data-testid="model-test-dataset">
        {testSet?.name ?? ref}
        {num(s?.testDatasetVersion) !== null ? ` v${s?.testDatasetVersion}` : ''}
      </Anchor>
    </>
  );
}

function splitText(model: ModelVersion): string {
  const s = model.params?.split;
  if (!s || typeof s !== 'object') return '—';
  const frac = num(s.testFraction);
  if (s.kind === 'user-test-set') return 'separate test dataset';
  return `${s.kind ?? 'random'} ${frac !== null ? `${Math.round(frac * 100)}% test` : ''}${num(s.seed) !== null ? `, seed ${s.seed}` : ''}`.trim();
}

function optionsText(o: Record<string, unknown> | undefined): string {
  if (!o) return '—';
  const r = (v: unknown) => (Array.isArray(v) ? `${v[0]}–${v[1]}` : 'off');
  return `word n-grams ${r(o.wordNgram)} · char n-grams ${r(o.charNgram)} · min df ${o.minDf ?? '—'} · C ${o.C ?? '—'} · class weight ${o.classWeight ?? '—'} · ≤ ${o.maxEpochs ?? '—'} epochs`;
}

const ARTIFACTS: Array<{ key: string; label: string }> = [
  { key: 'output.tar.gz', label: 'Comprehend output (output.tar.gz)' },
  { key: 'metrics.json', label: 'Metrics (metrics.json)' },
  { key: 'split.json', label: 'Test split (split.json)' },
];

/** Mode, labels, data, split, timing and artifact downloads of one model version. */
export function ModelSummary({ model }: { model: ModelVersion }) {
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const m = model.metrics ?? {};
  const labels = model.params?.labels ?? m.labels ?? [];
  const artifacts = ARTIFACTS.filter((a) => model.artifacts?.[a.key]);
  return (
    <Stack gap="sm" data-testid="model-summary">
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="sm">
        <Stat label="Mode" testId="model-mode">
          {model.params?.mode ?? m.mode ?? '—'}
        </Stat>
        <Stat label="Labels">{labels.length || '—'}</Stat>
        <Stat label="Training docs">{formatNumber(m.n_train)}</Stat>
        <Stat label="Test docs">{formatNumber(m.n_test)}</Stat>
        <Stat label="Train time">{num(m.train_seconds) !== null ? `${m.train_seconds! < 10 ? m.train_seconds!.toFixed(2) : Math.round(m.train_seconds!)} s` : '—'}</Stat>
      </SimpleGrid>
      <Spoiler maxHeight={64} showLabel={`Show all ${labels.length} labels`} hideLabel="Show fewer">
        <Group gap={6} data-testid="model-labels">
          {labels.map((l) => (
            <Badge key={l} variant="light" color="gray" tt="none">
              {l}
            </Badge>
          ))}
        </Group>
      </Spoiler>
      <Stack gap={4}>
        <Text size="sm" c="dimmed">
          Trained on <TrainingData model={model} /> · split <SplitText model={model} /> · format {model.params?.format ?? '—'} · created {formatDate(model.createdAt)}
          {model.jobId && (
            <>
              {' '}· job{' '}
              <Anchor component={Link} to={`/jobs/${model.jobId}`} size="sm">
                {model.jobId}
              </Anchor>
            </>
          )}
        </Text>
        <Text size="xs" c="dimmed">
          {optionsText(model.params?.options)}
        </Text>
      </Stack>
      {artifacts.length > 0 && (
        <Group gap="xs" data-testid="model-artifacts">
          {artifacts.map((a) => {
            const url = artifactUrl(model.name, model.version, a.key);
            return (
              <Button key={a.key} component="a" href={url} download={a.key} variant="default" size="xs" onClick={authDownloadClick(url, a.key, setDownloadError)} data-testid={`artifact-${a.key}`}>
                ↓ {a.label}
              </Button>
            );
          })}
        </Group>
      )}
      {downloadError !== null && <ErrorAlert error={downloadError} title="Download failed" />}
    </Stack>
  );
}
