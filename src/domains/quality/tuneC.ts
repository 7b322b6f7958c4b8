/**
 * `text.tune` with a C grid (issue 18): every fold is trained once per C of the grid on one set of features
 * (trainTextClassifierGrid), each label takes the C whose out-of-fold scores reach the best objective value at
 * their best threshold, the thresholds are chosen on those same out-of-fold scores, and the model is refitted on
 * the whole training part with that per-label C × (k−1)/k (option labelC; the fold models' regularisation per row)
 * as a NEW version that carries the decision.
 * Nested on the train parts only (chosen on 80 % of the out-of-fold rows, scored on the other 20 %) per-label C
 * from {0.5, 1, 2, 4} added +0.0079 (3 folds) / +0.0104 (5 folds) held-out macro F1 to C = 4 on GoEmotions and
 * +0.0040 / +0.0011 on jigsaw-10k; balanced class weights per label as well (balancedGrid, opt-in) +0.0096 / +0.0102
 * and +0.0033 — no steady gain for twice the fits (docs/benchmarks.md, tuning ablation). Plain word+char
 * multi-label models only.
 */
import { AppError } from '../../core/errors.ts';
import { chooseThreshold, column, labelMatrix, precisionRecallCurve, predictTexts, resolveTextClassifierOptions, trainTextClassifier, type TextClassifierModel, type ThresholdObjective } from '../../ml/index.ts';
import { outOfFoldScores } from '../../ml/diagnostics/index.ts';
import { trainTextClassifierGrid, type GridSetting } from '../../ml/text/trainGrid.ts';
import type { ClassWeight } from '../../ml/index.ts';
import type { ModelVersion } from '../models/service.ts';
import { modelSource, type ModelParts, type TextModelParams } from '../text/parts.ts';
import { classificationReport } from '../classifiers/evaluate.ts';
import { toArrays } from '../text/data.ts';
import type { TextDeps } from '../text/deps.ts';
import { saveTextModelVersion } from '../text/register.ts';
import { encoderBaseScores, encoderFit, fitEncoderBase } from '../../ml/text/encoderBase.ts';

export interface GridOutOfFold {
  /** Out-of-fold scores, rows × labels, each label's column from its chosen C. */
  scores: Float32Array;
  /** Chosen C and class weight per label (labels order). */
  labelC: number[];
  labelClassWeight: ClassWeight[];
  /** Per setting of the grid: the mean over labels of the objective at the best threshold, out of fold. */
  perC: { C: number; classWeight: ClassWeight; meanObjective: number }[];
  /** Out-of-fold scores at each C of the grid (rows × labels each). */
  grid: Float32Array[];
  /** With nbWords: the NB-weighted word model's out-of-fold scores (rows × labels), fitted in the same folds. */
  nb: Float32Array | null;
  /** With nbChars: the NB-weighted char model's out-of-fold scores, fitted in the same folds. */
  nbChars: Float32Array | null;
  /** With caseChars: the case-sensitive char model's out-of-fold scores (caseBase.ts), fitted in the same folds. */
  caseChars: Float32Array | null;
  /** With encoder: the sentence-encoder model's out-of-fold scores (encoderBase.ts), fitted in the same folds. */
  encoder: Float32Array | null;
}

/** Refuses a C grid where it cannot apply (before the job is queued), naming the field and the fix. */
export function checkCGrid(model: ModelVersion, cGrid: readonly number[] | undefined): void {
  if (!cGrid || cGrid.length === 0) return;
  const params = model.params as unknown as TextModelParams;
  const fix = 'Leave cGrid out to tune the thresholds of this version as it is.';
  if (params.mode !== 'multi-label') {
    throw new AppError('VALIDATION_FAILED', `cGrid needs a multi-label model; ${model.name}:${model.version} is ${params.mode}.`, { problems: [{ field: 'cGrid', problem: 'per-label C applies to multi-label models only', fix }] });
  }
  const o = resolveTextClassifierOptions(params.options as never);
  if (o.nbWords || o.stackFolds > 0 || o.blendWordChar) {
    throw new AppError('VALIDATION_FAILED', `cGrid needs the plain word+char model; ${model.name}:${model.version} was trained with nbWords, stackFolds or blendWordChar.`, {
      problems: [{ field: 'cGrid', problem: 'per-label C applies to the plain model only', fix: `${fix} Or retrain without nbWords, stackFolds and blendWordChar.` }],
    });
  }
}

