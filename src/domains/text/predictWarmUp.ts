/**
 * JIT warm-up of `TextClassifierModel.predict` on a `text.train` job's evaluation thread (evalThread.ts). A fresh
 * thread runs the tf-idf transform and the linear scorer in V8's interpreter first: scoring jigsaw-10k's 1,996 test
 * documents cold took ~1.5–2× the CPU it takes once optimised (~0.4 s vs ~0.2–0.25 s at load ~4), the first 200
 * documents most of it. A made-up model on made-up documents did not help (its first real chunks were as slow: V8
 * had optimised for other inputs), but scoring some of the job's own training texts did. So the thread, otherwise
 * idle while the job trains, builds a tiny model from those texts' n-grams (word 1–2 + char_wb 2–5, restored from
 * its parts as the real model is in the thread, with the job's number of labels and mode) and scores them — a fit
 * would cost more than the scoring it prepares. The texts are only read; nothing of this model is kept.
 */
import type { ClassMode } from '../../ml/linear/logreg.ts';
import { TextClassifierModel } from '../../ml/text/classifier.ts';
import { HOT_IDS } from '../../ml/text/hashTable.ts';
import { resolveTextClassifierOptions } from '../../ml/text/options.ts';
import { charWbNgrams, wordNgrams, wordTokens } from '../../ml/text/tokenize.ts';
import { TfidfVectorizer, type VectorizerConfig } from '../../ml/text/vocabulary.ts';

export interface WarmUpInput {
  texts: string[];
  nLabels: number;
  mode: ClassMode;
}

/** Scores `texts` with a tiny model built from their n-grams; returns a checksum (so nothing is optimised away). */
export function warmUpPredict({ texts, nLabels, mode }: WarmUpInput, rounds = 2): number {
  if (texts.length === 0 || nLabels < 1) return 0;
  const options = resolveTextClassifierOptions({});
  const configOf = (analyzer: 'word' | 'char_wb', ngramRange: [number, number]): VectorizerConfig => ({ analyzer, ngramRange, minDf: 1, maxFeatures: null, lowercase: true, sublinearTf: true });
  // the n-grams of the texts as terms (a fit would cost more than the scoring it prepares), every other one left
  // out so that look-ups miss too; restored from parts, as the real model is in the thread
  const lower = texts.map((t) => t.toLowerCase());
  const vocab = (grams: (t: string) => string[]) => [...new Set(lower.flatMap(grams))].filter((_, i) => i % 2 === 0);
  const word = vocab((t) => wordNgrams(wordTokens(t), [1, 2])), grams = vocab((t) => charWbNgrams(t, [2, 5]));
  // terms no text holds between the char_wb ones, so that some columns are ≥ HOT_IDS as in a real model: the
  // look-ups then probe their second table here too (ml/text/warmUp.ts: else V8 deoptimises at the first real text)
  const filler = Array.from({ length: HOT_IDS }, (_, i) => `\u0001${i.toString(36)}`);
  const char = [...grams.slice(0, grams.length >> 1), ...filler, ...grams.slice(grams.length >> 1)];
  const vectorizers = ([[configOf('word', [1, 2]), word], [configOf('char_wb', [2, 5]), char]] as [VectorizerConfig, string[]][]).map(([c, terms]) => {
    const idf = new Float32Array(terms.length);
    for (let i = 0; i < idf.length; i++) idf[i] = 1 + (i % 7) / 3;
    return TfidfVectorizer.fromParts(TfidfVectorizer.fromTerms(c, terms, idf).toParts());
  });
  const d = vectorizers.reduce((a, v) => a + v.nFeatures, 0);
  // a repeating pattern of weights in [-1, 1], doubled by copies (a loop per weight is slow in cold code)
  const weights = new Float32Array((d + 1) * nLabels);
  for (let i = 0; i < Math.min(201, weights.length); i++) weights[i] = ((i * 7919) % 201) / 100 - 1;
  for (let k = 201; k < weights.length; k *= 2) weights.copyWithin(k, 0, k);
  const names = Array.from({ length: nLabels }, (_, l) => `label${l}`);
  const info = { epochs: 1, converged: true, maxViolation: 0, nDocuments: texts.length, nWordFeatures: vectorizers[0]!.nFeatures, nCharFeatures: vectorizers[1]!.nFeatures };
  const model = new TextClassifierModel(mode, names, options, vectorizers, { nFeatures: d, nLabels, weights, interceptScaling: 1 }, info);
  let sum = 0;
  for (let r = 0; r < rounds; r++) sum += model.predict(texts)[r % nLabels]!;
  return sum;
}
