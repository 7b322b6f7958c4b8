/**
 * The training and test parts of a text classifier, built once and rebuilt later from what the model version
 * records: `prepareTrainTest` reads and validates the labeled data and splits it (the user's test dataset, or a
 * seeded stratified split — iterative stratification for multi-label); `rebuildModelParts` gives back the exact
 * parts a model version was trained and tested on (test rows from `split.json`), for tuning and experiments.
 */
import { AppError, type Problem } from '../../core/errors.ts';
import { iterativeTrainTestSplit, stratifiedTrainTestSplit } from '../../ml/index.ts';
import type { ModelVersion } from '../models/service.ts';
import { labelSet, toArrays } from './data.ts';
import type { TextDeps } from './deps.ts';
import type { LabeledDocument, TextFormat, TextMode } from './formats.ts';
import { loadLabeledDocs, type LabeledSource, type LoadedDocs } from './load.ts';
import { throwIfErrors, validateTestDocs, validateTrainingDocs } from './validate.ts';

export interface TrainTestRequest extends LabeledSource {
  testDataset?: string;
  testDatasetVersion?: number;
  testFraction: number;
  seed: number;
}

export interface Parts {
  train: LabeledDocument[];
  test: LabeledDocument[];
}

export interface PreparedParts {
  source: LoadedDocs;
  parts: Parts;
  splitInfo: Record<string, unknown>;
  warnings: Problem[];
}

export function splitDocs(docs: LabeledDocument[], mode: TextMode, testFraction: number, seed: number): Parts {
  const names = labelSet(docs);
  const arrays = toArrays(docs, names, mode);
  const indices = mode === 'multi-label'
    ? iterativeTrainTestSplit(arrays.labelIndices, { testSize: testFraction, seed })
    : stratifiedTrainTestSplit(arrays.labelIndices.map((l) => l[0]!), { testSize: testFraction, seed });
  return { train: Array.from(indices.train, (i) => docs[i]!), test: Array.from(indices.test, (i) => docs[i]!) };
}

/** Reads, validates (Comprehend's rules; throws on errors) and splits. */
export async function prepareTrainTest(deps: TextDeps, req: TrainTestRequest): Promise<PreparedParts> {
  const source = await loadLabeledDocs(deps, req);
  const problems = [...source.problems, ...validateTrainingDocs(source.docs, { mode: req.mode, delimiter: req.delimiter })];
  throwIfErrors(problems, 'The training data');
  const warnings = problems.filter((p) => p.severity === 'warning');
  if (req.testDataset) {
    const test = await loadLabeledDocs(deps, { ...req, dataset: req.testDataset, datasetVersion: req.testDatasetVersion });
    throwIfErrors([...test.problems, ...validateTestDocs(source.docs, test.docs)], 'The test data');
    return { source, parts: { train: source.docs, test: test.docs }, splitInfo: { kind: 'user-test-set', testDataset: req.testDataset, testDatasetVersion: test.version }, warnings };
  }
  return {
    source,
    parts: splitDocs(source.docs, req.mode, req.testFraction, req.seed),
    splitInfo: { kind: req.mode === 'multi-label' ? 'iterative-stratified' : 'stratified', testFraction: req.testFraction, seed: req.seed },
    warnings,
  };
}

/** What a text model version records about its data (`params`). */
export interface TextModelParams {
  mode: TextMode;
  delimiter: string;
  format: TextFormat;
  options: Record<string, unknown>;
  labels: string[];
  split: { kind: string; testFraction?: number; seed?: number; testDataset?: string; testDatasetVersion?: number };
  dataset: { ref: string; version: number };
  /** Parsing options given at training (absent = defaults); requestedFormat: the format asked for, when not 'auto'. */
  source?: { textColumn?: string; labelColumns?: string[]; noneLabel?: string; labelAttribute?: string; requestedFormat?: LabeledSource['format'] };
}

export interface ModelParts extends Parts {
  params: TextModelParams;
  dataset: { versionId: string; version: number };
}

/** The labeled source a model version was trained from (dataset version, format and parsing options). */
export function modelSource(params: TextModelParams): LabeledSource {
  const { requestedFormat: _f, ...options } = params.source ?? {};
  return {
    dataset: params.dataset.ref,
    datasetVersion: params.dataset.version,
    mode: params.mode,
    format: params.format,
    delimiter: params.delimiter,
    ...options,
  };
}

export async function rebuildModelParts(deps: TextDeps, model: ModelVersion): Promise<ModelParts> {
  const params = model.params as unknown as TextModelParams;
  if (!params.dataset || !params.split) {
    // Versions trained before the training source was recorded cannot be rebuilt exactly.
    throw new AppError('CONFLICT', `Model ${model.name}:${model.version} does not record the dataset version and split it was trained on, so its training data cannot be rebuilt. Retrain it (\`sagebrush text train\`) and tune the new version.`);
  }
  const source = await loadLabeledDocs(deps, modelSource(params));
  throwIfErrors(source.problems, 'The training data');
  const dataset = { versionId: source.versionId, version: source.version };
  if (params.split.kind === 'user-test-set' && params.split.testDataset) {
    // The test file was read with the format the request asked for (usually auto-detected), not the training file's.
    const test = await loadLabeledDocs(deps, { ...modelSource(params), format: params.source?.requestedFormat ?? 'auto', dataset: params.split.testDataset, datasetVersion: params.split.testDatasetVersion });
    throwIfErrors(test.problems, 'The test data');
    return { train: source.docs, test: test.docs, params, dataset };
  }
  const key = model.artifacts['split.json'];
  const recorded = key ? (JSON.parse((await deps.artifacts.get(key)).toString('utf8')) as { testRows?: number[] }) : {};
  if (Array.isArray(recorded.testRows)) {
    const testRows = new Set(recorded.testRows);
    return { train: source.docs.filter((d) => !testRows.has(d.row)), test: source.docs.filter((d) => testRows.has(d.row)), params, dataset };
  }
  return { ...splitDocs(source.docs, params.mode, params.split.testFraction ?? 0.2, params.split.seed ?? 42), params, dataset };
}
