/**
 * Saving a trained text model in two steps (issue 17): the version row, model.bin and split.json are written while
 * the training job evaluates, the metrics files after. The artifacts must be exactly those the one-step save writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTextClassifier } from '../../ml/index.ts';
import { classificationReport } from '../classifiers/evaluate.ts';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { labelSet, toArrays } from './data.ts';
import type { TextDeps } from './deps.ts';
import { parseLabeledText } from './formats.ts';
import { saveTextModelVersion, startTextModelVersion, type SaveModelInput } from './register.ts';
import { multiLabelCsv } from './testing/synthetic.ts';

describe('startTextModelVersion', () => {
  let t: TestApp;
  let deps: TextDeps;
  let input: SaveModelInput;
  beforeAll(async () => {
    t = await createTestApp({}, { worker: false });
    deps = { artifacts: t.ctx.artifacts, models: t.ctx.services.models } as unknown as TextDeps;
    const docs = parseLabeledText(multiLabelCsv(120), { mode: 'multi-label' }).docs;
    const [train, test] = [docs.slice(0, 90), docs.slice(90)];
    const names = labelSet(train);
    const a = toArrays(train, names, 'multi-label');
    const classifier = trainTextClassifier({ texts: a.texts, labels: a.labelIndices, labelNames: names, mode: 'multi-label', options: { maxEpochs: 2 } });
    const b = toArrays(test, names, 'multi-label');
    const metrics = classificationReport('multi-label', names, classifier.predict(b.texts), b.truth);
    input = {
      name: 'two-step', jobId: 'job-1', mode: 'multi-label', source: { dataset: 'd', mode: 'multi-label', delimiter: '|', format: 'auto' },
      dataset: { versionId: 'dv-1', version: 1, format: 'comprehend-csv' }, classifier, metrics, splitInfo: { kind: 'user-test-set' }, test, nTrain: train.length, trainSeconds: 0.5, warnings: [],
    };
  });
  afterAll(async () => t.close());

  const files = async (id: string) => Object.fromEntries(await Promise.all(['model.bin', 'metrics.json', 'split.json', 'output.tar.gz'].map(async (f) => [f, await deps.artifacts.get(`models/${id}/${f}`)] as const)));

  it('writes model.bin and split.json before the metrics are known, then the same files as the one-step save', async () => {
    const { metrics, ...early } = input;
    const draft = await startTextModelVersion(deps, early);
    const row = await deps.models.resolve('two-step:1');
    expect(row.status).toBe('training');
    // model.bin lands while the caller still evaluates (finish not called yet)
    for (let i = 0; i < 200 && !(await deps.artifacts.exists(`models/${row.id}/model.bin`)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await deps.artifacts.exists(`models/${row.id}/model.bin`)).toBe(true);
    expect(await deps.artifacts.exists(`models/${row.id}/metrics.json`)).toBe(false);
    const saved = await draft.finish(metrics);
    expect((await deps.models.resolve('two-step:1')).status).toBe('ready');

    const once = await saveTextModelVersion(deps, input);
    expect(once.metrics).toEqual(saved.metrics);
    const [a, b] = await Promise.all([files(saved.model.id), files(once.model.id)]);
    expect(a['model.bin']!.equals(input.classifier.serialize())).toBe(true);
    for (const f of Object.keys(a)) expect(a[f]!.equals(b[f]!), f).toBe(true);
  });

  it('marks the version failed when the evaluation fails', async () => {
    const { metrics: _m, ...early } = input;
    const draft = await startTextModelVersion(deps, { ...early, name: 'two-step-failed' });
    await draft.fail();
    expect((await deps.models.resolve('two-step-failed:1')).status).toBe('failed');
  });
});
