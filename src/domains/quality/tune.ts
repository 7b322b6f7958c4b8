/**
 * The `text.tune` job: rebuild the model version's training and test parts, score the training part out of
 * fold (k-fold with the model's own options; iterative stratification for multi-label), choose the decision rule
 * on those scores (per-label thresholds, or an abstain level for multi-class), measure before/after on the test
 * split (never used for choosing), store the rule in `meta.decision` and the report as artifacts
 * (`tuning-report.json`, `tuning-report.html`, `pr-curves.svg`), and reload the cached model so endpoints and
 * batch jobs apply the rule at once.
 */
import { AppError } from '../../core/errors.ts';
import type { JobContext } from '../../jobs/types.ts';
import { column, precisionRecallCurve, predictTexts, resolveTextClassifierOptions, trainTextClassifier } from '../../ml/index.ts';
import {
  curveAveragePrecision, downsampleCurve, kFoldAssignment, outOfFoldScores, pointAt, selectiveCurve, tuneAbstain, tuneThresholds,
} from '../../ml/diagnostics/index.ts';
import { reportHtml, reportSvg, type OperatingPoint, type ReportCurve, type TuningReport } from '../classifiers/tuningReport.ts';
import { toArrays } from '../text/data.ts';
import { classificationReport, decideClasses, type ClassificationReport } from '../classifiers/evaluate.ts';
import { rebuildModelParts } from '../text/parts.ts';
import { yieldToLoop, type QualityDeps } from './deps.ts';
import { resolveObjective, type TunePayload } from './schema.ts';
import { tuneOffsets } from './offsets.ts';
import { gridOutOfFold, saveRefit, type GridOutOfFold } from './tuneC.ts';
import { COMBINER_C, foldStack, stackBases, stackOutOfFold, type StackOutOfFold } from './tuneStack.ts';
import { bagThresholds, smoothThresholds } from './thresholdRules.ts';

export interface TuneResult {
  model: { id: string; name: string; version: number };
  objective: string;
  folds: number;
  thresholds: Record<string, number> | null;
  abstainBelow: number | null;
  /** multi-class with an F objective: per-class score offsets chosen on the out-of-fold scores (null: plain argmax won). */
  offsets: Record<string, number> | null;
  before: ClassificationReport;
  after: ClassificationReport;
  tuneSeconds: number;
  /**
   * With cGrid: the refitted version's C per label (the C chosen out of fold × (k−1)/k), each grid value's mean
   * out-of-fold objective, and the version tuned (model is the refitted new one).
   */
  labelC?: Record<string, number>;
  labelClassWeight?: Record<string, 'none' | 'balanced'>;
  cGrid?: { C: number; classWeight: 'none' | 'balanced'; meanObjective: number }[];
  refittedFrom?: { id: string; version: number };
  /** With stack: the combiner's bases and C, and the out-of-fold mean ROC AUC before/after it (cross-fitted). */
  stack?: { bases: string[]; combinerC: number };
}

export const REPORT_ARTIFACTS = { json: 'tuning-report.json', html: 'tuning-report.html', svg: 'pr-curves.svg' } as const;

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const point = (p: { precision: number; recall: number }, threshold: number): OperatingPoint => ({ threshold, precision: r4(p.precision), recall: r4(p.recall) });

/** Per row: the raw score of the class argmax(score + offset) picks, and whether that class is right. */
function decided(scores: Float32Array, truth: Uint8Array, n: number, offsets: number[] | null): { confidence: Float32Array; correct: Uint8Array } {
  const picked = decideClasses(scores, n, offsets ? { offsets } : {});
  const confidence = Float32Array.from(picked, (c, i) => scores[i * n + c]!), correct = Uint8Array.from(picked, (c, i) => truth[i * n + c]!);
  return { confidence, correct };
}

