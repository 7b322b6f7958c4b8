/**
 * The `images.train` job (quick or standard build): read and check the images, embed them with the frozen
 * backbone (cached), split train/test stratified by label and group-aware when a group column is given, pick
 * the head by grouped CV on the training part, calibrate it (temperature on out-of-fold logits), evaluate it
 * on the held-out test part, add a grouped k-fold CV over the whole dataset (the steadier figure on small
 * data), fit the out-of-distribution scorer, and register the artifacts on the model version created when the
 * build was requested. A failure marks that version failed, a user's cancel marks it cancelled.
 */
import type { Problem } from '../../core/errors.ts';
import type { JobContext } from '../../jobs/types.ts';
import { expectedCalibrationError, fitTemperature, temperatureProba } from '../../ml/calibration.ts';
import { fitOod } from '../../ml/neighbors.ts';
import { applyStandardizer } from '../../ml/preprocess/standardize.ts';
import { stratifiedGroupKFold, stratifiedGroupSplit } from '../../ml/split/group.ts';
import { loadImageDataset, readImageBytes } from './data.ts';
import type { ImagesDeps } from './deps.ts';
import { imageMetrics, quickScores, r4, summariseFolds, type CvSummary, type ImageMetrics } from './evaluate.ts';
import { evalRows, fitHead, headLogits, oofLogits, testCopies, trainRows, type Candidate, type ImageFeatures } from './fit.ts';
import { FEATURE_LAYERS } from './pixels/embedder.ts';
import { buildPlan } from './plan.ts';
import { saveImageModel, type StoredHead } from './store.ts';
import type { ImageFeatureKind, TrainJobPayload } from './schema.ts';
import { checkImages, checkLabels, throwIfLabelErrors } from './validate.ts';

export interface TriedCandidate {
  name: string;
  C: number;
  views: string[];
  augment: number;
  train_on: string;
  /** C ensemble members (heads averaged); absent: the single C. */
  ensemble_C?: number[];
  /** Augmented copies averaged into each prediction row with the views (test-time augmentation). */
  test_copies: number;
  cv_balanced_accuracy: number;
  cv_macro_f1: number;
  seconds: number;
}

export interface TrainReport {
  build: string;
  /** Backbone layer the head was trained on, and its width. */
  features: { kind: ImageFeatureKind; dim: number; backboneId: string; layers: string };
  split: { kind: 'stratified-group' | 'stratified'; groupColumn: string | null; labelColumn: string | null; seed: number; testFraction: number; train: number; test: number; groupsTrain: number; groupsTest: number };
  tried: TriedCandidate[];
  chosen: string;
  /** The chosen head in words: standardise + class-balanced softmax, its C (or averaged C ensemble), training and prediction rows. */
  head: { model: string; C: number; ensembleC: number[] | null; trainRows: string; predictRows: string };
  selection: string;
  train_seconds: number;
  embed_seconds: number;
  embed_images_per_second: number;
  images: number;
  skipped: number;
  warnings: Problem[];
}

export type FullMetrics = ImageMetrics & { cv: CvSummary; calibration: { temperature: number; ece_before: number; ece_after: number; nll_before: number; nll_after: number } };

export interface TrainResult {
  model: { id: string; name: string; version: number };
  metrics: FullMetrics;
  report: TrainReport;
  train_seconds: number;
  warnings: Problem[];
}

const SEED_AUGMENT = 17;

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  return seconds < 90 ? ` · ~${Math.ceil(seconds)} s left` : ` · ~${Math.ceil(seconds / 60)} min left`;
}

function nFoldsFor(groups: readonly string[], wanted: number): number {
  return Math.max(2, Math.min(wanted, new Set(groups).size));
}

export async function runTrainJob(deps: ImagesDeps, ctx: JobContext<TrainJobPayload>): Promise<TrainResult> {
  const p = ctx.job.payload;
  try {
    return await train(deps, ctx);
  } catch (err) {
    // A user's cancel is recorded as such on the version (the job itself ends `cancelled` in the queue).
    const cancelled = ctx.signal.aborted && (await deps.queue.get(ctx.job.id).catch(() => undefined))?.cancelRequested === true;
    await (cancelled ? deps.models.markCancelled(p.modelId) : deps.models.markFailed(p.modelId)).catch(() => undefined);
    throw err;
  }
}