/** The objective at the best threshold of one label's scores (0 when there is no valid choice). */
function bestObjective(truth: Uint8Array, scores: Float32Array, n: number, l: number, objective: ThresholdObjective): number {
  const c = chooseThreshold(precisionRecallCurve(column(truth, n, l), column(scores, n, l)), objective);
  if (!c) return 0;
  return objective.kind === 'f-beta' ? c.f : objective.kind === 'target-precision' ? c.recall : c.precision;
}

/**
 * Per label, the grid index whose scores reach the best objective (the first in grid order on ties), and the
 * scores with each label's column taken from its chosen index.
 */
export function choosePerLabel(grid: readonly Float32Array[], truth: Uint8Array, n: number, objective: ThresholdObjective): { pick: number[]; scores: Float32Array; meanObjective: number[] } {
  const values = grid.map((s) => Array.from({ length: n }, (_, l) => bestObjective(truth, s, n, l, objective)));
  const pick = Array.from({ length: n }, (_, l) => values.reduce((b, v, g) => (v[l]! > values[b]![l]! ? g : b), 0));
  const scores = new Float32Array(grid[0]!.length);
  for (let k = 0; k < scores.length; k++) scores[k] = grid[pick[k % n]!]![k]!;
  return { pick, scores, meanObjective: values.map((v) => v.reduce((a, b) => a + b, 0) / n) };
}

export interface GridFoldInput {
  texts: readonly string[];
  labelIndices: readonly (readonly number[])[];
  truth: Uint8Array;
  labels: string[];
  options: Record<string, unknown>;
  folds: Int32Array;
  k: number;
  grid: readonly GridSetting[];
  objective: ThresholdObjective;
  /** Also fit the NB word model in every fold (text.tune --stack's second base). */
  nbWords?: boolean;
  /** Also fit the NB char model in every fold (text.tune --stack-nb-chars). */
  nbChars?: boolean;
  /** Also fit the case-sensitive char model in every fold (text.tune --stack-case-chars). */
  caseChars?: boolean;
  /** Also fit a logistic regression on these sentence embeddings (rows × ENCODER_DIM) in every fold (text.tune --stack-encoder). */
  encoder?: Float32Array | null;
  signal?: AbortSignal;
  onFold?: (done: number, k: number) => void | Promise<void>;
}

