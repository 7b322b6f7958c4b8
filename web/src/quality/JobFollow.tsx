import type { ReactNode } from 'react';
import { Anchor, Stack } from '@mantine/core';
import { Link } from 'react-router';
import type { Job } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { useJob } from '../jobs/hooks.ts';

/** Follows a job (SSE or polling): a progress bar while it runs, the error when it fails, `children(result)` once it succeeded. */
export function JobFollow<T>({ jobId, label, testId, children }: { jobId: string; label: string; testId: string; children: (result: T, job: Job) => ReactNode }) {
  const { data: job, error } = useJob(jobId);
  const status = job?.status ?? 'queued';
  if (job && status === 'succeeded' && job.result) return <>{children(job.result as T, job)}</>;
  if (status === 'failed' || status === 'cancelled') {
    return (
      <Stack gap={4} data-testid={`${testId}-failed`}>
        <ErrorAlert error={new Error(job?.error?.message ?? `The job ${status}.`)} title={`${label}: ${job?.error?.code ?? status}`} problems={job?.error?.problems} />
        <Anchor component={Link} to={`/jobs/${jobId}`} size="sm">
          Open the job
        </Anchor>
      </Stack>
    );
  }
  return (
    <Stack gap={4} data-testid={`${testId}-progress`}>
      <ProgressBar value={job?.progress ?? 0} status={status} label={job?.message || (status === 'queued' ? 'Waiting for a worker…' : `${label}…`)} />
      {error && <ErrorAlert error={error} title="Cannot follow the job" />}
    </Stack>
  );
}
