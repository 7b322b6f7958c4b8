/**
 * `text.tune` with stack (issue 18): the out-of-fold logits the tune job computes anyway (at the version's C, or
 * at each label's C chosen by cGrid) — optionally beside an NB-weighted word model fitted in the same folds — feed
 * one small logistic regression per label over ALL labels' logits (stackCombiner.ts). Its scores are cross-fitted
 * over the tune folds (each row scored by a combiner that did not see it) and the thresholds are chosen on them;
 * the combiner refitted on all rows folds into the refitted model's weights (foldBases), so the new version is
 * one linear model: scoring cost, model format and ONNX export are unchanged. The extra cost lands in tuning.
 * With stackAllC the combiner's bases are the logits at EVERY setting of the grid (not each label's chosen C) and
 * the refit fits every setting: nested on jigsaw-10k's train part (outer 5 folds, each choice on the other four)
 * +0.0047 macro F1 and +0.0014 mean ROC AUC over stack + NB words (bench/quality.stack.ts). stackNbChars adds an
 * NB-weighted char model as one more base (NB-LR on the char_wb block, as NB-SVM kernels on Jigsaw do): nested the
 * same way over every C + NB words, +0.0043 held-out macro F1 and +0.0005 OOF mean ROC AUC (bench/quality.stack.ts).
 * stackCaseChars adds a case-sensitive char_wb model (caseBase.ts: the vectorizers lowercase, so shouting is lost to
 * them): nested over version 5's bases (every C × {none, balanced} + NB words; bench/quality.case.ts, 5 cuts × 2
 * seeds) 0.6788 → 0.6850 held-out macro F1 (+0.0067 and +0.0058 per seed), OOF mean ROC AUC +0.0003; on jigsaw-10k's
 * test split it raised the mean ROC AUC (0.9529 → 0.9536) and lowered the tuned macro F1 (0.6948 → 0.6850): opt-in.
 * stackShape adds per-document shape features (shape.ts: capitals, '!' / '?', length, stretched letters, punctuation)
 * as more combiner inputs; they are not n-gram columns, so the refit keeps them as a shape block after the n-gram
 * blocks with the combiner's shape rows as its weights.
 * stackEncoder adds a pretrained sentence encoder's base (encoderBase.ts: logistic regression per label on the texts'
 * 512-d embeddings, computed once per tune); the refit appends the embedding columns as an encoder block, so scoring
 * the version embeds every text (~50–60 ms of CPU each, on the scoring threads).
 */
import { AppError } from '../../core/errors.ts';
import { fitLogisticRegression, labelMatrix, resolveTextClassifierOptions, TextClassifierModel, type ClassWeight } from '../../ml/index.ts';
import type { PlacedModel } from '../../ml/text/stack.ts';
import { fitNbModel, foldBases } from '../../ml/text/stack.ts';
import { caseCharsConfig, fitCaseCharsBase } from '../../ml/text/caseBase.ts';
import { crossFitCombiner, fitCombiner, logitsOf, sideBySide, withColumns } from '../../ml/text/stackCombiner.ts';
import { ShapeBlock } from '../../ml/text/shape.ts';
import { encoderFit, fitEncoderBase } from '../../ml/text/encoderBase.ts';
import { ENCODER_DIM, installedEncoderId } from '../../ml/text/sentenceEncoder.ts';
import type { ModelVersion } from '../models/service.ts';
import type { TextModelParams } from '../text/parts.ts';
import type { GridOutOfFold } from './tuneC.ts';

/**
 * The combiner's inverse regularisation (the text option stackC's default). Nested on jigsaw-10k's train part
 * (bench/quality.stack.ts) with the combiner's 15 solver passes, C = 1 stays far from converged and lost
 * (−0.009..−0.029 held-out macro F1) where C = 0.1 gained +0.0063..+0.0111; solved to convergence (200 passes,
 * 13× the time on GoEmotions) C = 1 gained +0.0075..+0.0099 and C = 0.1 +0.0028..+0.0093.
 */
export const COMBINER_C = 0.1;

export interface StackOutOfFold {
  /** Cross-fitted combiner probabilities, rows × labels: the thresholds are chosen on these. */
  scores: Float32Array;
  /** The combiner fitted on all rows ((M·L + 1) × L, bias row last), M = 1 or 2 (with the NB word base). */
  A: Float32Array;
  nbWords: boolean;
  /** The NB char base (after the NB word base when both are there). */
  nbChars: boolean;
  /** The case-sensitive char base (caseBase.ts), last of the bases. */
  caseChars: boolean;
  /**
   * With stackShape: the shape block fitted on the training part (shape.ts); its standardised features are the
   * combiner's last inputs (A's rows M·L … M·L + E − 1, before the bias row).
   */
  shape: ShapeBlock | null;
  /** With stackEncoder: the training part's sentence embeddings (rows × ENCODER_DIM); the encoder base comes after the case base. */
  encoder: Float32Array | null;
  /** With stackAllC: the grid's settings, one word+char base each (in grid order, before the NB base); null: one base at each label's chosen C. */
  allC: { C: number; classWeight: ClassWeight }[] | null;
}