export async function gridOutOfFold(input: GridFoldInput): Promise<GridOutOfFold> {
  const { texts, labels, grid: settings } = input, n = labels.length, G = settings.length + (input.nbWords ? 1 : 0) + (input.nbChars ? 1 : 0) + (input.caseChars ? 1 : 0) + (input.encoder ? 1 : 0);
  // one wide matrix: row r holds the G score rows of the grid side by side
  const wide = await outOfFoldScores({
    nRows: texts.length, nLabels: n * G, folds: input.folds, k: input.k, signal: input.signal, onFold: input.onFold,
    fitPredict: (tr, te) => {
      const models = trainTextClassifierGrid({
        texts: Array.from(tr, (i) => texts[i]!), labels: Array.from(tr, (i) => input.labelIndices[i]!), labelNames: labels, mode: 'multi-label', options: input.options, signal: input.signal,
      }, settings, { nbWords: input.nbWords, nbChars: input.nbChars, caseChars: input.caseChars });
      const heldOut = Array.from(te, (i) => texts[i]!);
      const out = new Float32Array(te.length * n * G);
      const place = (s: Float32Array, g: number) => {
        for (let r = 0; r < te.length; r++) out.set(s.subarray(r * n, (r + 1) * n), r * n * G + g * n);
      };
      models.forEach((m, g) => place(m.predict(heldOut), g));
      if (input.encoder) {
        const tY = labelMatrix(Array.from(tr, (i) => input.labelIndices[i]!), n);
        place(encoderBaseScores(fitEncoderBase(input.encoder, tr, tY, n, { ...encoderFit(input.options), signal: input.signal }), input.encoder, te), G - 1);
      }
      return out;
    },
  });
  const all = Array.from({ length: G }, (_, g) => {
    const s = new Float32Array(texts.length * n);
    for (let r = 0; r < texts.length; r++) s.set(wide.subarray(r * n * G + g * n, r * n * G + (g + 1) * n), r * n);
    return s;
  });
  // after the grid: NB words, NB chars, case chars (trainTextClassifierGrid's order), the encoder's, each where asked for
  const extra = all.slice(settings.length), take = (on: boolean | undefined) => (on ? extra.shift()! : null);
  const grid = all.slice(0, settings.length), nb = take(input.nbWords), nbChars = take(input.nbChars), caseChars = take(input.caseChars), encoder = take(Boolean(input.encoder));
  const chosen = choosePerLabel(grid, input.truth, n, input.objective);
  return {
    scores: chosen.scores, labelC: chosen.pick.map((g) => settings[g]!.C), labelClassWeight: chosen.pick.map((g) => settings[g]!.classWeight),
    perC: settings.map((s, g) => ({ ...s, meanObjective: chosen.meanObjective[g]! })), grid, nb, nbChars, caseChars, encoder,
  };
}

/**
 * Trains the whole training part with the chosen per-label C and saves it as the next version of the model's
 * name (same data, split and options plus labelC); returns the new version.
 */
export interface RefitExtra {
  /** Turns the refitted plain model into the saved one (text.tune stack folds its combiner in here). */
  finish?: (clf: TextClassifierModel, texts: readonly string[], labels: readonly (readonly number[])[]) => TextClassifierModel;
  /** Recorded in the new version's params.refittedFrom.by. */
  by?: string;
  extraParams?: Record<string, unknown>;
}

export async function saveRefit(deps: TextDeps, jobId: string, model: ModelVersion, parts: ModelParts, labelC: number[], labelClassWeight: ClassWeight[], signal: AbortSignal, extra: RefitExtra = {}): Promise<ModelVersion> {
  const { mode, labels } = parts.params;
  const train = toArrays(parts.train, labels, mode), test = toArrays(parts.test, labels, mode);
  const byLabel = <T>(v: T[]) => Object.fromEntries(labels.map((l, j) => [l, v[j]!]));
  const options = { ...parts.params.options, labelC: byLabel(labelC), labelClassWeight: byLabel(labelClassWeight) };
  const started = performance.now();
  const plain = trainTextClassifier({ texts: train.texts, labels: train.labelIndices, labelNames: labels, mode, options, signal });
  const classifier = extra.finish ? extra.finish(plain, train.texts, train.labelIndices) : plain;
  const trainSeconds = (performance.now() - started) / 1000;
  const metrics = classificationReport(mode, labels, await predictTexts(classifier, test.texts), test.truth);
  const saved = await saveTextModelVersion(deps, {
    name: model.name, jobId, mode, source: modelSource(parts.params), dataset: { versionId: parts.dataset.versionId, version: parts.dataset.version, format: parts.params.format },
    classifier, metrics, splitInfo: parts.params.split, test: parts.test, nTrain: parts.train.length, trainSeconds, warnings: [],
    extraParams: { refittedFrom: { id: model.id, version: model.version, by: extra.by ?? 'text.tune cGrid' }, ...(extra.extraParams ?? {}) },
  });
  return deps.models.getById(saved.model.id);
}
