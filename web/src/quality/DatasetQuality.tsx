import type { ReactNode } from 'react';
import { Loader, Text } from '@mantine/core';
import type { ModelVersion } from '../api/types.ts';
import type { DataFields } from './api.ts';
import { ExperimentsPanel } from './ExperimentsPanel.tsx';
import { NoisyLabelsPanel } from './NoisyLabelsPanel.tsx';
import { useDataFields } from './useDataFields.ts';

type SectionFn = (title: string, testId: string, hint: string, body: ReactNode) => ReactNode;

/** Experiments and noisy labels on the dataset the model was trained on (same mode and format options). */
export function DatasetQuality({ model, section }: { model: ModelVersion; section: SectionFn }) {
  const { fields, datasetName, pending } = useDataFields(model);
  const body = (f: (fields: DataFields) => ReactNode) => (pending ? <Loader size="sm" /> : fields ? f(fields) : <Text c="dimmed">The training job of this version is gone: its dataset is unknown.</Text>);
  return (
    <>
      {section('Experiments', 'model-experiments', 'how much data, how many positives', body((fl) => <ExperimentsPanel model={model} fields={fl} datasetName={datasetName ?? fl.dataset} />))}
      {section('Noisy labels', 'model-noisy-labels', 'rows whose labels the model disagrees with', body((fl) => <NoisyLabelsPanel model={model} fields={fl} datasetName={datasetName ?? fl.dataset} />))}
    </>
  );
}
