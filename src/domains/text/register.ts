/**
 * Registers a trained text classifier as a model version with its artifacts: `model.bin`, `metrics.json`,
 * `split.json` (test rows) and Comprehend's `output.tar.gz`. Used by training and by experiments that keep
 * their models. A failure after the version row exists marks it failed.
 */
import type { Problem } from '../../core/errors.ts';
import type { TextClassifierModel } from '../../ml/index.ts';
import { buildOutputTarGz, comprehendConfusionMatrix } from './comprehend.ts';
import type { TextDeps } from './deps.ts';
import type { ClassificationReport } from '../classifiers/evaluate.ts';
import type { LabeledDocument, TextFormat, TextMode } from './formats.ts';
import type { LabeledSource } from './load.ts';

export interface SaveModelInput {
  name: string;
  jobId: string;
  mode: TextMode;
  source: LabeledSource;
  dataset: { versionId: string; version: number; format: TextFormat };
  classifier: TextClassifierModel;
  metrics: ClassificationReport;
  splitInfo: Record<string, unknown>;
  test: LabeledDocument[];
  nTrain: number;
  trainSeconds: number;
  warnings: Problem[];
  /** Extra params recorded with the version (e.g. an experiment's settings). */
  extraParams?: Record<string, unknown>;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function sourceOptions(s: LabeledSource): Record<string, unknown> {
  const o = { textColumn: s.textColumn, labelColumns: s.labelColumns, noneLabel: s.noneLabel, labelAttribute: s.labelAttribute, requestedFormat: s.format && s.format !== 'auto' ? s.format : undefined };
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length ? { source: kept } : {};
}

export async function saveTextModelVersion(deps: TextDeps, input: SaveModelInput) {
  const { classifier, metrics } = input;
  const labelNames = [...classifier.labelNames];
  const model = await deps.models.create({
    name: input.name,
    kind: 'text-classifier',
    datasetVersionId: input.dataset.versionId,
    jobId: input.jobId,
    params: {
      mode: input.mode, delimiter: input.source.delimiter, format: input.dataset.format, options: classifier.options, split: input.splitInfo, labels: labelNames,
      dataset: { ref: input.source.dataset, version: input.dataset.version }, ...sourceOptions(input.source), ...(input.extraParams ?? {}),
    },
  });
  try {
    const prefix = `models/${model.id}/`;
    const fullMetrics = { ...metrics, train_seconds: round3(input.trainSeconds), n_train: input.nTrain, n_test: input.test.length };
    const artifacts: Record<string, string> = {
      'model.bin': `${prefix}model.bin`,
      'metrics.json': `${prefix}metrics.json`,
      'split.json': `${prefix}split.json`,
      'output.tar.gz': `${prefix}output.tar.gz`,
    };
    // Four independent files, each fsynced before its rename: written at once, their disk waits overlap.
    await Promise.all([
      deps.artifacts.put(artifacts['model.bin']!, classifier.serialize()),
      deps.artifacts.put(artifacts['metrics.json']!, JSON.stringify(fullMetrics, null, 2)),
      deps.artifacts.put(artifacts['split.json']!, JSON.stringify({ ...input.splitInfo, testRows: input.test.map((d) => d.row) })),
      buildOutputTarGz({
        'output/confusion_matrix.json': comprehendConfusionMatrix(input.mode, labelNames, metrics.confusion_matrix),
        'output/metrics.json': fullMetrics,
      }).then((tarGz) => deps.artifacts.put(artifacts['output.tar.gz']!, tarGz)),
    ]);
    const { confusion_matrix: _cm, ...summary } = fullMetrics;
    await deps.models.markReady(model.id, { metrics: summary, artifacts, meta: { warnings: input.warnings } });
    return { model: { id: model.id, name: model.name, version: model.version }, metrics: fullMetrics };
  } catch (err) {
    await deps.models.markFailed(model.id);
    throw err;
  }
}
