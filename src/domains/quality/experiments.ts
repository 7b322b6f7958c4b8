/**
 * Quality experiments on a fixed test split (jobs `text.sweep` and `text.learning-curve`):
 * - sweep: one label's positives in the training part limited (seeded, nested subsamples) or augmented
 *   (duplicates; or balanced class weights with method 'class-weight') to each N; that label's precision,
 *   recall, F1 and AUC plus macro/micro F1 per N, and a chart. `keepModels` registers every model trained.
 * - learning curve: macro F1, micro F1 and mean AUC against the fraction of the training part used (nested,
 *   stratified subsets), and a chart.
 * Both split once (the user's test dataset or a seeded split, like training), report progress per point and stop
 * between points (and inside training) when cancelled.
 */
import { AppError } from '../../core/errors.ts';
import type { JobContext } from '../../jobs/types.ts';
import { trainTextClassifier, type TextClassifierOptions } from '../../ml/index.ts';
import { nestedFractions, resamplePositives } from '../../ml/diagnostics/index.ts';
import { lineChartSvg } from '../classifiers/charts.ts';
import { labelSet, toArrays, type LabeledArrays } from '../text/data.ts';
import type { TextDeps } from '../text/deps.ts';
import { classificationReport } from '../classifiers/evaluate.ts';
import type { TextMode } from '../text/formats.ts';
import { prepareTrainTest } from '../text/parts.ts';
import { saveTextModelVersion } from '../text/register.ts';
import { yieldToLoop } from './deps.ts';
import type { LearningCurveRequest, SweepRequest } from './schema.ts';

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r3 = (x: number) => Math.round(x * 1e3) / 1e3;

export interface SweepPoint {
  n: number;
  /** Distinct positive documents in the training part for this point (≤ n; = n unless there were fewer). */
  positives_unique: number;
  /** Positive documents trained on, duplicates included. */
  positives_trained: number;
  precision: number;
  recall: number;
  f1: number;
  auc: number | null;
  macro_f1: number;
  micro_f1: number;
  n_train: number;
  train_seconds: number;
  model?: { id: string; name: string; version: number };
}

export interface SweepResult {
  label: string;
  method: 'oversample' | 'class-weight';
  dataset: { id: string; version: number };
  n_train: number;
  n_test: number;
  available_positives: number;
  test_positives: number;
  points: SweepPoint[];
  chartSvg: string;
}

export interface LearningCurvePoint {
  fraction: number;
  n_train: number;
  macro_f1: number;
  micro_f1: number;
  mean_auc: number | null;
  train_seconds: number;
}

export interface LearningCurveResult {
  dataset: { id: string; version: number };
  n_train: number;
  n_test: number;
  points: LearningCurvePoint[];
  chartSvg: string;
}

function fitAndScore(train: LabeledArrays, rows: ArrayLike<number>, labels: string[], mode: TextMode, options: Partial<TextClassifierOptions>, test: LabeledArrays, signal: AbortSignal) {
  const started = performance.now();
  const idx = Array.from(rows);
  const classifier = trainTextClassifier({ texts: idx.map((i) => train.texts[i]!), labels: idx.map((i) => train.labelIndices[i]!), labelNames: labels, mode, options, signal });
  const seconds = (performance.now() - started) / 1000;
  const metrics = classificationReport(mode, labels, classifier.predict(test.texts), test.truth);
  return { classifier, metrics, seconds };
}

/** Reads and splits the data once, as training does: the parts, their label set and their arrays. */
async function prepareExperiment<R extends SweepRequest | LearningCurveRequest>(deps: TextDeps, ctx: JobContext<R>) {
  const req = ctx.job.payload;
  await ctx.progress(0.01, 'reading and splitting the data');
  const prepared = await prepareTrainTest(deps, req);
  const { parts } = prepared;
  const labels = labelSet(parts.train);
  return { prepared, parts, labels, train: toArrays(parts.train, labels, req.mode), test: toArrays(parts.test, labels, req.mode) };
}

