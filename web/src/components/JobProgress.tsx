/**
 * The one job follower of the UI (imports, training, image builds and batches, tuning, experiments): live status
 * (SSE with polling fallback, jobs/hooks.ts), a progress bar with the server's message, optionally the job line
 * with an extrapolated time left and Cancel, and the job's error with its problems when it fails.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { ApiError } from '../api/client.ts';
import type { Job, JobStatus, Problem } from '../api/types.ts';
import { cancelJob, useJob } from '../jobs/hooks.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { etaSeconds, formatSeconds } from './format.ts';
import { ProgressBar } from './ProgressBar.tsx';

export interface JobProgressProps {
  /** The job as the start request answered it, or only its id. */
  initial: Job | { id: string; status?: JobStatus };
  /** Bar label while it runs (after "Waiting for a worker…" while queued). */
  runningLabel: string;
  /** Bar label once it succeeded. */
  doneLabel?: string;
  /** Test ids: the running block, the failed block, the bar. */
  testIds: { running: string; failed: string; bar?: string };
  /** Title of the failure alert. */
  failedTitle: (status: JobStatus, job: Job | undefined) => string;
  /** Code and detail of the failure alert when the job has no error of its own. */
  fallback?: { code: string; detail: string; cancelled: string };
  /** Problems besides the job error's (e.g. the ones its result lists). */
  extraProblems?: (job: Job | undefined) => Problem[];
  /** After "Open the job" in the failure block. */
  failedHint?: string;
  /** The "Job id · status" line under the bar (with the time left and a Cancel button when `cancellable`). */
  jobLine?: boolean;
  cancellable?: boolean;
  followErrorTitle?: string;
  onSucceeded?: (job: Job) => void;
  onFinished?: (ok: boolean) => void;
  /** Shown once the job succeeded: under the bar, or instead of it with `replaceOnSuccess`. */
  children?: (job: Job) => ReactNode;
  replaceOnSuccess?: boolean;
}

/** Milliseconds now, ticking every second while `active`, so the time left moves between job events. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function CancelButton({ jobId, testId, onError }: { jobId: string; testId: string; onError: (err: unknown) => void }) {
  const [cancelling, setCancelling] = useState(false);
  const cancel = () => {
    setCancelling(true);
    cancelJob(jobId)
      .catch(onError)
      .finally(() => setCancelling(false));
  };
  return (
    <Button size="xs" variant="default" color="red" loading={cancelling} data-testid={`${testId}-cancel`} onClick={cancel}>
      Cancel
    </Button>
  );
}

export function JobProgress(props: JobProgressProps) {
  const { initial, runningLabel, doneLabel = 'Done', testIds, failedTitle, fallback, extraProblems, failedHint = ' for its logs.', jobLine = true, cancellable, children, replaceOnSuccess } = props;
  const { data: job, error } = useJob(initial.id);
  const current: Partial<Job> = job ?? initial;
  const status: JobStatus = job?.status ?? initial.status ?? 'queued';
  const running = status === 'queued' || status === 'running';
  const failed = status === 'failed' || status === 'cancelled';
  const now = useNow(running && Boolean(cancellable));
  const [cancelError, setCancelError] = useState<unknown>(null);
  const done = useRef(false);
  // A live event flips the status before the job is read again in full: success counts once the result is there.
  const succeeded = status === 'succeeded' && job?.finishedAt ? job : null;

  useEffect(() => {
    if (done.current) return;
    if (succeeded) {
      done.current = true;
      props.onFinished?.(true);
      props.onSucceeded?.(succeeded);
    } else if (failed) {
      done.current = true;
      props.onFinished?.(false);
    }
  }, [status, succeeded]);

  if (failed) {
    const e = job?.error;
    const err = new ApiError(0, {
      code: e?.code ?? (status === 'cancelled' ? 'CANCELLED' : (fallback?.code ?? 'JOB_FAILED')),
      detail: e?.message ?? (status === 'cancelled' ? (fallback?.cancelled ?? 'The job was cancelled.') : (fallback?.detail ?? 'The job failed.')),
      problems: e?.problems ?? [],
    });
    return (
      <Stack gap="xs" data-testid={testIds.failed} data-status={status}>
        <ErrorAlert error={err} title={failedTitle(status, job)} problems={extraProblems?.(job)} />
        <Text size="sm">
          <Anchor component={Link} to={`/jobs/${initial.id}`}>
            Open the job
          </Anchor>
          {failedHint}
        </Text>
      </Stack>
    );
  }

  if (succeeded && replaceOnSuccess && children) return <>{children(succeeded)}</>;
  const eta = running && cancellable ? etaSeconds(current.progress ?? 0, current.startedAt, now) : null;
  return (
    <Stack gap={6} data-testid={testIds.running} data-status={status}>
      <ProgressBar
        value={current.progress ?? 0}
        status={status}
        label={current.message || (status === 'queued' ? 'Waiting for a worker…' : status === 'succeeded' ? doneLabel : runningLabel)}
        data-testid={testIds.bar}
      />
      {jobLine && (
        <Group justify="space-between" gap="xs">
          <Text size="xs" c="dimmed" data-testid={`${testIds.running}-eta`}>
            Job{' '}
            <Anchor component={Link} to={`/jobs/${initial.id}`} size="xs">
              {initial.id}
            </Anchor>{' '}
            · {status}
            {eta !== null ? ` · about ${formatSeconds(eta)} left` : ''}
          </Text>
          {running && cancellable && <CancelButton jobId={initial.id} testId={testIds.running} onError={setCancelError} />}
        </Group>
      )}
      {succeeded && children?.(succeeded)}
      {cancelError !== null && <ErrorAlert error={cancelError} title="Cannot cancel the job" />}
      {error && <ErrorAlert error={error} title={props.followErrorTitle ?? 'Cannot follow the job'} />}
    </Stack>
  );
}
