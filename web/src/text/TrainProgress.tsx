import { useEffect } from 'react';
import { Anchor, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../api/client.ts';
import type { Job, TrainJobResult } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { useJob } from '../jobs/hooks.ts';
import { modelKeys, modelPath } from '../models/api.ts';

function modelOf(result: unknown): TrainJobResult['model'] | null {
  const m = result && typeof result === 'object' ? (result as { model?: unknown }).model : null;
  return m && typeof m === 'object' && typeof (m as { name?: unknown }).name === 'string' ? (m as TrainJobResult['model']) : null;
}

/** Follows a text.train job: progress while it runs, the model page when it succeeds, the problems when it fails. */
export function TrainProgress({ initial, name, onDone }: { initial: Job; name: string; onDone: (ok: boolean) => void }) {
  const { data: job, error } = useJob(initial.id);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const status = job?.status ?? initial.status;
  const failed = status === 'failed' || status === 'cancelled';
  const model = modelOf(job?.result);

  useEffect(() => {
    if (failed) onDone(false);
  }, [failed]);

  useEffect(() => {
    if (status !== 'succeeded' || !model) return;
    void qc.invalidateQueries({ queryKey: modelKeys.all });
    onDone(true);
    navigate(modelPath(model.name, model.version));
  }, [status, model?.name, model?.version]);

  if (failed) {
    const e = job?.error;
    const err = new ApiError(0, {
      code: e?.code ?? (status === 'cancelled' ? 'CANCELLED' : 'TRAINING_FAILED'),
      detail: e?.message ?? (status === 'cancelled' ? 'The training was cancelled.' : 'The training failed.'),
      problems: e?.problems ?? [],
    });
    return (
      <Stack gap="xs" data-testid="train-failed">
        <ErrorAlert error={err} title={`Training “${name}” failed`} />
        <Text size="sm">
          <Anchor component={Link} to={`/jobs/${initial.id}`}>
            Open the job
          </Anchor>{' '}
          for its logs. Fix the data or the settings, then train again.
        </Text>
      </Stack>
    );
  }

  return (
    <Stack gap={6} data-testid="train-progress">
      <ProgressBar
        value={job?.progress ?? 0}
        status={status}
        label={job?.message || (status === 'queued' ? 'Waiting for a worker…' : status === 'succeeded' ? 'Done — opening the model…' : 'Training…')}
        data-testid="train-progress-bar"
      />
      <Text size="xs" c="dimmed">
        Job{' '}
        <Anchor component={Link} to={`/jobs/${initial.id}`} size="xs">
          {initial.id}
        </Anchor>{' '}
        · {status}
      </Text>
      {error && <ErrorAlert error={error} title="Cannot follow the training job" />}
    </Stack>
  );
}
