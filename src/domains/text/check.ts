/**
 * A dry run of the training data checks: reads a dataset version the way `text.train` would (format, mode,
 * delimiter, columns) and applies Comprehend's rules (validate.ts) without training, so the UI can say
 * "too few documents per class" before the user presses Train. The same code path as training: a version
 * that passes here passes the training job's validation.
 */
import type { Problem } from '../../core/errors.ts';
import type { TextDeps } from './deps.ts';
import type { TextFormat, TextMode } from './formats.ts';
import { loadLabeledDocs } from './load.ts';
import type { TrainingCheckRequest } from './schema.ts';
import { labelCounts, validateTestDocs, validateTrainingDocs } from './validate.ts';

export interface TrainingCheck {
  /** true when training would pass validation (warnings allowed). */
  ok: boolean;
  dataset: { ref: string; version: number };
  mode: TextMode;
  format: TextFormat;
  documents: number;
  labels: Array<{ label: string; count: number }>;
  errors: number;
  warnings: number;
  /** errors first, then warnings; each with row/field, the problem and the fix. */
  problems: Problem[];
}

export async function checkTrainingData(deps: TextDeps, req: TrainingCheckRequest): Promise<TrainingCheck> {
  const source = await loadLabeledDocs(deps, req);
  const problems = [...source.problems, ...validateTrainingDocs(source.docs, { mode: req.mode, delimiter: req.delimiter })];
  if (req.testDataset) {
    const test = await loadLabeledDocs(deps, { ...req, dataset: req.testDataset, datasetVersion: req.testDatasetVersion });
    problems.push(...test.problems, ...validateTestDocs(source.docs, test.docs));
  }
  const isError = (p: Problem) => p.severity !== 'warning';
  const errors = problems.filter(isError);
  const labels = [...labelCounts(source.docs)].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
  return {
    ok: errors.length === 0,
    dataset: { ref: req.dataset, version: source.version },
    mode: req.mode,
    format: source.format,
    documents: source.docs.length,
    labels,
    errors: errors.length,
    warnings: problems.length - errors.length,
    problems: [...errors, ...problems.filter((p) => !isError(p))],
  };
}