/** Refuses stack where it cannot apply (before the job is queued), naming the field and the fix. */
export function checkStack(model: ModelVersion, req: { stack?: boolean; cGrid?: readonly number[] | undefined; stackNbChars?: boolean }): void {
  const params = model.params as unknown as TextModelParams & { tuneStack?: unknown };
  if (!req.stack) {
    // a stacked version's weights hold a combiner its options do not describe: plain out-of-fold scores would not match it
    if (params.tuneStack && !req.cGrid?.length) {
      throw new AppError('VALIDATION_FAILED', `${model.name}:${model.version} holds a combiner fitted by text.tune stack; its thresholds can only be tuned on the combiner's scores.`, {
        problems: [{ field: 'stack', problem: 'missing for a version refitted by text.tune stack', fix: 'Send {"stack": true} (refits from the version\'s plain options as a new version), or tune the version it was refitted from.' }],
      });
    }
    return;
  }
  const fix = 'Leave stack out to tune the thresholds of this version as it is.';
  if (params.mode !== 'multi-label') {
    throw new AppError('VALIDATION_FAILED', `stack needs a multi-label model; ${model.name}:${model.version} is ${params.mode}.`, { problems: [{ field: 'stack', problem: 'the cross-label combiner applies to multi-label models only', fix }] });
  }
  const o = resolveTextClassifierOptions(params.options as never);
  if (o.nbWords || o.stackFolds > 0 || o.blendWordChar || !o.wordNgram) {
    throw new AppError('VALIDATION_FAILED', `stack needs the plain word+char model; ${model.name}:${model.version} was trained with nbWords, stackFolds, blendWordChar or without word n-grams.`, {
      problems: [{ field: 'stack', problem: 'the tune-time stack applies to the plain model only', fix: `${fix} Or retrain without nbWords, stackFolds and blendWordChar.` }],
    });
  }
  if (req.stackNbChars && !o.charNgram) {
    throw new AppError('VALIDATION_FAILED', `stackNbChars needs char n-grams; ${model.name}:${model.version} was trained without them (charNgram null).`, {
      problems: [{ field: 'stackNbChars', problem: 'the NB char base needs the char block', fix: 'Leave stackNbChars out, or retrain with charNgram (e.g. [2, 5]).' }],
    });
  }
}

/**
 * The combiner on the grid's chosen out-of-fold scores (allC: on every setting's) and the NB model's, cross-fitted
 * over the tune folds.
 */
export function stackOutOfFold(grid: GridOutOfFold, truth: Uint8Array, L: number, folds: Int32Array, k: number, allC = false, shapeTexts: readonly string[] | null = null, embeddings: Float32Array | null = null): StackOutOfFold {
  if (Boolean(grid.encoder) !== Boolean(embeddings)) throw new Error('stack: the encoder base and the embeddings go together');
  const bases = [...(allC ? grid.grid : [grid.scores]), ...(grid.nb ? [grid.nb] : []), ...(grid.nbChars ? [grid.nbChars] : []), ...(grid.caseChars ? [grid.caseChars] : []), ...(grid.encoder ? [grid.encoder] : [])];
  const logits = sideBySide(bases.map(logitsOf), L);
  // the shape features are not fitted to the labels: computed once over the training part, no out-of-fold needed
  const fitted = shapeTexts ? ShapeBlock.fitTransform(shapeTexts) : null, shape = fitted?.block ?? null;
  const Z = fitted ? withColumns(logits, bases.length * L, fitted.matrix.data, fitted.block.nFeatures) : logits;
  return {
    scores: crossFitCombiner(Z, truth, L, folds, k, { C: COMBINER_C }), A: fitCombiner(Z, truth, L, { C: COMBINER_C }), nbWords: grid.nb !== null, nbChars: grid.nbChars !== null, caseChars: grid.caseChars !== null, shape, encoder: embeddings,
    allC: allC ? grid.perC.map(({ C, classWeight }) => ({ C, classWeight })) : null,
  };
}

