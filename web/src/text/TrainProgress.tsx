import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import type { Job, TrainJobResult } from '../api/types.ts';
import { JobProgress } from '../components/JobProgress.tsx';
import { modelKeys, modelPath } from '../models/api.ts';

function modelOf(result: unknown): TrainJobResult['model'] | null {
  const m = result && typeof result === 'object' ? (result as { model?: unknown }).model : null;
  return m && typeof m === 'object' && typeof (m as { name?: unknown }).name === 'string' ? (m as TrainJobResult['model']) : null;
}

/** Follows a text.train job: progress while it runs, the model page when it succeeds, the problems when it fails. */
export function TrainProgress({ initial, name, onDone }: { initial: Job; name: string; onDone: (ok: boolean) => void }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const succeeded = (job: Job) => {
    const model = modelOf(job.result);
    if (!model) return;
    void qc.invalidateQueries({ queryKey: modelKeys.all });
    onDone(true);
    navigate(modelPath(model.name, model.version));
  };
  return (
    <JobProgress
      initial={initial}
      runningLabel="Training…"
      doneLabel="Done — opening the model…"
      testIds={{ running: 'train-progress', failed: 'train-failed', bar: 'train-progress-bar' }}
      failedTitle={() => `Training “${name}” failed`}
      fallback={{ code: 'TRAINING_FAILED', detail: 'The training failed.', cancelled: 'The training was cancelled.' }}
      failedHint=" for its logs. Fix the data or the settings, then train again."
      followErrorTitle="Cannot follow the training job"
      onSucceeded={succeeded}
      onFinished={(ok) => !ok && onDone(false)}
    />
  );
}
