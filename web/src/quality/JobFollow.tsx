import type { ReactNode } from 'react';
import type { Job } from '../api/types.ts';
import { JobProgress } from '../components/JobProgress.tsx';

/** Follows a job (SSE or polling): a progress bar while it runs, the error when it fails, `children(result)` once it succeeded. */
export function JobFollow<T>({ jobId, label, testId, children }: { jobId: string; label: string; testId: string; children: (result: T, job: Job) => ReactNode }) {
  return (
    <JobProgress
      initial={{ id: jobId }}
      runningLabel={`${label}…`}
      testIds={{ running: `${testId}-progress`, failed: `${testId}-failed` }}
      failedTitle={(status, job) => `${label}: ${job?.error?.code ?? status}`}
      failedHint=""
      jobLine={false}
      replaceOnSuccess
    >
      {(job) => children(job.result as T, job)}
    </JobProgress>
  );
}
