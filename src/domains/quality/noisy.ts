/**
 * The `text.noisy-labels` job: out-of-fold scores for every row of a labeled dataset version (k-fold with the
 * classifier's options), per-label thresholds tuned on those scores (multi-label), and the rows ranked by how
 * strongly the model disagrees with their given labels (src/ml/diagnostics/noisy.ts). Each result row carries the
 * 1-based source row that `POST /datasets/{id}/versions/{n}/edits` takes to fix or drop it.
 */
import type { JobContext } from '../../jobs/types.ts';
import { trainTextClassifier } from '../../ml/index.ts';
import { kFoldAssignment, outOfFoldScores, rankLabelIssues, tuneThresholds } from '../../ml/diagnostics/index.ts';
import { labelSet, toArrays } from '../text/data.ts';
import type { TextDeps } from '../text/deps.ts';
import { loadLabeledDocs } from '../text/load.ts';
import { throwIfErrors, validateTrainingDocs } from '../text/validate.ts';
import { yieldToLoop } from './deps.ts';
import type { NoisyLabelsRequest } from './schema.ts';

export interface NoisyRow {
  row: number;
  text: string;
  labels: string[];
  suggested: string[];
  score: number;
  /** The label the model disagrees with most. */
  label: string;
}

export interface NoisyLabelsResult {
  dataset: { id: string; version: number };
  mode: 'multi-class' | 'multi-label';
  n_rows: number;
  folds: number;
  thresholds: Record<string, number> | null;
  rows: NoisyRow[];
  seconds: number;
}

const TEXT_CHARS = 300;
const truncate = (s: string) => (s.length > TEXT_CHARS ? `${s.slice(0, TEXT_CHARS - 1)}…` : s);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export async function runNoisyLabelsJob(deps: TextDeps, ctx: JobContext<NoisyLabelsRequest>): Promise<NoisyLabelsResult> {
  const req = ctx.job.payload;
  await ctx.progress(0.01, 'reading the data');
  const source = await loadLabeledDocs(deps, req);
  throwIfErrors([...source.problems, ...validateTrainingDocs(source.docs, { mode: req.mode, delimiter: req.delimiter })], 'The data');
  const docs = source.docs;
  const labels = labelSet(docs);
  const n = labels.length;
  const data = toArrays(docs, labels, req.mode);
  const started = performance.now();
  const folds = kFoldAssignment(data.labelIndices, req.mode, req.folds, req.seed);
  const oof = await outOfFoldScores({
    nRows: docs.length, nLabels: n, folds, k: req.folds, signal: ctx.signal,
    fitPredict: (tr, te) => trainTextClassifier({
      texts: Array.from(tr, (i) => data.texts[i]!), labels: Array.from(tr, (i) => data.labelIndices[i]!), labelNames: labels, mode: req.mode, options: req.options, signal: ctx.signal,
    }).predict(Array.from(te, (i) => data.texts[i]!)),
    onFold: async (done, k) => {
      await ctx.progress(0.05 + (0.85 * done) / k, `fold ${done} of ${k} done`);
      await yieldToLoop();
    },
  });
  const thresholds = req.mode === 'multi-label' ? tuneThresholds(oof, data.truth, n, { kind: 'f-beta', beta: 1 }).thresholds : undefined;
  const issues = rankLabelIssues(oof, data.truth, n, req.mode, { top: req.top, thresholds });
  await ctx.progress(1, 'done');
  return {
    dataset: { id: source.versionId, version: source.version }, mode: req.mode, n_rows: docs.length, folds: req.folds,
    thresholds: thresholds ? Object.fromEntries(labels.map((l, j) => [l, r4(thresholds[j]!)])) : null,
    rows: issues.map((it) => {
      const d = docs[it.index]!;
      return { row: d.row, text: truncate(d.text), labels: d.labels, suggested: it.suggested.map((j) => labels[j]!), score: r4(it.score), label: labels[it.worstLabel]! };
    }),
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
