/** /images/new: the Canvas-style wizard — data, checks and thumbnails, build settings, then the build's live progress. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Badge, Button, Group, Paper, Radio, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import type { Job } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { MODEL_NAME } from '../models/metrics.ts';
import { imageKeys, imageModelPath, startBuild, useImageSummary, type BuildKind } from './api.ts';
import { DatasetOverview } from './DatasetOverview.tsx';
import { DatasetStep, type ChosenDataset } from './DatasetStep.tsx';
import { JobFollower } from './parts.tsx';
import { guessGroupColumn, guessLabelColumn, suggestModelName } from './read.ts';

function Step({ n, title, children, testId }: { n: number; title: string; children: ReactNode; testId: string }) {
  return (
    <Paper withBorder p="lg" radius="md" data-testid={testId}>
      <Stack gap="sm">
        <Group gap="xs">
          <Badge circle size="lg" variant="light">
            {n}
          </Badge>
          <Title order={4}>{title}</Title>
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}

const BUILDS: Array<{ value: BuildKind; label: string; hint: string }> = [
  {
    value: 'quick',
    label: 'Quick build',
    hint: 'Frozen pretrained backbone (MobileNetV2) + a class-weighted logistic-regression head on one centre crop. Seconds to a minute for a few hundred images; good for checking the data.',
  },
  {
    value: 'standard',
    label: 'Standard build',
    hint: 'Also tries test-time views (flips, rotations, crops), train-time augmentation (crops, flips, colour jitter) and several regularisations, chosen by cross-validation. Several minutes; usually a few points better.',
  },
];

type Phase = { kind: 'idle' } | { kind: 'starting' } | { kind: 'building'; job: Job; model: { name: string; version: number }; done?: boolean } | { kind: 'error'; error: unknown };

export function NewImageClassifierPage() {
  const [dataset, setDataset] = useState<ChosenDataset | null>(null);
  const [labelColumn, setLabelColumn] = useState('');
  const [groupColumn, setGroupColumn] = useState('');
  const [build, setBuild] = useState<BuildKind>('quick');
  const [name, setName] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const touched = useRef({ name: false, columns: false });
  const navigate = useNavigate();
  const qc = useQueryClient();
  const busy = phase.kind === 'starting' || (phase.kind === 'building' && !phase.done);

  const { data: summary, error: summaryError } = useImageSummary(dataset?.name ?? '', dataset?.version ?? 0, labelColumn, groupColumn);

  // Suggest the manifest's label and group columns once per dataset, until the user picks them.
  const suggestedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!summary || !dataset) return;
    const key = `${dataset.name}:${dataset.version}`;
    if (suggestedFor.current === key || touched.current.columns) return;
    suggestedFor.current = key;
    const cols = summary.columns ?? [];
    setGroupColumn(guessGroupColumn(cols));
    setLabelColumn(guessLabelColumn(cols));
  }, [summary, dataset?.name, dataset?.version]);

  const nameValue = name || (dataset ? suggestModelName(dataset.name) : '');
  const nameError = nameValue && !MODEL_NAME.test(nameValue) ? 'Letters, digits, “.”, “_” or “-”, starting with a letter or digit.' : undefined;
  const blocking = (summary?.problems ?? []).some((p) => p.severity === 'error');

  const submit = async () => {
    if (!dataset || busy || nameError || !nameValue) return;
    setPhase({ kind: 'starting' });
    try {
      const res = await startBuild({
        name: nameValue,
        dataset: `${dataset.name}:${dataset.version}`,
        build,
        ...(groupColumn ? { groupColumn } : {}),
        ...(labelColumn ? { labelColumn } : {}),
      });
      setPhase({ kind: 'building', job: res.job, model: res.model });
    } catch (error) {
      setPhase({ kind: 'error', error });
    }
  };

  return (
    <Stack gap="md" data-testid="images-new-page">
      <PageHeader crumb={{ to: '/images', label: 'Images', current: 'New image classifier' }} title="Build an image classifier" description="Import images, check them, build without code, then read the advanced metrics." />
      <Step n={1} title="Images" testId="images-step-data">
        <DatasetStep
          chosen={dataset}
          disabled={busy}
          onChosen={(d) => {
            setDataset(d);
            touched.current.columns = false;
          }}
        />
      </Step>
      {dataset && (
        <Step n={2} title="Check the data" testId="images-step-check">
          <DatasetOverview
            ds={dataset.name}
            datasetId={dataset.id}
            version={dataset.version}
            summary={summary}
            summaryError={summaryError}
            labelColumn={labelColumn}
            groupColumn={groupColumn}
            onLabelColumn={(c) => {
              touched.current.columns = true;
              setLabelColumn(c);
            }}
            onGroupColumn={(c) => {
              touched.current.columns = true;
              setGroupColumn(c);
            }}
            disabled={busy}
          />
        </Step>
      )}
      {dataset && (
        <Step n={3} title="Build" testId="images-step-build">
          <Radio.Group value={build} onChange={(v) => setBuild(v as BuildKind)} data-testid="images-build-kind">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {BUILDS.map((b) => (
                <Radio.Card key={b.value} value={b.value} p="md" radius="md" disabled={busy} data-testid={`images-build-${b.value}`}>
                  <Group wrap="nowrap" align="flex-start" gap="sm">
                    <Radio.Indicator />
                    <div>
                      <Text fw={600}>{b.label}</Text>
                      <Text size="sm" c="dimmed">
                        {b.hint}
                      </Text>
                    </div>
                  </Group>
                </Radio.Card>
              ))}
            </SimpleGrid>
          </Radio.Group>
          <Group align="flex-end" gap="sm">
            <TextInput
              label="Model name"
              description="Building again under the same name adds a version."
              value={nameValue}
              onChange={(e) => {
                touched.current.name = true;
                setName(e.currentTarget.value);
              }}
              error={nameError}
              disabled={busy}
              style={{ flex: 1 }}
              data-testid="images-model-name"
            />
            <Button size="md" onClick={() => void submit()} loading={busy} disabled={busy || !nameValue || Boolean(nameError) || blocking} data-testid="images-build-submit">
              Build
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            {groupColumn ? `Evaluation: stratified by label, grouped by ${groupColumn} (5-fold cross-validation and a held-out test split).` : 'Evaluation: stratified by label (no group column chosen).'}
          </Text>
          {phase.kind === 'building' && (
            <JobFollower
              key={phase.job.id}
              initial={phase.job}
              title={`Build of “${phase.model.name}”`}
              runningLabel="Building…"
              testId="images-build-progress"
              onFinished={(ok) => {
                if (ok) {
                  void qc.invalidateQueries({ queryKey: imageKeys.all });
                  navigate(imageModelPath(phase.model.name, phase.model.version));
                } else setPhase((p) => (p.kind === 'building' ? { ...p, done: true } : p));
              }}
            />
          )}
          {phase.kind === 'error' && <ErrorAlert error={phase.error} title="Cannot start the build" />}
        </Step>
      )}
    </Stack>
  );
}
