/**
 * The case-sensitive char base of `text.tune --stack-case-chars` (issue 18): the model's vectorizers lowercase, so
 * shouting ("YOU ARE AN IDIOT") is invisible to them; a char_wb block fitted with lowercase off sees it. One plain
 * logistic regression per label over that block alone; its logits are one more input of the cross-label combiner,
 * and the refit appends the block to the model (a third vectorizer), so the tuned version stays one linear model.
 */
import type { Csr } from '../sparse/csr.ts';
import { fitLogisticRegression, type LinearModel } from '../linear/logreg.ts';
import type { BaseFitOptions } from './stack.ts';
import type { TextClassifierOptions } from './options.ts';
import { TfidfVectorizer, type VectorizerConfig } from './vocabulary.ts';

/** The case-sensitive block's settings: the model's char settings (char_wb [2, 5] without a char block) with lowercase off. */
export function caseCharsConfig(o: Pick<TextClassifierOptions, 'charNgram' | 'minDf' | 'maxCharFeatures' | 'sublinearTf'>): VectorizerConfig {
  return { analyzer: 'char_wb', ngramRange: o.charNgram ?? [2, 5], minDf: o.minDf, maxFeatures: o.maxCharFeatures, lowercase: false, sublinearTf: o.sublinearTf };
}

export interface CaseCharsBase {
  vectorizer: TfidfVectorizer;
  /** Over the block's columns only (place it after the model's own blocks). */
  model: LinearModel;
  matrix: Csr;
}

/** Fits the case-sensitive char_wb vectorizer on `texts` and one-vs-rest logistic regression on its block. */
export function fitCaseCharsBase(texts: readonly string[], Y: Uint8Array, L: number, config: VectorizerConfig, o: BaseFitOptions): CaseCharsBase {
  const { vectorizer, matrix } = TfidfVectorizer.fitTransform(texts, config, { signal: o.signal });
  const { model } = fitLogisticRegression([matrix], Y, L, { C: o.C, classWeight: o.classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, signal: o.signal });
  return { vectorizer, model, matrix };
}
