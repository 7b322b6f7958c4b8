/**
 * The `text.train` job: read and validate the labeled data (Comprehend's rules), split it (the user's
 * test file, or a seeded stratified split — iterative stratification for multi-label), train, evaluate
 * on the test part, and register a model version with its artifacts (model.bin, metrics.json,
 * split.json, Comprehend-style output.tar.gz).
 */
import type { Problem } from '../../core/errors.ts';
import type { JobContext } from '../../jobs/types.ts';
import { trainTextClassifier, type TextClassifierModel } from '../../ml/index.ts';
import { cpuSample, heldOutScoring } from '../../ml/text/heldOut.ts';
import { labelSet, toArrays } from './data.ts';
import { classificationReport } from '../classifiers/evaluate.ts';
import type { TrainRequest } from './schema.ts';
import type { TextDeps } from './deps.ts';
import { prepareTrainTest } from './parts.ts';
import { saveTextModelVersion } from './register.ts';

export { throwIfErrors } from './validate.ts';

export interface TrainResult {
  model: { id: string; name: string; version: number };
  metrics: ReturnType<typeof classificationReport>;
  train_seconds: number;
  warnings: Problem[];
}

export async function runTrainJob(deps: TextDeps, ctx: JobContext<TrainRequest>): Promise<TrainResult> {
  const req = ctx.job.payload;
  const jobStart = cpuSample(); // is a second core idle while this job reads its data? (the held-out thread below)
  await ctx.progress(0.01, 'reading training data');
  const { source, parts, splitInfo, warnings } = await prepareTrainTest(deps, req);
  ctx.signal.throwIfAborted();
  await ctx.progress(0.05, `training on ${parts.train.length} documents`);

  const labelNames = labelSet(parts.train);
  const train = toArrays(parts.train, labelNames, req.mode);
  const test = toArrays(parts.test, labelNames, req.mode);
  // the test texts' features are built on another thread while the model trains (ml/text/heldOut.ts): the same
  // scores as classifier.predict, without transforming them after training (issue 17)
  const heldOut = heldOutScoring(test.texts, { train: req.options, since: jobStart });
  let classifier: TextClassifierModel, trainSeconds: number, metrics: ReturnType<typeof classificationReport>;
  try {
    const started = performance.now();
    let lastReport = 0, handOff = 0;
    classifier = trainTextClassifier({
      texts: train.texts,
      labels: train.labelIndices,
      labelNames,
      mode: req.mode,
      options: req.options,
      signal: ctx.signal,
      onVectorizers: (v) => {
        const t = performance.now();
        heldOut.onVectorizers(v);
        handOff = performance.now() - t; // the evaluation's hand-off (a few ms of copying) is not training time
      },
      onProgress: (f, message) => {
        const now = performance.now();
        if (now - lastReport > 200) {
          lastReport = now;
          void ctx.progress(0.05 + 0.8 * f, message);
        }
      },
    });
    trainSeconds = (performance.now() - started - handOff) / 1000;
    ctx.signal.throwIfAborted();
    await ctx.progress(0.88, `evaluating on ${parts.test.length} documents`);
    metrics = classificationReport(req.mode, labelNames, heldOut.predict(classifier), test.truth);
  } finally {
    heldOut.close();
  }
  const saved = await saveTextModelVersion(deps, {
    name: req.name, jobId: ctx.job.id, mode: req.mode, source: req,
    dataset: { versionId: source.versionId, version: source.version, format: source.format },
    classifier, metrics, splitInfo, test: parts.test, nTrain: parts.train.length, trainSeconds, warnings,
  });
  await ctx.progress(1, 'done');
  return { model: saved.model, metrics: saved.metrics, train_seconds: Math.round(trainSeconds * 1000) / 1000, warnings };
}
