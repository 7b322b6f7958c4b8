/**
 * The plain word+char text classifier trained at several (C, class weight) settings on one set of features: the
 * vectorizers are fitted once and only the logistic regression is refitted per setting (the features are ~⅓ of a
 * training's cost). `text.tune` uses it to score every fold at each setting of a grid and choose one per label out
 * of fold. Each model is the one trainTextClassifier gives with options {…options, C, classWeight}.
 * With `nbWords`, one more model comes last: the NB-weighted word model of stack.ts (at the options' C and class
 * weight) over the same features — zero weights on the char block — as the second base of `text.tune --stack`;
 * with `nbChars`, after it, the NB-weighted char model (zero weights on the word block); with `caseChars`, last,
 * a plain model over a case-sensitive char_wb block of its own (caseBase.ts; a model with that one vectorizer).
 */
import { fitLogisticRegression, type ClassWeight } from '../linear/logreg.ts';
import { labelMatrix } from '../metrics/classification.ts';
import { TextClassifierModel, type TrainTextClassifierInput } from './classifier.ts';
import { resolveTextClassifierOptions } from './options.ts';
import { fitNbModel, foldBases } from './stack.ts';
import { caseCharsConfig, fitCaseCharsBase } from './caseBase.ts';
import { fitVectorizers } from './parallelTrain.ts';
import type { VectorizerConfig } from './vocabulary.ts';

export interface GridSetting {
  C: number;
  classWeight: ClassWeight;
}

export function trainTextClassifierGrid(input: TrainTextClassifierInput, settings: readonly GridSetting[], extra: { nbWords?: boolean; nbChars?: boolean; caseChars?: boolean } = {}): TextClassifierModel[] {
  const o = resolveTextClassifierOptions(input.options);
  if (o.nbWords || o.stackFolds > 0 || o.blendWordChar || o.labelC || o.labelClassWeight) throw new Error('C grid: works with the plain word+char model only (no nbWords, stackFolds, blendWordChar, labelC or labelClassWeight)');
  for (const { C } of settings) if (!(C > 0) || !Number.isFinite(C)) throw new Error(`C grid: every C must be a positive finite number, got ${C}`);
  if (extra.nbWords && !o.wordNgram) throw new Error('C grid: nbWords needs the word block (wordNgram)');
  if (extra.nbChars && !o.charNgram) throw new Error('C grid: nbChars needs the char block (charNgram)');
  const configs: VectorizerConfig[] = [];
  if (o.wordNgram) configs.push({ analyzer: 'word', ngramRange: o.wordNgram, minDf: o.minDf, maxFeatures: o.maxWordFeatures, lowercase: o.lowercase, sublinearTf: o.sublinearTf });
  if (o.charNgram) configs.push({ analyzer: 'char_wb', ngramRange: o.charNgram, minDf: o.minDf, maxFeatures: o.maxCharFeatures, lowercase: o.lowercase, sublinearTf: o.sublinearTf });
  const fitted = fitVectorizers(input.texts, configs, 1, () => ({ signal: input.signal }));
  const vectorizers = fitted.map((r) => r.vectorizer), blocks = fitted.map((r) => r.matrix);
  if (blocks.every((b) => b.nCols === 0)) throw new Error(`texts: no n-gram occurs in at least minDf = ${o.minDf} documents; add documents or lower minDf`);
  const L = input.labelNames.length, Y = labelMatrix(input.labels, L);
  const nWord = o.wordNgram ? vectorizers[0]!.nFeatures : 0, nChar = o.charNgram ? vectorizers[vectorizers.length - 1]!.nFeatures : 0;
  const total = settings.length + (extra.nbWords ? 1 : 0) + (extra.nbChars ? 1 : 0) + (extra.caseChars ? 1 : 0);
  const models = settings.map(({ C, classWeight }, k) => {
    const { model, info } = fitLogisticRegression(blocks, Y, L, {
      C, classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, signal: input.signal,
      onProgress: (f) => input.onProgress?.((k + f) / total, `training at C = ${C}, class weight ${classWeight}`),
    });
    return new TextClassifierModel(input.mode, [...input.labelNames], { ...o, C, classWeight }, vectorizers, model, { ...info, nDocuments: input.texts.length, nWordFeatures: nWord, nCharFeatures: nChar });
  });
  const d = blocks.reduce((s, b) => s + b.nCols, 0), nbFit = { C: o.C, classWeight: o.classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, signal: input.signal };
  const info = { epochs: 0, converged: true, maxViolation: 0, nDocuments: input.texts.length, nWordFeatures: nWord, nCharFeatures: nChar };
  // each NB model placed over all d features (word block first, char block last): one model that scores the texts like the others
  const nbModel = (block: number, from: number, what: string) => {
    const placed = foldBases([{ model: fitNbModel(blocks[block]!, Y, L, nbFit), from }], d, null);
    input.onProgress?.(1, `NB ${what} model trained`);
    return new TextClassifierModel(input.mode, [...input.labelNames], o, vectorizers, placed, info);
  };
  if (extra.nbWords) models.push(nbModel(0, 0, 'word'));
  if (extra.nbChars) models.push(nbModel(blocks.length - 1, d - blocks[blocks.length - 1]!.nCols, 'char'));
  if (extra.caseChars) {
    const config = caseCharsConfig(o), cb = fitCaseCharsBase(input.texts, Y, L, config, nbFit);
    input.onProgress?.(1, 'case-sensitive char model trained');
    const caseInfo = { ...info, nWordFeatures: 0, nCharFeatures: cb.vectorizer.nFeatures };
    models.push(new TextClassifierModel(input.mode, [...input.labelNames], { ...o, wordNgram: null, charNgram: config.ngramRange, lowercase: false }, [cb.vectorizer], cb.model, caseInfo));
  }
  return models;
}