async function train(deps: ImagesDeps, ctx: JobContext<TrainJobPayload>): Promise<TrainResult> {
  const p = ctx.job.payload;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  await ctx.progress(0.01, 'reading the dataset');
  const ds = await loadImageDataset(deps, p.dataset, { labelColumn: p.labelColumn, groupColumn: p.groupColumn });
  const labelled = ds.records.filter((r) => r.label !== null);
  const firstCheck = checkLabels(ds.records, { minImagesPerLabel: p.minImagesPerLabel, groupColumn: p.groupColumn, labelColumn: p.labelColumn });
  throwIfLabelErrors(firstCheck);
  const bytes = await readImageBytes(deps, ds, labelled.map((r) => r.path), ctx.signal);
  await ctx.progress(0.03, `checking ${labelled.length} images`);
  const checked = await checkImages(labelled, bytes, ctx.signal);
  bytes.clear();

  // Embeddings (cached per image and view): the long step, with an ETA.
  const plan = buildPlan(p.build);
  const featureKind = p.features ?? 'pooled';
  const embedder = deps.embedder(featureKind);
  const embedStart = performance.now();
  let lastReport = 0;
  const embedErrors: Problem[] = [];
  const unique = new Map(checked.ok.map((c) => [c.key, c.bytes]));
  const vectors = await embedder.embed([...unique].map(([key, body]) => ({ key, load: async () => body })), {
    views: plan.views,
    ...(plan.augment > 0 ? { augment: { copies: plan.augment, seed: p.seed * 1000 + SEED_AUGMENT } } : {}),
    signal: ctx.signal,
    onError: (key, error) => embedErrors.push({ severity: 'warning', code: error.code, field: checked.ok.find((c) => c.key === key)?.record.path ?? key, problem: `${error.message}; skipped`, fix: 'Re-export the image as JPEG or PNG, or remove it.' }),
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - lastReport < 250 && done < total) return;
      lastReport = now;
      const elapsed = (now - embedStart) / 1000;
      const rate = done / Math.max(1e-3, elapsed);
      void ctx.progress(0.05 + (0.55 * done) / Math.max(1, total), `embedding ${done}/${total} images (${plan.views.length} views${plan.augment ? ` + ${plan.augment} augmented copies` : ''}) · ${rate.toFixed(1)} images/s${eta((total - done) / rate)}`);
    },
  });
  const embedSeconds = (performance.now() - embedStart) / 1000;
  unique.clear();
  const usable = checked.ok.filter((c) => vectors.has(c.key));
  const imageWarnings = [...checked.warnings, ...embedErrors];
  const records = usable.map((c) => c.record);
  const check = checkLabels(records, { minImagesPerLabel: p.minImagesPerLabel, groupColumn: p.groupColumn, labelColumn: p.labelColumn });
  throwIfLabelErrors(check);
  const warnings: Problem[] = [...check.warnings, ...imageWarnings];
  ctx.signal.throwIfAborted();

  const labels = check.labels.map((l) => l.label);
  const k = labels.length;
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const y = Int32Array.from(records.map((r) => labelIndex.get(r.label!)!));
  const groups = records.map((r) => (p.groupColumn ? (r.group ?? `\u0000row${r.index}`) : `\u0000row${r.index}`));
  const features: ImageFeatures = {
    viewNames: plan.views,
    dim: embedder.dim,
    items: usable.map((c) => {
      const v = vectors.get(c.key)!;
      return { views: v.slice(0, plan.views.length), aug: v.slice(plan.views.length) };
    }),
  };

  // Held-out test split (stratified, group-aware) and model selection by grouped CV on the training part.
  const split = stratifiedGroupSplit(y, groups, p.testFraction, p.seed);
  const trainIdx = split.train;
  const testIdx = split.test;
  const yTrain = Int32Array.from(trainIdx, (i) => y[i]!);
  const groupsTrain = Array.from(trainIdx, (i) => groups[i]!);
  const selFolds = stratifiedGroupKFold(yTrain, groupsTrain, nFoldsFor(groupsTrain, p.folds), p.seed);
  const tried: TriedCandidate[] = [];
  let best: { c: Candidate; logits: Float64Array; ba: number; f1: number } | undefined;
  const selStart = performance.now();
  for (const [ci, c] of plan.candidates.entries()) {
    ctx.signal.throwIfAborted();
    const avg = ci === 0 ? NaN : (performance.now() - selStart) / 1000 / ci;
    await ctx.progress(0.6 + (0.3 * ci) / plan.candidates.length, `cross-validating ${c.name} (${ci + 1}/${plan.candidates.length})${eta(avg * (plan.candidates.length - ci) + avg)}`);
    const t0 = performance.now();
    const logits = oofLogits(features, trainIdx, y, selFolds, k, c, ctx.signal);
    const s = quickScores(logits, yTrain, k);
    tried.push({ name: c.name, C: c.C, views: c.views, augment: c.augment, train_on: c.trainOn, ...(c.Cs ? { ensemble_C: [...c.Cs] } : {}), test_copies: testCopies(c), cv_balanced_accuracy: r4(s.balancedAccuracy), cv_macro_f1: r4(s.macroF1), seconds: r4((performance.now() - t0) / 1000) });
    // Ties go to the earlier (cheaper, more regularised) candidate.
    if (!best || s.balancedAccuracy + 0.5 * s.macroF1 > best.ba + 0.5 * best.f1 + 1e-9) best = { c, logits, ba: s.balancedAccuracy, f1: s.macroF1 };
  }
  const chosen = best!;
  const temp = fitTemperature(chosen.logits, yTrain, trainIdx.length, k);

  await ctx.progress(0.9, `fitting ${chosen.c.name} on ${trainIdx.length} images; testing on ${testIdx.length}`);
  const rows = trainRows(features, trainIdx, y, chosen.c);
  const head = fitHead(rows.X, rows.y, rows.n, features.dim, k, chosen.c.Cs ?? chosen.c.C);
  const yTest = Int32Array.from(testIdx, (i) => y[i]!);
  const copies = testCopies(chosen.c);
  const testLogits = headLogits(head, evalRows(features, testIdx, chosen.c.views, copies), testIdx.length);
  const testProba = temperatureProba(testLogits, testIdx.length, k, temp.temperature);
  const metrics = imageMetrics(labels, testProba, yTest);

  // Repeated grouped k-fold CV over the whole dataset with the chosen settings.
  ctx.signal.throwIfAborted();
  await ctx.progress(0.93, `grouped ${p.folds}-fold cross-validation over all ${records.length} images, ${p.cvRepeats} fold seed(s)`);
  const all = Int32Array.from(records, (_, i) => i);
  const perFold: CvSummary['per_fold'] = [];
  const accuracies: number[] = [];
  const pooled: CvSummary['pooled'] = [];
  let nFolds = 0;
  for (let rep = 0; rep < p.cvRepeats; rep++) {
    const cvFolds = stratifiedGroupKFold(y, groups, nFoldsFor(groups, p.folds), p.seed + rep);
    nFolds = Math.max(...cvFolds) + 1;
    const cvLogits = oofLogits(features, all, y, cvFolds, k, chosen.c, ctx.signal);
    const whole = quickScores(cvLogits, y, k);
    pooled.push({ seed: p.seed + rep, balanced_accuracy: whole.balancedAccuracy, macro_f1: whole.macroF1 });
    for (let f = 0; f < nFolds; f++) {
      const pos = [...cvFolds.keys()].filter((i) => cvFolds[i] === f);
      if (pos.length === 0) continue;
      const sub = new Float64Array(pos.length * k);
      pos.forEach((i, j) => sub.set(cvLogits.subarray(i * k, (i + 1) * k), j * k));
      const s = quickScores(sub, Int32Array.from(pos, (i) => y[i]!), k);
      perFold.push({ balanced_accuracy: s.balancedAccuracy, macro_f1: s.macroF1, n: pos.length });
      accuracies.push(s.accuracy);
    }
  }
  const cv = summariseFolds(perFold, accuracies, pooled, nFolds);

  // Out-of-distribution scorer and nearest-neighbour index on the standardised training features.
  const trainFeatures = applyStandardizer(head.standardizer, evalRows(features, trainIdx, chosen.c.views, copies), trainIdx.length);
  const ood = fitOod(trainFeatures, trainIdx.length, features.dim);
  const trainSeconds = seconds();
  const full: FullMetrics = {
    ...metrics,
    cv,
    calibration: {
      temperature: r4(temp.temperature),
      ece_before: r4(expectedCalibrationError(temperatureProba(testLogits, testIdx.length, k, 1), yTest, testIdx.length, k)),
      ece_after: r4(expectedCalibrationError(testProba, yTest, testIdx.length, k)),
      nll_before: r4(temp.nllBefore),
      nll_after: r4(temp.nllAfter),
    },
  };
  const report: TrainReport = {
    build: p.build,
    features: { kind: featureKind, dim: embedder.dim, backboneId: embedder.backboneId, layers: FEATURE_LAYERS[featureKind] },
    split: {
      kind: p.groupColumn ? 'stratified-group' : 'stratified',
      groupColumn: p.groupColumn ?? null,
      labelColumn: p.labelColumn ?? null,
      seed: p.seed,
      testFraction: p.testFraction,
      train: trainIdx.length,
      test: testIdx.length,
      groupsTrain: new Set(Array.from(trainIdx, (i) => groups[i])).size,
      groupsTest: new Set(Array.from(testIdx, (i) => groups[i])).size,
    },
    tried,
    chosen: chosen.c.name,
    head: {
      model: `standardise + class-balanced multinomial logistic regression${chosen.c.Cs ? ` (${chosen.c.Cs.length} heads at C ${chosen.c.Cs.join(', ')}, coefficients averaged)` : ''}`,
      C: chosen.c.C,
      ensembleC: chosen.c.Cs ? [...chosen.c.Cs] : null,
      trainRows: chosen.c.trainOn === 'mean' ? `one row per image: mean of ${chosen.c.views.join(', ')}${chosen.c.augment ? ` + ${chosen.c.augment} augmented copies as rows` : ''}` : `one row per view (${chosen.c.views.join(', ')})${chosen.c.augment ? ` and per augmented copy (${chosen.c.augment})` : ''}`,
      predictRows: `mean of ${chosen.c.views.join(', ')}${copies ? ` and ${copies} seeded augmented copies` : ''}`,
    },
    selection: plan.candidates.length === 1
      ? `one fixed candidate, nothing chosen; its grouped ${Math.max(...selFolds) + 1}-fold CV on the training part gives the out-of-fold logits the temperature is fitted on`
      : `highest balanced accuracy + 0.5 × macro F1 in grouped ${Math.max(...selFolds) + 1}-fold CV on the training part`,
    train_seconds: r4(trainSeconds),
    embed_seconds: r4(embedSeconds),
    embed_images_per_second: r4(usable.length / Math.max(1e-3, embedSeconds)),
    images: records.length,
    skipped: labelled.length - records.length,
    warnings,
  };
  const stored: StoredHead = {
    format: 'sagebrush-image-head/1',
    labels,
    nFeatures: features.dim,
    coef: Array.from(head.model.coef),
    intercept: Array.from(head.model.intercept),
    standardizer: { mean: Array.from(head.standardizer.mean), scale: Array.from(head.standardizer.scale) },
    temperature: temp.temperature,
    views: chosen.c.views,
    ...(copies > 0 ? { testAugment: { copies, seed: p.seed * 1000 + SEED_AUGMENT } } : {}),
    backboneId: embedder.backboneId,
    features: featureKind,
    ood,
    dataset: { id: ds.datasetId, name: ds.datasetName, version: ds.version },
    train: Array.from(trainIdx, (i) => ({ index: records[i]!.index, path: records[i]!.path, label: records[i]!.label! })),
  };
  await ctx.progress(0.97, 'saving the model');
  const model = await saveImageModel(deps, p.modelId, { head: stored, embeddings: trainFeatures, metrics: full, report });
  await ctx.progress(1, `done: balanced accuracy ${full.balanced_accuracy.toFixed(3)} on the test split, ${cv.balanced_accuracy_mean.toFixed(3)} in grouped CV`);
  return { model, metrics: full, report, train_seconds: report.train_seconds, warnings };
}
