/**
 * The `text.train` job: read and validate the labeled data (Comprehend's rules), split it (the user's
 * test file, or a seeded stratified split — iterative stratification for multi-label), train, evaluate
 * on the test part, and register a model version with its artifacts (model.bin, metrics.json,
 * split.json, Comprehend-style output.tar.gz).
 */
import { AppError, type Problem } from '../../core/errors.ts';
import type { JobContext } from '../../jobs/types.ts';
import { iterativeTrainTestSplit, stratifiedTrainTestSplit, trainTextClassifier } from '../../ml/index.ts';
import { buildOutputTarGz, comprehendConfusionMatrix } from './comprehend.ts';
import { labelSet, toArrays } from './data.ts';
import { classificationReport } from './evaluate.ts';
import type { LabeledDocument } from './formats.ts';
import type { TrainRequest } from './schema.ts';
import type { TextDeps } from './deps.ts';
import { loadLabeledDocs } from './load.ts';
import { validateTestDocs, validateTrainingDocs } from './validate.ts';

export interface TrainResult {
  model: { id: string; name: string; version: number };
  metrics: ReturnType<typeof classificationReport>;
  train_seconds: number;
  warnings: Problem[];
}

/** Throws one AppError for all validation errors; its code is the rule's when a single rule is broken. */
export function throwIfErrors(problems: Problem[], what: string): void {
  const errors = problems.filter((p) => p.severity !== 'warning');
  if (errors.length === 0) return;
  const codes = [...new Set(errors.map((p) => p.code).filter((c): c is string => Boolean(c)))];
  const code = codes.length === 1 && isKnownCode(codes[0]!) ? codes[0]! : 'TEXT_VALIDATION_FAILED';
  throw new AppError(code as 'TEXT_VALIDATION_FAILED', `${what} failed validation: ${errors[0]!.row !== undefined ? `row ${errors[0]!.row}: ` : ''}${errors[0]!.problem}${errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : ''}.`, { problems });
}

function isKnownCode(code: string): boolean {
  return /^TEXT_[A-Z_]+$/.test(code);
}

function split(docs: LabeledDocument[], req: TrainRequest): { train: LabeledDocument[]; test: LabeledDocument[] } {
  const names = labelSet(docs);
  const arrays = toArrays(docs, names, req.mode);
  const indices = req.mode === 'multi-label'
    ? iterativeTrainTestSplit(arrays.labelIndices, { testSize: req.testFraction, seed: req.seed })
    : stratifiedTrainTestSplit(arrays.labelIndices.map((l) => l[0]!), { testSize: req.testFraction, seed: req.seed });
  return { train: Array.from(indices.train, (i) => docs[i]!), test: Array.from(indices.test, (i) => docs[i]!) };
}

export async function runTrainJob(deps: TextDeps, ctx: JobContext<TrainRequest>): Promise<TrainResult> {
  const req = ctx.job.payload;
  await ctx.progress(0.01, 'reading training data');
  const source = await loadLabeledDocs(deps, req);
  const problems = [...source.problems, ...validateTrainingDocs(source.docs, { mode: req.mode, delimiter: req.delimiter })];
  throwIfErrors(problems, 'The training data');
  const allWarnings = problems.filter((p) => p.severity === 'warning');

  let parts: { train: LabeledDocument[]; test: LabeledDocument[] };
  let splitInfo: Record<string, unknown>;
  if (req.testDataset) {
    const test = await loadLabeledDocs(deps, { ...req, dataset: req.testDataset, datasetVersion: req.testDatasetVersion });
    throwIfErrors([...test.problems, ...validateTestDocs(source.docs, test.docs)], 'The test data');
    parts = { train: source.docs, test: test.docs };
    splitInfo = { kind: 'user-test-set', testDataset: req.testDataset, testDatasetVersion: test.version };
  } else {
    parts = split(source.docs, req);
    splitInfo = { kind: req.mode === 'multi-label' ? 'iterative-stratified' : 'stratified', testFraction: req.testFraction, seed: req.seed };
  }
  ctx.signal.throwIfAborted();
  await ctx.progress(0.05, `training on ${parts.train.length} documents`);

  const labelNames = labelSet(parts.train);
  const train = toArrays(parts.train, labelNames, req.mode);
  const started = performance.now();
  let lastReport = 0;
  const classifier = trainTextClassifier({
    texts: train.texts,
    labels: train.labelIndices,
    labelNames,
    mode: req.mode,
    options: req.options,
    signal: ctx.signal,
    onProgress: (f, message) => {
      const now = performance.now();
      if (now - lastReport > 200) {
        lastReport = now;
        void ctx.progress(0.05 + 0.8 * f, message);
      }
    },
  });
  const trainSeconds = (performance.now() - started) / 1000;
  ctx.signal.throwIfAborted();
  await ctx.progress(0.88, `evaluating on ${parts.test.length} documents`);

  const test = toArrays(parts.test, labelNames, req.mode);
  const metrics = classificationReport(req.mode, labelNames, classifier.predict(test.texts), test.truth);
  const model = await deps.models.create({
    name: req.name,
    kind: 'text-classifier',
    datasetVersionId: source.versionId,
    jobId: ctx.job.id,
    params: { mode: req.mode, delimiter: req.delimiter, format: source.format, options: classifier.options, split: splitInfo, labels: labelNames, dataset: { ref: req.dataset, version: source.version } },
  });
  try {
    const prefix = `models/${model.id}/`;
    const fullMetrics = { ...metrics, train_seconds: round3(trainSeconds), n_train: parts.train.length, n_test: parts.test.length };
    const artifacts: Record<string, string> = {
      'model.bin': `${prefix}model.bin`,
      'metrics.json': `${prefix}metrics.json`,
      'split.json': `${prefix}split.json`,
      'output.tar.gz': `${prefix}output.tar.gz`,
    };
    await deps.artifacts.put(artifacts['model.bin']!, classifier.serialize());
    await deps.artifacts.put(artifacts['metrics.json']!, JSON.stringify(fullMetrics, null, 2));
    await deps.artifacts.put(artifacts['split.json']!, JSON.stringify({ ...splitInfo, testRows: parts.test.map((d) => d.row) }));
    await deps.artifacts.put(artifacts['output.tar.gz']!, await buildOutputTarGz({
      'output/confusion_matrix.json': comprehendConfusionMatrix(req.mode, labelNames, metrics.confusion_matrix),
      'output/metrics.json': fullMetrics,
    }));
    const { confusion_matrix: _cm, ...summary } = fullMetrics;
    await deps.models.markReady(model.id, { metrics: summary, artifacts, meta: { warnings: allWarnings } });
    await ctx.progress(1, 'done');
    return { model: { id: model.id, name: model.name, version: model.version }, metrics: fullMetrics, train_seconds: round3(trainSeconds), warnings: allWarnings };
  } catch (err) {
    await deps.models.markFailed(model.id);
    throw err;
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
