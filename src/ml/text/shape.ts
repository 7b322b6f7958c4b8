/**
 * Per-document shape features the lowercasing n-gram blocks cannot see (issue 18, `text.tune` stackShape): shouting
 * in capitals, '!' and '?' runs, length, stretched letters ("sooo") and punctuation — known toxic / severe_toxic
 * signals on Jigsaw. Counts are log1p'd (heavy tails); each feature is standardised with the mean and standard
 * deviation of the training texts (stored with the model), so the L2-penalised combiner weighs them like its logit
 * inputs. As a model block the features are columns after the n-gram blocks, scored by predict and the fused scorer.
 * Nested on jigsaw-10k's train part (bench/quality.case.ts, bench/quality.steady.ts): +0.0036 / +0.0075 held-out macro
 * F1 over version 5's bases with plain thresholds, +0.0018 with bagged thresholds.
 */
import type { Csr } from '../sparse/csr.ts';

export const SHAPE_FEATURES = ['capsShare', 'capsWordShare', 'exclamations', 'questions', 'length', 'stretched', 'punctShare'] as const;
export const SHAPE_WIDTH = SHAPE_FEATURES.length;

/** \s or \d (the class of the reference definition, for characters outside ASCII). */
const SPACE_OR_DIGIT = /[\s\d]/;
/** Words of the reference definition: runs of at least two Unicode letters. */
const WORDS = /\p{L}{2,}/gu;

/**
 * Raw features of one text into out[0..SHAPE_WIDTH), in SHAPE_FEATURES order. Definition (UTF-16 code units): a
 * letter is a unit whose lower and upper case differ, upper-case when it equals its upper case; '!' and '?' are
 * counted, every other unit that is not \s or \d is punctuation; a run of 3+ equal units counts once as stretched;
 * words are runs of 2+ Unicode letters, all-caps when equal to their upper case and unequal to their lower case.
 * ASCII takes a char-code path with the same results (shape.test.ts checks it against that definition).
 */
export function shapeOf(text: string, out: Float64Array | number[] = new Float64Array(SHAPE_WIDTH)): Float64Array | number[] {
  let letters = 0, upper = 0, excl = 0, quest = 0, punct = 0, stretched = 0, run = 1, prev = -1;
  let ascii = true, words = 0, capsWords = 0, wordLen = 0, wordUpper = false, wordLower = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      const isUpper = c >= 65 && c <= 90, isLower = c >= 97 && c <= 122;
      if (isUpper || isLower) {
        letters++;
        if (isUpper) upper++;
        wordLen++;
        wordUpper ||= isUpper;
        wordLower ||= isLower;
      } else {
        if (c === 33) excl++;
        else if (c === 63) quest++;
        else if (!(c === 32 || (c >= 9 && c <= 13) || (c >= 48 && c <= 57))) punct++;
        if (wordLen >= 2) {
          words++;
          if (wordUpper && !wordLower) capsWords++;
        }
        wordLen = 0;
        wordUpper = wordLower = false;
      }
    } else {
      ascii = false;
      const ch = text[i]!, lo = ch.toLowerCase(), up = ch.toUpperCase();
      if (lo !== up) {
        letters++;
        if (ch === up) upper++;
      } else if (!SPACE_OR_DIGIT.test(ch)) punct++;
    }
    if (c === prev) {
      if (++run === 3) stretched++;
    } else run = 1;
    prev = c;
  }
  if (ascii) {
    if (wordLen >= 2) {
      words++;
      if (wordUpper && !wordLower) capsWords++;
    }
  } else {
    // outside ASCII, letters (\p{L}) and cased letters differ: the reference definition's words
    words = capsWords = 0;
    for (const m of text.matchAll(WORDS)) {
      words++;
      const w = m[0];
      if (w === w.toUpperCase() && w !== w.toLowerCase()) capsWords++;
    }
  }
  out[0] = letters ? upper / letters : 0;
  out[1] = words ? capsWords / words : 0;
  out[2] = Math.log1p(excl);
  out[3] = Math.log1p(quest);
  out[4] = Math.log1p(n);
  out[5] = Math.log1p(stretched);
  out[6] = n ? punct / n : 0;
  return out;
}

export interface ShapeBlockJson {
  features: string[];
  mean: number[];
  sd: number[];
}

