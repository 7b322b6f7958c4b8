import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import type { DatasetUploadAccepted, Problem } from '../api/types.ts';
import { JobProgress } from '../components/JobProgress.tsx';
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
  const succeeded = () => {
    void qc.invalidateQueries({ queryKey: datasetKeys.all });
    navigate(datasetPath(dataset.name, version.version));
  };
  return (
    <JobProgress
      initial={initial}
      runningLabel="Importing…"
      testIds={{ running: 'import-progress', failed: 'import-failed', bar: 'import-progress-bar' }}
      failedTitle={() => `Import of “${dataset.name}” v${version.version} failed`}
      fallback={{ code: 'IMPORT_FAILED', detail: 'The import failed.', cancelled: 'The import was cancelled.' }}
      // A failed import removes its version, so the problems come with the job's error and result.
      extraProblems={(job) => problemsOf(job?.result)}
      followErrorTitle="Cannot follow the import job"
      onSucceeded={succeeded}
      onFinished={(ok) => !ok && onFailed?.()}
    />
  );
}
