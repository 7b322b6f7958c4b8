import { describe, expect, it } from 'vitest';
import type { Job, ModelVersion } from '../api/types.ts';
import { jobInputs, jobOutputs, jobTitle } from './describe.ts';

const base: Job = { id: 'job_1', type: 'x', status: 'succeeded', payload: {}, result: null, error: null, progress: 1, message: '', attempts: 1, idempotent: false, cancelRequested: false, createdAt: '', startedAt: null, finishedAt: null, updatedAt: '' };

describe('job titles and outputs', () => {
  it('names a text training and links its model', () => {
    const job = { ...base, type: 'text.train', payload: { name: 'toxicity', dataset: 'jigsaw' }, result: { model: { id: 'mdl_1', name: 'toxicity', version: 2 } } };
    expect(jobTitle(job)).toBe('Train text classifier toxicity');
    expect(jobOutputs(job)).toEqual([{ kind: 'model', label: 'toxicity:2', to: '/models/toxicity/2' }]);
  });
  it('links an image build to the image model page, even when cancelled (model from the registry)', () => {
    const model = { id: 'mdl_9', name: 'ham', version: 1, kind: 'image-classifier' } as ModelVersion;
    const job = { ...base, type: 'images.train', status: 'cancelled' as const, payload: { name: 'ham', build: 'standard', modelId: 'mdl_9' } };
    expect(jobTitle(job)).toBe('Standard build of image classifier ham');
    expect(jobOutputs(job, { model: (id) => (id === 'mdl_9' ? model : undefined) })).toEqual([{ kind: 'model', label: 'ham:1', to: '/images/models/ham/1' }]);
  });
  it('names an import by dataset name and links the version; batch jobs link their files', () => {
    const job = { ...base, type: 'datasets.import', payload: { datasetId: 'ds_1', versionId: 'dsv_1' }, result: { datasetId: 'ds_1', version: 3 } };
    expect(jobTitle(job, { datasetName: () => 'topics' })).toBe('Import dataset topics v3');
    expect(jobOutputs(job, { datasetName: () => 'topics' })[0]).toEqual({ kind: 'dataset', label: 'topics v3', to: '/datasets/ds_1?v=3' });
    const batch = { ...base, type: 'text.batch', payload: { inputFileName: 'five.txt', modelId: 'mdl_1' } };
    expect(jobTitle(batch)).toBe('Batch analysis of five.txt');
    expect(jobOutputs(batch).map((o) => o.label)).toEqual(['predictions.jsonl', 'output.tar.gz']);
    expect(jobTitle({ ...base, type: 'brand.new' })).toBe('brand.new');
  });
  it('names the datasets a job reads, by name even when the payload has their ids', () => {
    const job = { ...base, type: 'text.train', payload: { name: 't', dataset: 'ds_1', testDataset: 'ds_2', testDatasetVersion: 2 } };
    const datasetName = (id: string) => ({ ds_1: 'topics', ds_2: 'topics-test' })[id];
    expect(jobInputs(job, { datasetName })).toEqual([
      { role: 'data', label: 'topics', to: '/datasets/topics' },
      { role: 'test set', label: 'topics-test v2', to: '/datasets/topics-test?v=2' },
    ]);
    expect(jobInputs({ ...base, payload: { dataset: 'jigsaw:3' } })).toEqual([{ role: 'data', label: 'jigsaw v3', to: '/datasets/jigsaw?v=3' }]);
  });
});
