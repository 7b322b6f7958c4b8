/** Options of the text classifier, their defaults and validation (plain Errors that name the option and the fix). */
import type { ClassWeight } from '../linear/logreg.ts';
import type { VectorizerConfig } from './vocabulary.ts';

export interface TextClassifierOptions {
  /** Word n-gram range, e.g. [1, 2]; null disables word features. */
  wordNgram: [number, number] | null;
  /** char_wb n-gram range, e.g. [2, 5]; null disables character features. */
  charNgram: [number, number] | null;
  /** A term must occur in at least this many training documents. */
  minDf: number;
  /** Largest word vocabulary (most frequent terms kept); null = unlimited. */
  maxWordFeatures: number | null;
  /** Largest character vocabulary; null = unlimited. */
  maxCharFeatures: number | null;
  lowercase: boolean;
  /** 1 + ln(tf) instead of raw counts. */
  sublinearTf: boolean;
  /** Inverse L2 regularisation strength of the logistic regression. */
  C: number;
  /**
   * Per-label C ({label: C}) in place of C for the labels it names (e.g. what `text.tune` with a C grid chose out
   * of fold); null = C for every label. Plain word+char model only (not with nbWords / stackFolds / blendWordChar).
   */
  labelC: Record<string, number> | null;
  /** Per-label class weight ({label: 'none' | 'balanced'}) in place of classWeight for the labels named; plain model only. */
  labelClassWeight: Record<string, ClassWeight> | null;
  /**
   * 'balanced' reweighs each label's positives and negatives to equal total weight (opt-in: out of fold on
   * jigsaw-10k's train part it adds +0.0014 to +0.0028 AUC to the stacked models, nothing to the plain one).
   */
  classWeight: ClassWeight;
  /** Passes of dual coordinate descent at most. */
  maxEpochs: number;
  /** Early stop when the largest dual projected gradient falls below this (liblinear's criterion). */
  tol: number;
  /** Seed of the solver's row order. */
  seed: number;
  /**
   * Adds an NB-weighted word model (log-count ratios per label, NB-LR) beside the word+char model; its weights are
   * folded into the word block's, so scoring cost is unchanged. Ignored without word features (wordNgram null).
   */
  nbWords: boolean;
  /**
   * Inner folds (2–10) whose out-of-fold base logits train a per-label combiner over every label's logits of the
   * base models (stacking; folded into the weights). 0 = no combiner: with nbWords the two models' logits are
   * averaged. Costs about stackFolds extra fits at training time, nothing at scoring time.
   */
  stackFolds: number;
  /** Inverse regularisation strength of the combiner. */
  stackC: number;
  /** With stackFolds: refit the base models on all rows (slower) instead of averaging the inner folds' models. */
  stackRefit: boolean;
  /**
   * Word-only and char-only models as separate bases instead of one word+char model, so the combiner (or, without
   * stackFolds, the average) blends them per label. Needs both feature types; ignored otherwise.
   */
  blendWordChar: boolean;
}

/**
 * The scikit-learn peer's settings (word 1–2 + char_wb 2–5, min_df 2, 50k + 100k features, C = 4). maxEpochs 3
 * was chosen on validation splits carved from the training parts only (jigsaw-10k: 20 % of its 80 % train part;
 * GoEmotions: 20 % of train): mean ROC AUC at 1/2/3/5/8/20 epochs was .9489/.9481/.9488/.9487/.9486/.9486
 * (jigsaw) and .9002/.9011/.9017/.9011/.9009/.9009 (GoEmotions) — flat after 3, so more passes only cost
 * time. The liblinear-style tolerance rarely triggers on text that early; it ends training on small, easy data.
 */