/** The shape features as a model block: SHAPE_WIDTH standardised columns. */
export class ShapeBlock {
  readonly nFeatures = SHAPE_WIDTH;
  private readonly raw = new Float64Array(SHAPE_WIDTH);

  constructor(
    readonly mean: Float64Array,
    readonly sd: Float64Array,
  ) {}

  /** Means and (population) standard deviations of the features over `texts`. */
  static fit(texts: readonly string[]): ShapeBlock {
    return ShapeBlock.fitRaw(texts).block;
  }

  /** `fit(texts)` and its `transform(texts)` from one pass of feature extraction (the same values, bit for bit). */
  static fitTransform(texts: readonly string[]): { block: ShapeBlock; matrix: Csr } {
    const { block, raw } = ShapeBlock.fitRaw(texts);
    return { block, matrix: block.standardised(raw, texts.length) };
  }

  private static fitRaw(texts: readonly string[]): { block: ShapeBlock; raw: Float64Array } {
    const E = SHAPE_WIDTH, N = texts.length, raw = rawRows(texts);
    const mean = new Float64Array(E), sd = new Float64Array(E);
    for (let c = 0; c < E; c++) {
      let m = 0, s = 0;
      for (let i = 0; i < N; i++) m += raw[i * E + c]!;
      m /= N || 1;
      for (let i = 0; i < N; i++) s += (raw[i * E + c]! - m) ** 2;
      mean[c] = m;
      sd[c] = Math.sqrt(s / (N || 1));
    }
    return { block: new ShapeBlock(mean, sd), raw };
  }

  /** The standardised features of one text into vals[0..SHAPE_WIDTH) (a constant training feature stays 0). */
  fill(text: string, vals: Float32Array): void {
    standardise(shapeOf(text, this.raw), 0, this.mean, this.sd, vals, 0);
  }

  /** rows × SHAPE_WIDTH, every column stored (a dense block in CSR form). */
  transform(texts: readonly string[]): Csr {
    return this.standardised(rawRows(texts), texts.length);
  }

  /** Raw feature rows (N × SHAPE_WIDTH) standardised, as a dense block in CSR form. */
  private standardised(raw: Float64Array, N: number): Csr {
    const E = SHAPE_WIDTH, data = new Float32Array(N * E), indices = new Int32Array(N * E), indptr = new Int32Array(N + 1);
    for (let i = 0; i < N; i++) {
      standardise(raw, i * E, this.mean, this.sd, data, i * E);
      for (let c = 0; c < E; c++) indices[i * E + c] = c;
      indptr[i + 1] = (i + 1) * E;
    }
    return { nRows: N, nCols: E, indptr, indices, data };
  }

  toJSON(): ShapeBlockJson {
    return { features: [...SHAPE_FEATURES], mean: Array.from(this.mean), sd: Array.from(this.sd) };
  }

  /** A stored block; refuses one whose features are not this build's (a model from a newer build). */
  static fromJSON(j: ShapeBlockJson): ShapeBlock {
    const ok = Array.isArray(j?.features) && j.features.length === SHAPE_WIDTH && j.features.every((f, c) => f === SHAPE_FEATURES[c]);
    if (!ok) throw new Error(`text classifier: the shape block's features ${JSON.stringify(j?.features)} are not this build's (${SHAPE_FEATURES.join(', ')})`);
    if (j.mean?.length !== SHAPE_WIDTH || j.sd?.length !== SHAPE_WIDTH || ![...j.mean, ...j.sd].every(Number.isFinite)) throw new Error('text classifier: the shape block needs a finite mean and sd per feature');
    return new ShapeBlock(Float64Array.from(j.mean), Float64Array.from(j.sd));
  }
}

/** The unstandardised features of every text, row after row (N × SHAPE_WIDTH). */
function rawRows(texts: readonly string[]): Float64Array {
  const E = SHAPE_WIDTH, raw = new Float64Array(texts.length * E), row = new Float64Array(E);
  texts.forEach((t, i) => raw.set(shapeOf(t, row), i * E));
  return raw;
}

/** out[at..at+SHAPE_WIDTH) = raw[from..) standardised with mean and sd (a feature constant in training stays 0). */
function standardise(raw: ArrayLike<number>, from: number, mean: Float64Array, sd: Float64Array, out: Float32Array, at: number): void {
  for (let c = 0; c < SHAPE_WIDTH; c++) out[at + c] = sd[c]! > 0 ? (raw[from + c]! - mean[c]!) / sd[c]! : 0;
}
