/**
 * The sentence-encoder base of `text.tune --stack-encoder` (issue 18): one logistic regression per label on the
 * texts' sentence embeddings (sentenceEncoder.ts, 512 dense columns). Every other base is an n-gram model fitted on
 * the training part alone; the encoder brings what it learned elsewhere. Its logits are one more input of the
 * cross-label combiner, and the refit appends the embedding columns to the model as an encoder block (linear in
 * the embedding, so the tuned version is still one linear model over its blocks).
 * Measured on jigsaw-10k's train part (bench/quality.encoder.ts): out-of-fold mean ROC AUC 0.9429 alone (C = 10;
 * scikit-learn on the same embeddings 0.9429 at C = 10, 0.9422 at C = 1); beside version 5's bases, nested
 * (5 cuts × 2 seeds, every choice on the 80 %) +0.0151 held-out macro F1 with plain thresholds, +0.0122 bagged.
 */
import { csrFromDense, type Csr } from '../sparse/csr.ts';
import { decisionFunction, fitLogisticRegression, type LinearModel } from '../linear/logreg.ts';
import { ENCODER_DIM } from './sentenceEncoder.ts';

/** The encoder base's inverse regularisation (out-of-fold AUC 0.9429 at 10 vs 0.9422 at 1 on jigsaw-10k's train part). */
export const ENCODER_C = 10;

export interface EncoderFitOptions {
  C: number;
  maxEpochs: number;
  tol: number;
  seed: number;
  signal?: AbortSignal;
}

/** The fold models' settings (the model's seed; dense columns converge in far fewer passes than the solver's cap). */
export function encoderFit(options: { seed?: unknown }): EncoderFitOptions {
  return { C: ENCODER_C, maxEpochs: 100, tol: 0.01, seed: typeof options.seed === 'number' ? options.seed : 0 };
}

/** The embedding rows `rows` of `E` (rows × ENCODER_DIM) as a dense CSR block. */
export function embeddingRows(E: Float32Array, rows: ArrayLike<number>): Csr {
  const dense = new Float32Array(rows.length * ENCODER_DIM);
  for (let r = 0; r < rows.length; r++) dense.set(E.subarray(rows[r]! * ENCODER_DIM, (rows[r]! + 1) * ENCODER_DIM), r * ENCODER_DIM);
  return csrFromDense(dense, rows.length, ENCODER_DIM);
}

/** One-vs-rest logistic regression on the embeddings of `rows`; `Y` holds those rows' labels (rows.length × L). */
export function fitEncoderBase(E: Float32Array, rows: ArrayLike<number>, Y: Uint8Array, L: number, o: EncoderFitOptions): LinearModel {
  return fitLogisticRegression(embeddingRows(E, rows), Y, L, { C: o.C, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed, signal: o.signal }).model;
}

/** The base's probabilities for `rows` (rows.length × L), as the other bases' predict gives them. */
export function encoderBaseScores(model: LinearModel, E: Float32Array, rows: ArrayLike<number>): Float32Array {
  const z = decisionFunction(model, embeddingRows(E, rows));
  for (let k = 0; k < z.length; k++) z[k] = 1 / (1 + Math.exp(-z[k]!));
  return z;
}