export async function runSweepJob(deps: TextDeps, ctx: JobContext<SweepRequest>): Promise<SweepResult> {
  const req = ctx.job.payload;
  const { prepared, parts, labels, train, test } = await prepareExperiment(deps, ctx);
  const target = labels.indexOf(req.label);
  if (target < 0) {
    throw new AppError('TEXT_UNKNOWN_LABEL', `The training part has no label ${JSON.stringify(req.label)}; its labels are ${labels.join(', ')}.`, {
      problems: [{ field: 'label', problem: `unknown label ${JSON.stringify(req.label)}`, fix: `Use one of: ${labels.join(', ')}.` }],
    });
  }
  const all = Int32Array.from(train.texts.keys());
  const sizes = [...new Set(req.positives)].sort((a, b) => a - b);
  const options = { ...req.options, ...(req.method === 'class-weight' ? { classWeight: 'balanced' as const } : {}) };
  const name = req.name ?? `${req.dataset}-sweep-${req.label}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  const points: SweepPoint[] = [];
  let available = 0;
  for (const [k, n] of sizes.entries()) {
    await yieldToLoop();
    ctx.signal.throwIfAborted();
    await ctx.progress(0.05 + (0.9 * k) / sizes.length, `N = ${n}: training (${k + 1} of ${sizes.length})`);
    const rs = resamplePositives(all, train.labelIndices, target, n, { duplicate: req.method === 'oversample', seed: req.seed });
    available = rs.available;
    const { classifier, metrics, seconds } = fitAndScore(train, rs.rows, labels, req.mode, options, test, ctx.signal);
    const m = metrics.per_label[req.label]!;
    const pt: SweepPoint = {
      n, positives_unique: rs.uniquePositives, positives_trained: rs.positives, precision: m.precision, recall: m.recall, f1: m.f1, auc: m.auc,
      macro_f1: metrics.macro_f1, micro_f1: metrics.micro_f1, n_train: rs.rows.length, train_seconds: r3(seconds),
    };
    if (req.keepModels) {
      const sub = Array.from(rs.rows, (i) => parts.train[i]!);
      const saved = await saveTextModelVersion(deps, {
        name, jobId: ctx.job.id, mode: req.mode, source: req, dataset: { versionId: prepared.source.versionId, version: prepared.source.version, format: prepared.source.format },
        classifier, metrics, splitInfo: prepared.splitInfo, test: parts.test, nTrain: sub.length, trainSeconds: seconds, warnings: prepared.warnings,
        extraParams: { experiment: { kind: 'sweep', jobId: ctx.job.id, label: req.label, n, method: req.method, positivesUnique: rs.uniquePositives } },
      });
      pt.model = saved.model;
    }
    points.push(pt);
    await ctx.log(`N = ${n}: ${req.label} precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)}, F1 ${m.f1.toFixed(3)}; macro F1 ${metrics.macro_f1.toFixed(3)}`);
  }
  const testPositives = test.labelIndices.filter((ls) => ls.includes(target)).length;
  const chartSvg = lineChartSvg({
    title: `${req.label}: quality vs positives in training (${req.method})`,
    subtitle: `${req.dataset} · ${parts.train.length} training / ${parts.test.length} test documents · ${available} ${req.label} positives available, ${testPositives} in test`,
    xLabel: `${req.label} positives in training (N, log scale)`, yLabel: 'score on the test split', xScale: 'log',
    series: [
      { name: `${req.label} F1`, points: points.map((p) => ({ x: p.n, y: p.f1 })) },
      { name: `${req.label} precision`, points: points.map((p) => ({ x: p.n, y: p.precision })) },
      { name: `${req.label} recall`, points: points.map((p) => ({ x: p.n, y: p.recall })) },
      { name: 'macro F1', points: points.map((p) => ({ x: p.n, y: p.macro_f1 })), dashed: true },
    ],
  });
  await ctx.progress(1, 'done');
  return {
    label: req.label, method: req.method, dataset: { id: prepared.source.versionId, version: prepared.source.version }, n_train: parts.train.length, n_test: parts.test.length,
    available_positives: available, test_positives: testPositives, points, chartSvg,
  };
}

export async function runLearningCurveJob(deps: TextDeps, ctx: JobContext<LearningCurveRequest>): Promise<LearningCurveResult> {
  const req = ctx.job.payload;
  const { prepared, parts, labels, train, test } = await prepareExperiment(deps, ctx);
  const fractions = [...new Set(req.fractions)].sort((a, b) => a - b);
  const subsets = nestedFractions(train.labelIndices, req.mode, fractions, req.seed);
  const points: LearningCurvePoint[] = [];
  for (const [k, f] of fractions.entries()) {
    await yieldToLoop();
    ctx.signal.throwIfAborted();
    const rows = subsets[k]!;
    await ctx.progress(0.05 + (0.9 * k) / fractions.length, `fraction ${f}: training on ${rows.length} documents`);
    const { metrics, seconds } = fitAndScore(train, rows, labels, req.mode, req.options, test, ctx.signal);
    points.push({ fraction: f, n_train: rows.length, macro_f1: metrics.macro_f1, micro_f1: metrics.micro_f1, mean_auc: metrics.mean_auc, train_seconds: r3(seconds) });
    await ctx.log(`fraction ${f} (${rows.length} documents): macro F1 ${metrics.macro_f1.toFixed(3)}, micro F1 ${metrics.micro_f1.toFixed(3)}, mean AUC ${metrics.mean_auc?.toFixed(3) ?? '–'}`);
  }
  const chartSvg = lineChartSvg({
    title: 'Learning curve: quality vs training data',
    subtitle: `${req.dataset} · ${req.mode} · up to ${parts.train.length} training documents · ${parts.test.length} fixed test documents`,
    xLabel: 'fraction of the training part', yLabel: 'score on the test split',
    series: [
      { name: 'macro F1', points: points.map((p) => ({ x: p.fraction, y: p.macro_f1 })) },
      { name: 'micro F1', points: points.map((p) => ({ x: p.fraction, y: p.micro_f1 })) },
      { name: 'mean AUC', points: points.map((p) => ({ x: p.fraction, y: p.mean_auc })), dashed: true },
    ],
  });
  await ctx.progress(1, 'done');
  return { dataset: { id: prepared.source.versionId, version: prepared.source.version }, n_train: parts.train.length, n_test: parts.test.length, points: points.map((p) => ({ ...p, macro_f1: r4(p.macro_f1) })), chartSvg };
}
