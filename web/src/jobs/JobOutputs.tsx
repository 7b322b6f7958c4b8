import { useMemo, useState } from 'react';
import { Anchor, Group, Text } from '@mantine/core';
import { Link } from 'react-router';
import { authDownloadClick } from '../api/download.ts';
import type { Job } from '../api/types.ts';
import { useDatasets } from '../datasets/api.ts';
import { useModels } from '../models/api.ts';
import { jobOutputs, type JobLookups } from './describe.ts';

/** Dataset names and model versions by id, from the lists the app already caches. */
export function useJobLookups(): JobLookups {
  const { data: datasets } = useDatasets();
  const { data: models } = useModels();
  return useMemo(() => {
    const names = new Map((datasets?.items ?? []).map((d) => [d.id, d.name]));
    const byId = new Map((models?.items ?? []).map((m) => [m.id, m]));
    return { datasetName: (id) => names.get(id), model: (id) => byId.get(id) };
  }, [datasets, models]);
}

const KIND_WORD = { dataset: 'dataset', model: 'model', file: 'file' } as const;

/** Links to what a job produced: the dataset version, the model version, the files to download. */
export function JobOutputs({ job, lookups, withKind = false, prefix }: { job: Job; lookups: JobLookups; withKind?: boolean; prefix?: string }) {
  const [, setError] = useState<unknown>(null);
  const outputs = jobOutputs(job, lookups);
  if (outputs.length === 0) return prefix ? null : <Text size="sm" c="dimmed">—</Text>;
  return (
    <Group gap="xs" wrap="wrap" data-testid="job-outputs">
      {prefix && (
        <Text span size="sm" c="dimmed">
          {prefix}
        </Text>
      )}
      {outputs.map((o) => (
        <Text key={`${o.kind}:${o.label}`} size="sm" span>
          {withKind && (
            <Text span size="xs" c="dimmed" tt="uppercase" fw={600} mr={4}>
              {KIND_WORD[o.kind]}
            </Text>
          )}
          {o.to ? (
            <Anchor component={Link} to={o.to} size="sm" onClick={(e) => e.stopPropagation()} data-testid="job-output" data-kind={o.kind}>
              {o.label}
            </Anchor>
          ) : (
            <Anchor href={o.href} download={o.label} size="sm" onClick={(e) => { e.stopPropagation(); authDownloadClick(o.href!, o.label, setError)(e); }} data-testid="job-output" data-kind={o.kind}>
              ↓ {o.label}
            </Anchor>
          )}
        </Text>
      ))}
    </Group>
  );
}