export const DEFAULT_TEXT_CLASSIFIER_OPTIONS: Readonly<TextClassifierOptions> = Object.freeze({
  wordNgram: [1, 2] as [number, number],
  charNgram: [2, 5] as [number, number],
  minDf: 2,
  maxWordFeatures: 50000,
  maxCharFeatures: 100000,
  lowercase: true,
  sublinearTf: true,
  C: 4,
  labelC: null,
  labelClassWeight: null,
  classWeight: 'none' as ClassWeight,
  maxEpochs: 3,
  tol: 0.1,
  seed: 0,
  // The quality options of issue 18 stay opt-in. Out of fold on jigsaw-10k's train part the best set (word-only +
  // char-only + NB-word bases, a stacked combiner, balanced weights) adds +0.0049 (2 inner folds) to +0.0072 (3)
  // mean ROC AUC, but even on 2 threads it takes 0.50-0.67× fastText's training time against the plain model's
  // ~0.3× — over the ≤ ½ fastText budget — and on GoEmotions it lowered the tuned dev macro F1 (0.472 vs 0.488).
  // Measurements: docs/benchmarks.md (quality ablation), src/domains/text/README.md. labelC / labelClassWeight are
  // what `text.tune` with cGrid chooses per label out of fold (a refit at the same cost as one plain training).
  nbWords: false,
  stackFolds: 0,
  stackC: 0.1,
  stackRefit: false,
  blendWordChar: false,
});

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

