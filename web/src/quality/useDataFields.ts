import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Job, ModelVersion } from '../api/types.ts';
import { useDataset } from '../datasets/api.ts';
import { jobKeys } from '../jobs/hooks.ts';
import { dataFieldsOf, type DataFields } from './api.ts';

/** The dataset fields (name, version, mode, format options) the model was trained with, from its training job. */
export function useDataFields(model: ModelVersion): { fields: DataFields | null; datasetName: string | null; pending: boolean } {
  const { data: job, isPending } = useQuery({
    queryKey: jobKeys.one(model.jobId ?? ''),
    queryFn: ({ signal }) => api<Job>(`/jobs/${encodeURIComponent(model.jobId!)}`, { signal }),
    enabled: Boolean(model.jobId),
    staleTime: Infinity,
  });
  const payload = (job?.payload ?? null) as Record<string, unknown> | null;
  const name = typeof payload?.dataset === 'string' ? payload.dataset : '';
  const { data: dataset } = useDataset(name, Boolean(name));
  const version = dataset?.versions.find((v) => v.id === model.datasetVersionId)?.version;
  const fields = dataFieldsOf(model, payload, version);
  return { fields, datasetName: dataset?.name ?? (name || null), pending: Boolean(model.jobId) && isPending };
}
