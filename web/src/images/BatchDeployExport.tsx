/** The Batch, Deploy and Export tabs of an image model. */
import { useState } from 'react';
import { Anchor, Button, Code, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { authDownloadClick } from '../api/download.ts';
import type { Endpoint, Job, ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { jobKeys } from '../jobs/hooks.ts';
import { createEndpoint, endpointKeys, useEndpoints } from '../models/api.ts';
import { endpointNameFor, isValidEndpointName } from '../models/metrics.ts';
import { batchCsvUrl, exportOnnxUrl, startImageBatch } from './api.ts';
import { DatasetStep, type ChosenDataset } from './DatasetStep.tsx';
import { JobFollower } from './parts.tsx';

function DownloadButton({ url, file, label, testId }: { url: string; file: string; label: string; testId: string }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <Stack gap={4}>
      <Button component="a" href={url} download={file} variant="light" onClick={authDownloadClick(url, file, setError)} data-testid={testId}>
        ↓ {label}
      </Button>
      {error !== null && <ErrorAlert error={error} title="Download failed" />}
    </Stack>
  );
}

/** "170 images predicted · 0 errors · 3 flagged out of distribution" from an images.batch job result. */
function batchSummary(result: unknown): string {
  const r = (result && typeof result === 'object' ? result : {}) as { images?: unknown; errors?: unknown; outOfDistribution?: unknown };
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const images = n(r.images);
  if (images === null) return 'Done.';
  const parts = [`${images.toLocaleString('en-US')} images predicted`];
  if (n(r.errors) !== null) parts.push(`${n(r.errors)} unreadable`);
  if (n(r.outOfDistribution) !== null) parts.push(`${n(r.outOfDistribution)} flagged out of distribution`);
  return parts.join(' · ');
}

type BatchPhase = { kind: 'idle' } | { kind: 'starting' } | { kind: 'running'; job: Job; done?: boolean } | { kind: 'error'; error: unknown };

/** Batch prediction over an image dataset (zip): job with progress, then the predictions CSV. */
export function ImageBatchPanel({ model }: { model: ModelVersion }) {
  const [dataset, setDataset] = useState<ChosenDataset | null>(null);
  const [phase, setPhase] = useState<BatchPhase>({ kind: 'idle' });
  const qc = useQueryClient();
  const busy = phase.kind === 'starting' || (phase.kind === 'running' && !phase.done);

  const start = async () => {
    if (!dataset || busy) return;
    setPhase({ kind: 'starting' });
    try {
      const { job } = await startImageBatch(model.name, model.version, `${dataset.name}:${dataset.version}`);
      setPhase({ kind: 'running', job });
      void qc.invalidateQueries({ queryKey: jobKeys.all });
    } catch (error) {
      setPhase({ kind: 'error', error });
    }
  };

  return (
    <Stack gap="md" data-testid="images-batch">
      <Text size="sm" c="dimmed">
        Predict every image of a zip (label folders or a manifest). Unreadable images become rows with an <code>error</code> column and never stop the batch. The CSV holds the path,
        the predicted label, one probability column per label and the out-of-distribution flag.
      </Text>
      <Paper withBorder p="md" radius="md">
        <DatasetStep chosen={dataset} onChosen={setDataset} disabled={busy} />
      </Paper>
      <Group justify="flex-end">
        <Button onClick={() => void start()} disabled={!dataset || busy || model.status !== 'ready'} loading={busy} data-testid="images-batch-submit">
          Start batch prediction
        </Button>
      </Group>
      {phase.kind === 'running' && (
        <JobFollower
          key={phase.job.id}
          initial={phase.job}
          title="Batch prediction"
          runningLabel="Predicting…"
          testId="images-batch-progress"
          onFinished={() => setPhase((p) => (p.kind === 'running' ? { ...p, done: true } : p))}
        >
          {(job) => (
            <Group justify="space-between" data-testid="images-batch-done">
              <Text size="sm" data-testid="images-batch-summary">
                {batchSummary(job.result)}
              </Text>
              <DownloadButton url={batchCsvUrl(job.id)} file="predictions.csv" label="Download CSV" testId="images-batch-download" />
            </Group>
          )}
        </JobFollower>
      )}
      {phase.kind === 'error' && <ErrorAlert error={phase.error} title="Cannot start the batch prediction" />}
    </Stack>
  );
}

/** A real-time endpoint for this model, with a curl example of predict-image. */
export function ImageDeployPanel({ model }: { model: ModelVersion }) {
  const { data: endpoints } = useEndpoints();
  const qc = useQueryClient();
  const existing = (endpoints?.items ?? []).filter((e) => e.model?.name === model.name && e.model?.version === model.version);
  const suggested = endpointNameFor(model.name, model.version, (endpoints?.items ?? []).map((e) => e.name));
  const [name, setName] = useState<string | null>(null);
  const { busy, error, attempt } = useAction();
  const [created, setCreated] = useState<Endpoint | null>(null);
  const value = name ?? suggested;
  const invalid = value !== '' && !isValidEndpointName(value);
  const shown = created?.name ?? existing[0]?.name ?? value;
  const origin = typeof window === 'undefined' ? 'http://localhost:8080' : window.location.origin;

  const deploy = async () => {
    if (busy || !value || invalid) return;
    await attempt(async () => {
      const ep = await createEndpoint(value, `${model.name}:${model.version}`);
      setCreated(ep);
      await qc.invalidateQueries({ queryKey: endpointKeys.all });
    });
  };

  return (
    <Stack gap="md" data-testid="images-deploy">
      {existing.length > 0 && (
        <Text size="sm" data-testid="images-deploy-existing">
          Served by{' '}
          {existing.map((e, i) => (
            <span key={e.id}>
              {i > 0 ? ', ' : ''}
              <Anchor component={Link} to="/endpoints">
                {e.name}
              </Anchor>
            </span>
          ))}
          .
        </Text>
      )}
      <Group align="flex-end" gap="sm">
        <TextInput
          label="Endpoint name"
          value={value}
          onChange={(e) => setName(e.currentTarget.value)}
          error={invalid ? 'Letters, digits and “-”, starting with a letter or digit.' : undefined}
          disabled={busy}
          style={{ flex: 1 }}
          data-testid="images-deploy-name"
        />
        <Button onClick={() => void deploy()} loading={busy} disabled={!value || invalid || model.status !== 'ready'} data-testid="images-deploy-submit">
          Create endpoint
        </Button>
      </Group>
      {created && (
        <Text size="sm" c="teal" data-testid="images-deploy-created">
          Endpoint {created.name} is {created.status}.
        </Text>
      )}
      {error !== null && <ErrorAlert error={error} title="Cannot create the endpoint" />}
      <Stack gap={4}>
        <Text size="sm" fw={600}>
          Call it
        </Text>
        <Code block data-testid="images-deploy-curl">
          {`# multipart upload\ncurl -s -X POST ${origin}/api/v1/endpoints/${shown}/predict-image \\\n  -H "Authorization: Bearer $SAGEBRUSH_TOKEN" \\\n  -F file=@lesion.jpg\n\n# or JSON with base64\ncurl -s -X POST ${origin}/api/v1/endpoints/${shown}/predict-image \\\n  -H "Authorization: Bearer $SAGEBRUSH_TOKEN" -H 'content-type: application/json' \\\n  -d "{\\"image\\": \\"$(base64 -w0 lesion.jpg)\\"}"`}
        </Code>
        <Text size="xs" c="dimmed">
          The answer has the predicted label, calibrated probabilities (highest first) and the out-of-distribution flag. Leave out the Authorization header when the server runs without a
          token.
        </Text>
      </Stack>
    </Stack>
  );
}

/** The whole model (preprocessing, backbone, head, temperature, softmax) as one ONNX file. */
export function ImageExportPanel({ model }: { model: ModelVersion }) {
  return (
    <Stack gap="sm" data-testid="images-export">
      <Text size="sm">
        One ONNX file with everything: input <Code>image</Code> uint8 RGB <Code>[N,224,224,3]</Code> (resize the shorter side to 224 and centre-crop), output <Code>probabilities</Code>{' '}
        <Code>[N,K]</Code> (calibrated); the label names are in the model's metadata. It runs in any ONNX runtime (Python onnxruntime, onnxruntime-web, C#…).
      </Text>
      <Group>
        <DownloadButton url={exportOnnxUrl(model.name, model.version)} file={`${model.name}-v${model.version}.onnx`} label="Download ONNX" testId="images-export-download" />
      </Group>
    </Stack>
  );
}