function checkRange(name: string, v: unknown, maxAllowed: number): [number, number] | null {
  if (v === null) return null;
  if (!Array.isArray(v) || v.length !== 2 || !isInt(v[0], 1) || !isInt(v[1], 1) || v[0] > v[1] || v[1] > maxAllowed) {
    throw new Error(`option ${name}: expected [min, max] integers with 1 ≤ min ≤ max ≤ ${maxAllowed} or null, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}

/** The vectorizer blocks these options train, in column order (word block first). */
export function vectorizerConfigs(o: TextClassifierOptions): VectorizerConfig[] {
  const configs: VectorizerConfig[] = [];
  if (o.wordNgram) configs.push({ analyzer: 'word', ngramRange: o.wordNgram, minDf: o.minDf, maxFeatures: o.maxWordFeatures, lowercase: o.lowercase, sublinearTf: o.sublinearTf });
  if (o.charNgram) configs.push({ analyzer: 'char_wb', ngramRange: o.charNgram, minDf: o.minDf, maxFeatures: o.maxCharFeatures, lowercase: o.lowercase, sublinearTf: o.sublinearTf });
  return configs;
}

/** Whether training fits the stacked model (stackFit.ts), whose fits run on two threads; the plain fit uses one. */
export const isStacked = (o: TextClassifierOptions): boolean => o.nbWords || o.stackFolds > 0 || o.blendWordChar;

/** Defaults merged with `partial`, validated. Unknown keys are rejected so typos do not pass silently. */
export function resolveTextClassifierOptions(partial: Partial<TextClassifierOptions> = {}): TextClassifierOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_TEXT_CLASSIFIER_OPTIONS)) throw new Error(`option ${key}: unknown option (known: ${Object.keys(DEFAULT_TEXT_CLASSIFIER_OPTIONS).join(', ')})`);
  }
  const o = { ...DEFAULT_TEXT_CLASSIFIER_OPTIONS, ...partial } as TextClassifierOptions;
  const wordNgram = checkRange('wordNgram', o.wordNgram, 6);
  const charNgram = checkRange('charNgram', o.charNgram, 10);
  if (!wordNgram && !charNgram) throw new Error('options wordNgram and charNgram: at least one feature type must be enabled');
  if (!isInt(o.minDf, 1)) throw new Error(`option minDf: expected an integer ≥ 1, got ${JSON.stringify(o.minDf)}`);
  for (const k of ['maxWordFeatures', 'maxCharFeatures'] as const) {
    if (o[k] !== null && !isInt(o[k], 1)) throw new Error(`option ${k}: expected an integer ≥ 1 or null, got ${JSON.stringify(o[k])}`);
  }
  if (typeof o.lowercase !== 'boolean') throw new Error(`option lowercase: expected true or false, got ${JSON.stringify(o.lowercase)}`);
  if (typeof o.sublinearTf !== 'boolean') throw new Error(`option sublinearTf: expected true or false, got ${JSON.stringify(o.sublinearTf)}`);
  if (typeof o.C !== 'number' || !(o.C > 0) || !Number.isFinite(o.C)) throw new Error(`option C: expected a positive finite number, got ${JSON.stringify(o.C)}`);
  if (o.labelC !== null) {
    if (typeof o.labelC !== 'object' || Array.isArray(o.labelC)) throw new Error(`option labelC: expected {label: C} or null, got ${JSON.stringify(o.labelC)}`);
    for (const [label, c] of Object.entries(o.labelC)) {
      if (typeof c !== 'number' || !(c > 0) || !Number.isFinite(c)) throw new Error(`option labelC: C of label ${JSON.stringify(label)} must be a positive finite number, got ${JSON.stringify(c)}`);
    }
    if (o.nbWords || o.stackFolds > 0 || o.blendWordChar) throw new Error('option labelC: works with the plain word+char model only; leave nbWords, stackFolds and blendWordChar off');
  }
  if (o.labelClassWeight !== null) {
    if (typeof o.labelClassWeight !== 'object' || Array.isArray(o.labelClassWeight)) throw new Error(`option labelClassWeight: expected {label: 'none' | 'balanced'} or null, got ${JSON.stringify(o.labelClassWeight)}`);
    for (const [label, w] of Object.entries(o.labelClassWeight)) {
      if (w !== 'none' && w !== 'balanced') throw new Error(`option labelClassWeight: label ${JSON.stringify(label)} must be 'none' or 'balanced', got ${JSON.stringify(w)}`);
    }
    if (o.nbWords || o.stackFolds > 0 || o.blendWordChar) throw new Error('option labelClassWeight: works with the plain word+char model only; leave nbWords, stackFolds and blendWordChar off');
  }
  if (o.classWeight !== 'none' && o.classWeight !== 'balanced') throw new Error(`option classWeight: expected 'none' or 'balanced', got ${JSON.stringify(o.classWeight)}`);
  if (!isInt(o.maxEpochs, 1) || o.maxEpochs > 10000) throw new Error(`option maxEpochs: expected an integer from 1 to 10000, got ${JSON.stringify(o.maxEpochs)}`);
  if (typeof o.tol !== 'number' || !(o.tol > 0) || !Number.isFinite(o.tol)) throw new Error(`option tol: expected a positive number, got ${JSON.stringify(o.tol)}`);
  if (!isInt(o.seed, 0) || o.seed > 0xffffffff) throw new Error(`option seed: expected an integer from 0 to 4294967295, got ${JSON.stringify(o.seed)}`);
  if (typeof o.nbWords !== 'boolean') throw new Error(`option nbWords: expected true or false, got ${JSON.stringify(o.nbWords)}`);
  if (!(o.stackFolds === 0 || (isInt(o.stackFolds, 2) && o.stackFolds <= 10))) throw new Error(`option stackFolds: expected 0 (off) or an integer from 2 to 10, got ${JSON.stringify(o.stackFolds)}`);
  if (typeof o.stackC !== 'number' || !(o.stackC > 0) || !Number.isFinite(o.stackC)) throw new Error(`option stackC: expected a positive finite number, got ${JSON.stringify(o.stackC)}`);
  if (typeof o.stackRefit !== 'boolean') throw new Error(`option stackRefit: expected true or false, got ${JSON.stringify(o.stackRefit)}`);
  if (typeof o.blendWordChar !== 'boolean') throw new Error(`option blendWordChar: expected true or false, got ${JSON.stringify(o.blendWordChar)}`);
  return { ...o, wordNgram, charNgram };
}

/** C per label (labelNames order) from C and labelC; throws when labelC names a label that is not trained. */
export function perLabelC(o: TextClassifierOptions, labelNames: readonly string[]): Float64Array | undefined {
  if (!o.labelC) return undefined;
  for (const label of Object.keys(o.labelC)) {
    if (!labelNames.includes(label)) throw new Error(`option labelC: label ${JSON.stringify(label)} is not among the training labels (${labelNames.join(', ')})`);
  }
  return Float64Array.from(labelNames, (l) => o.labelC![l] ?? o.C);
}

/** Class weight per label (labelNames order) from classWeight and labelClassWeight; throws on a label not trained. */
export function perLabelClassWeight(o: TextClassifierOptions, labelNames: readonly string[]): ClassWeight[] | undefined {
  if (!o.labelClassWeight) return undefined;
  for (const label of Object.keys(o.labelClassWeight)) {
    if (!labelNames.includes(label)) throw new Error(`option labelClassWeight: label ${JSON.stringify(label)} is not among the training labels (${labelNames.join(', ')})`);
  }
  return labelNames.map((l) => o.labelClassWeight![l] ?? o.classWeight);
}
