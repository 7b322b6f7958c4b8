/**
 * JIT warm-up of `TextClassifierModel.predict` on a `text.train` job's evaluation thread (evalThread.ts). A fresh
 * thread runs the tf-idf transform and the linear scorer in V8's interpreter first: scoring jigsaw-10k's 1,996 test
 * documents cold took ~2× the CPU it takes once optimised (~0.5 s vs ~0.25 s, load ~4), the first 200 documents
 * most of it. A made-up model on made-up documents did not help (its first real chunks were as slow: V8 had
 * optimised for other inputs), but a tiny model fitted on a few hundred of the job's own training texts did. So the
 * thread, which is otherwise idle while the job trains, fits one (word 1–2 + char_wb 2–5 n-grams, restored from its
 * parts as the real model is in the thread, with the job's number of labels and mode) and scores those texts.
 * The texts are only read; nothing of this model is kept.
 */
import type { ClassMode } from '../../ml/linear/logreg.ts';
import { TextClassifierModel } from '../../ml/text/classifier.ts';
import { resolveTextClassifierOptions } from '../../ml/text/options.ts';
import { TfidfVectorizer, type VectorizerConfig } from '../../ml/text/vocabulary.ts';

export interface WarmUpInput {
  texts: string[];
  nLabels: number;
  mode: ClassMode;
}

/** Scores `texts` with a tiny model fitted on them; returns a checksum (so nothing is optimised away). */
export function warmUpPredict({ texts, nLabels, mode }: WarmUpInput, rounds = 2): number {
  if (texts.length === 0 || nLabels < 1) return 0;
  const options = resolveTextClassifierOptions({});
  const configOf = (analyzer: 'word' | 'char_wb', ngramRange: [number, number]): VectorizerConfig => ({ analyzer, ngramRange, minDf: 1, maxFeatures: null, lowercase: true, sublinearTf: true });
  const vectorizers = [configOf('word', [1, 2]), configOf('char_wb', [2, 5])]
    .map((c) => TfidfVectorizer.fromParts(TfidfVectorizer.fitTransform(texts, c).vectorizer.toParts()));
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