/** The bases' names as the tune result and params.tuneStack record them. */
export function stackBases(stack: StackOutOfFold): string[] {
  const grid = stack.allC ? stack.allC.map((s) => `word+char C=${s.C}${s.classWeight === 'balanced' ? ' balanced' : ''}`) : ['word+char'];
  return [...grid, ...(stack.nbWords ? ['nb-words'] : []), ...(stack.nbChars ? ['nb-chars'] : []), ...(stack.caseChars ? ['case-chars'] : []), ...(stack.encoder ? ['sentence-encoder'] : []), ...(stack.shape ? ['shape'] : [])];
}

/**
 * The refitted plain model with the combiner folded in: with the NB base, an NB word model is fitted on the
 * whole training part (at the version's C × (k−1)/k, the fold models' regularisation per row, like labelC); with
 * allC, the word+char model at every setting of the grid (C × (k−1)/k) on the refit's features; with caseChars, a
 * case-sensitive char_wb vectorizer fitted on the training part is appended as the model's last block, with its plain
 * model (at the version's C × (k−1)/k) as the last base; with encoder, the encoder base refitted on every row (at
 * ENCODER_C × (k−1)/k) over an encoder block after the n-gram blocks.
 */
export function foldStack(clf: TextClassifierModel, texts: readonly string[], labels: readonly (readonly number[])[], stack: StackOutOfFold, k: number): TextClassifierModel {
  const L = clf.nLabels, d = clf.linear.nFeatures, o = clf.options, Y = labelMatrix(labels, L);
  const fit = { maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed };
  const blocks = stack.allC || stack.nbWords || stack.nbChars ? clf.vectorizers.map((v) => v.transform(texts)) : [];
  const nb = { ...fit, C: (o.C * (k - 1)) / k, classWeight: o.classWeight };
  const placed: PlacedModel[] = stack.allC
    ? stack.allC.map((s) => ({ model: fitLogisticRegression(blocks, Y, L, { ...fit, C: (s.C * (k - 1)) / k, classWeight: s.classWeight }).model, from: 0 }))
    : [{ model: clf.linear, from: 0 }];
  if (stack.nbWords) placed.push({ model: fitNbModel(blocks[0]!, Y, L, nb), from: 0 });
  // the char block comes last (checkStack: word features are on, so it is block 1)
  if (stack.nbChars) placed.push({ model: fitNbModel(blocks[blocks.length - 1]!, Y, L, nb), from: d - blocks[blocks.length - 1]!.nCols });
  let vectorizers = clf.vectorizers, width = d;
  if (stack.caseChars) {
    const cb = fitCaseCharsBase(texts, Y, L, caseCharsConfig(o), nb);
    placed.push({ model: cb.model, from: d });
    vectorizers = [...vectorizers, cb.vectorizer];
    width += cb.vectorizer.nFeatures;
  }
  if (stack.encoder) {
    const e = encoderFit(o);
    placed.push({ model: fitEncoderBase(stack.encoder, Array.from({ length: texts.length }, (_, i) => i), Y, L, { ...e, C: (e.C * (k - 1)) / k }), from: width });
    width += ENCODER_DIM;
  }
  const encoder = stack.encoder ? { id: installedEncoderId(), dim: ENCODER_DIM } : null;
  const { A, shapeRows } = splitShapeRows(stack.A, placed.length, L, stack.shape?.nFeatures ?? 0);
  const folded = foldBases(placed, width, A);
  if (!stack.shape) return new TextClassifierModel(clf.mode, clf.labelNames, o, vectorizers, folded, clf.info, null, encoder);
  // the shape block's columns go after the n-gram blocks: its weights are the combiner's shape rows as they are
  const E = stack.shape.nFeatures, weights = new Float32Array((width + E + 1) * L);
  weights.set(folded.weights.subarray(0, width * L));
  weights.set(shapeRows, width * L);
  weights.set(folded.weights.subarray(width * L), (width + E) * L);
  return new TextClassifierModel(clf.mode, clf.labelNames, o, vectorizers, { nFeatures: width + E, nLabels: L, weights, interceptScaling: 1 }, clf.info, stack.shape, encoder);
}

/**
 * A combiner over M bases and E extra inputs ((M·L + E + 1) × L) as foldBases' A over the bases ((M·L + 1) × L,
 * bias row last) and the E extra rows (E × L).
 */
export function splitShapeRows(A: Float32Array, M: number, L: number, E: number): { A: Float32Array; shapeRows: Float32Array } {
  if (E === 0) return { A, shapeRows: new Float32Array(0) };
  const base = new Float32Array((M * L + 1) * L);
  base.set(A.subarray(0, M * L * L));
  base.set(A.subarray((M * L + E) * L), M * L * L);
  return { A: base, shapeRows: A.slice(M * L * L, (M * L + E) * L) };
}
