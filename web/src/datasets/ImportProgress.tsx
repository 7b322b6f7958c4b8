import { useEffect } from 'react';
import { Anchor, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../api/client.ts';
import type { DatasetUploadAccepted, Problem } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { useJob } from '../jobs/hooks.ts';
import { datasetKeys } from './api.ts';

export function datasetPath(name: string, version?: number): string {
  return `/datasets/${encodeURIComponent(name)}${version ? `?v=${version}` : ''}`;
}

function problemsOf(result: unknown): Problem[] {
  if (result && typeof result === 'object' && Array.isArray((result as { problems?: unknown }).problems)) return (result as { problems: Problem[] }).problems;
  return [];
}

/** Follows the datasets.import job; on success opens the dataset page, on failure shows the problems. */
export function ImportProgress({ accepted, onFailed }: { accepted: DatasetUploadAccepted; onFailed?: () => void }) {
  const { dataset, version, job: initial } = accepted;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { data: job, error } = useJob(initial.id);
  const status = job?.status ?? initial.status;
  const failed = status === 'failed' || status === 'cancelled';

  useEffect(() => {
    if (failed) onFailed?.();
  }, [failed]);

  useEffect(() => {
    if (status !== 'succeeded') return;
    void qc.invalidateQueries({ queryKey: datasetKeys.all });
    navigate(datasetPath(dataset.name, version.version));
  }, [status, dataset.name, version.version, navigate, qc]);

  if (failed) {
    const jobError = job?.error;
    const err = new ApiError(0, {
      code: jobError?.code ?? (status === 'cancelled' ? 'CANCELLED' : 'IMPORT_FAILED'),
      detail: jobError?.message ?? (status === 'cancelled' ? 'The import was cancelled.' : 'The import failed.'),
    });
    // A failed import removes its version, so the problems come with the job's error.
    const problems = [...(jobError?.problems ?? []), ...problemsOf(job?.result)];
    return (
      <Stack gap="xs" data-testid="import-failed">
        <ErrorAlert error={err} title={`Import of “${dataset.name}” v${version.version} failed`} problems={problems} />
        <Text size="sm">
          <Anchor component={Link} to={`/jobs/${initial.id}`}>
            Open the job
          </Anchor>{' '}
          for its logs.
        </Text>
      </Stack>
    );
  }

  return (
    <Stack gap={6} data-testid="import-progress">
      <ProgressBar
        value={job?.progress ?? 0}
        status={status}
        label={job?.message || (status === 'queued' ? 'Waiting for a worker…' : 'Importing…')}
        data-testid="import-progress-bar"
      />
      <Text size="xs" c="dimmed">
        Job{' '}
        <Anchor component={Link} to={`/jobs/${initial.id}`} size="xs">
          {initial.id}
        </Anchor>{' '}
        · {status}
      </Text>
      {error && <ErrorAlert error={error} title="Cannot follow the import job" />}
    </Stack>
  );
}