function selectivePoint(scores: Float32Array, truth: Uint8Array, n: number, abstainBelow: number | null, offsets: number[] | null): { precision: number; recall: number } {
  const decided = decideClasses(scores, n, { abstainBelow, ...(offsets ? { offsets } : {}) });
  let answered = 0, correct = 0;
  decided.forEach((c, i) => {
    if (c < 0) return;
    answered++;
    if (truth[i * n + c]) correct++;
  });
  return { precision: answered ? correct / answered : 0, recall: decided.length ? correct / decided.length : 0 };
}

export async function runTuneJob(deps: QualityDeps, ctx: JobContext<TunePayload>): Promise<TuneResult> {
  const p = ctx.job.payload;
  const { objective, name: objectiveName } = resolveObjective(p.objective, p.beta);
  const model = await deps.models.getById(p.modelId);
  if (model.status !== 'ready') throw new AppError('CONFLICT', `Model ${model.name}:${model.version} is ${model.status}; tune it once its training job has finished.`);
  await ctx.progress(0.01, 'rebuilding the training and test parts');
  const parts = await rebuildModelParts(deps, model);
  const { mode, labels } = parts.params;
  const n = labels.length;
  const train = toArrays(parts.train, labels, mode);
  const test = toArrays(parts.test, labels, mode);
  ctx.signal.throwIfAborted();

  const started = performance.now();
  const folds = kFoldAssignment(train.labelIndices, mode, p.folds, p.seed);
  const options = parts.params.options;
  const onFold = async (done: number, k: number) => {
    await ctx.progress(0.05 + (0.8 * done) / k, `fold ${done} of ${k} done`);
    await yieldToLoop();
  };
  let grid: GridOutOfFold | null = null;
  // stackEncoder: the sentence embeddings of the training part (once, for every fold and the refit) and of the test
  // part (kept in this thread's encoder cache for the refit's metrics and the measurement), on every scoring core
  let embeddings: Float32Array | null = null;
  if (p.stack && p.stackEncoder) {
    const all = train.texts.length + test.texts.length;
    const onProgress = (from: number) => (done: number) => ctx.progress(0.01 + (0.04 * (from + done)) / all, `embedding the training and test parts: ${from + done} of ${all} texts`);
    embeddings = await deps.embed(train.texts, { signal: ctx.signal, onProgress: onProgress(0) });
    await deps.embed(test.texts, { signal: ctx.signal, onProgress: onProgress(train.texts.length) });
  }
  if (p.cGrid?.length || p.stack) {
    const own = resolveTextClassifierOptions(options as never);
    const settings = p.cGrid?.length
      ? p.cGrid.flatMap((C) => (p.balancedGrid ? (['none', 'balanced'] as const) : (['none'] as const)).map((classWeight) => ({ C, classWeight })))
      : [{ C: own.C, classWeight: own.classWeight }];
    // the grid replaces any per-label setting the version was trained with (e.g. a version an earlier grid refitted)
    grid = await gridOutOfFold({ ...train, labels, options: { ...options, labelC: null, labelClassWeight: null }, folds, k: p.folds, grid: settings, objective, nbWords: p.stack && p.stackNbWords, nbChars: p.stack && p.stackNbChars, caseChars: p.stack && p.stackCaseChars, encoder: embeddings, signal: ctx.signal, onFold });
  }
  // with stack: the thresholds are chosen on the combiner's cross-fitted scores
  const stack: StackOutOfFold | null = grid && p.stack ? stackOutOfFold(grid, train.truth, n, folds, p.folds, p.stackAllC, p.stackShape ? train.texts : null, embeddings) : null;
  const oof = stack ? stack.scores : grid ? grid.scores : await outOfFoldScores({
    nRows: train.texts.length, nLabels: n, folds, k: p.folds, signal: ctx.signal,
    fitPredict: (tr, te, f) => {
      const clf = trainTextClassifier({
        texts: Array.from(tr, (i) => train.texts[i]!), labels: Array.from(tr, (i) => train.labelIndices[i]!), labelNames: labels, mode, options, signal: ctx.signal,
      });
      void ctx.progress(0.05 + (0.8 * (f + 0.9)) / p.folds, `fold ${f + 1} of ${p.folds}: scoring ${te.length} held-out documents`);
      return clf.predict(Array.from(te, (i) => train.texts[i]!));
    },
    onFold,
  });

  let thresholds: Float64Array | null = null;
  let abstainBelow: number | null = null;
  let offsets: number[] | null = null;
  const validation: TuningReport['validation'] = {};
  if (mode === 'multi-label') {
    const t = tuneThresholds(oof, train.truth, n, objective);
    thresholds = t.thresholds;
    labels.forEach((l, j) => {
      const c = t.labels[j]!.choice;
      validation[l] = c ? { threshold: r4(c.threshold), precision: r4(c.precision), recall: r4(c.recall), f: r4(c.f) } : null;
    });
    if (p.smoothing > 0 && objective.kind === 'f-beta') smoothThresholds(thresholds, oof, train.truth, labels, { kind: 'smoothed', window: p.smoothing, beta: objective.beta ?? 1 }, validation);
    if (p.thresholdBags > 0) bagThresholds(thresholds, oof, train.truth, labels, p.thresholdBags, p.seed, validation);
  } else {
    // F objectives: first per-class offsets maximising macro F-beta out of fold, then the abstain level on the
    // decisions they make (confidence = the chosen class's raw score, as decideClasses compares it)
    if (objective.kind === 'f-beta') offsets = tuneOffsets(oof, train.truth, n, objective.beta ?? 1).offsets;
    const d = decided(oof, train.truth, n, offsets);
    const a = tuneAbstain(d.confidence, d.correct, 1, objective);
    abstainBelow = a.abstainBelow;
    validation.answered = a.choice ? { threshold: r4(a.choice.threshold), precision: r4(a.choice.precision), recall: r4(a.choice.recall), f: r4(a.choice.f) } : null;
  }
  ctx.signal.throwIfAborted();
  // with a C grid the decision belongs to the model refitted at the chosen per-label C (a new version)
  if (grid) await ctx.progress(0.86, stack ? 'refitting the whole training part and folding the combiner in' : 'refitting the whole training part with the chosen C per label');
  // the fold models saw (k−1)/k of the rows: the refit keeps their regularisation per row (C·(k−1)/k), so its
  // scores sit where the thresholds were chosen (nested on train: +0.0005 to +0.0016 macro F1 on GoEmotions)
  const refitC = grid?.labelC.map((c) => (c * (p.folds - 1)) / p.folds);
  const stackInfo = stack ? { bases: stackBases(stack), combinerC: COMBINER_C } : null;
  const refit = stack ? { finish: (clf: Parameters<typeof foldStack>[0], texts: readonly string[], y: readonly (readonly number[])[]) => foldStack(clf, texts, y, stack, p.folds), by: 'text.tune stack', extraParams: { tuneStack: { ...stackInfo, folds: p.folds } } } : {};
  const target = refitC ? await saveRefit(deps, ctx.job.id, model, parts, refitC, grid!.labelClassWeight, ctx.signal, refit) : model;
  const tuneSeconds = (performance.now() - started) / 1000;

  await ctx.progress(0.88, `measuring on the ${parts.test.length} test documents`);
  const predictor = await deps.predictor(target.id);
  const scores = await predictTexts(predictor.classifier, test.texts);
  const before = classificationReport(mode, labels, scores, test.truth);
  const after = mode === 'multi-label'
    ? classificationReport(mode, labels, scores, test.truth, thresholds!)
    : classificationReport(mode, labels, scores, test.truth, undefined, { abstainBelow, ...(offsets ? { offsets } : {}) });

  const curves: ReportCurve[] = [];
  if (mode === 'multi-label') {
    labels.forEach((l, j) => {
      const y = column(test.truth, n, j), s = column(scores, n, j);
      const curve = precisionRecallCurve(y, s);
      const t = thresholds![j]!;
      curves.push({ label: l, ...downsampleCurve(curve, 200, [t, 0.5]), average_precision: r4(curveAveragePrecision(curve)), chosen: point(pointAt(y, s, t), t), baseline: point(pointAt(y, s, 0.5), 0.5) });
    });
  } else {
    const d = decided(scores, test.truth, n, offsets);
    const curve = selectiveCurve(d.confidence, d.correct, 1);
    const keep = abstainBelow === null ? [] : [abstainBelow];
    curves.push({
      label: 'answered (top class)', ...downsampleCurve(curve, 200, keep), average_precision: r4(curveAveragePrecision(curve)),
      chosen: point(selectivePoint(scores, test.truth, n, abstainBelow, offsets), abstainBelow ?? 0), baseline: point(selectivePoint(scores, test.truth, n, null, null), 0),
    });
  }

  const tunedAt = new Date().toISOString();
  const source = `oof-${p.folds}fold`;
  // multi-label: which rule picked the thresholds from the out-of-fold scores (kept with the decision: provenance)
  const thresholdRule = mode !== 'multi-label' ? null
    : p.thresholdBags > 0 ? `mean logit of the F-best thresholds of ${p.thresholdBags} bootstrap resamples (seed ${p.seed})`
      : p.smoothing > 0 && objective.kind === 'f-beta' ? `F averaged over ±${p.smoothing} × each label's positives`
        : 'first maximum';
  // Exact values (not rounded): a rounded threshold would flip documents scoring right at it.
  const thresholdMap = thresholds ? Object.fromEntries(labels.map((l, j) => [l, thresholds![j]!])) : null;
  const { confusion_matrix: _b, ...beforeSummary } = before;
  const { confusion_matrix: _a, ...afterSummary } = after;
  const report: TuningReport = {
    kind: 'tuning-report', model: { id: target.id, name: target.name, version: target.version, kind: target.kind }, mode, labels, objective: objectiveName, source, folds: p.folds,
    tunedAt, tuneSeconds: Math.round(tuneSeconds * 1000) / 1000, nTrain: parts.train.length, nTest: parts.test.length,
    thresholds: thresholdMap, abstainBelow, validation, before: beforeSummary, after: afterSummary, curves,
  };
  const svg = reportSvg(report);
  const prefix = `models/${target.id}/`;
  const keys = { [REPORT_ARTIFACTS.json]: `${prefix}${REPORT_ARTIFACTS.json}`, [REPORT_ARTIFACTS.html]: `${prefix}${REPORT_ARTIFACTS.html}`, [REPORT_ARTIFACTS.svg]: `${prefix}${REPORT_ARTIFACTS.svg}` };
  await deps.artifacts.put(keys[REPORT_ARTIFACTS.json]!, JSON.stringify(report, null, 2));
  await deps.artifacts.put(keys[REPORT_ARTIFACTS.html]!, reportHtml(report, svg));
  await deps.artifacts.put(keys[REPORT_ARTIFACTS.svg]!, svg);
  const decision = mode === 'multi-label'
    ? { thresholds: Array.from(thresholds!), objective: objectiveName, tunedAt, source, thresholdRule }
    : { abstainBelow, offsets, objective: objectiveName, tunedAt, source };
  const fresh = await deps.models.getById(target.id);
  await deps.models.markReady(target.id, { metrics: fresh.metrics, artifacts: { ...fresh.artifacts, ...keys }, meta: { decision } });
  await deps.reload(target.id);
  await ctx.progress(1, 'done');
  return {
    model: { id: target.id, name: target.name, version: target.version }, objective: objectiveName, folds: p.folds,
    ...(stackInfo ? { stack: stackInfo } : {}),
    ...(grid ? { labelC: Object.fromEntries(labels.map((l, j) => [l, refitC![j]!])), labelClassWeight: Object.fromEntries(labels.map((l, j) => [l, grid!.labelClassWeight[j]!])), cGrid: grid.perC, refittedFrom: { id: model.id, version: model.version } } : {}),
    thresholds: thresholdMap, ...(thresholdRule ? { thresholdRule } : {}), abstainBelow: report.abstainBelow, offsets: offsets && Object.fromEntries(labels.map((l, j) => [l, offsets![j]!])), before, after, tuneSeconds: report.tuneSeconds,
  };
}
