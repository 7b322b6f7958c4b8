/**
 * The fused prediction path of a text classifier: per document and per vectorizer block, analyse → look the
 * n-gram hashes up → count distinct columns → tf-idf + L2 norm → accumulate those columns' weight rows, with no
 * sparse matrix built for the batch. Same arithmetic, in the same order, as `TextClassifierModel.predict`
 * (transform + weigh, float32 values, float64 accumulation in the linear kernels, float32 scores), so the two
 * agree to float rounding; the fused path only saves the batch-sized allocations and the second pass over them,
 * and keeps a document's columns in cache between look-up and scoring. char_wb blocks go word by word through a
 * cache of each word's columns (charWbCache.ts), which gives the same columns in the same order.
 * A scorer holds scratch buffers: use one per thread (it is not re-entrant, but scoring is synchronous). A model
 * with a sentence-encoder block (text.tune stackEncoder) is scored with the texts' embeddings passed in (`needsEmbeddings`;
 * sentenceEncoder.ts `embedTexts` computes them asynchronously, `scoreTexts` does both).
 */
import { dotBlock, paddedStride } from '../linear/kernels.ts';
import type { ClassMode } from '../linear/logreg.ts';
import { analyze, NgramScratch } from './analyzers.ts';
import type { TextClassifierModel } from './classifier.ts';
import type { NgramHashTable } from './hashTable.ts';
import type { VectorizerConfig } from './vocabulary.ts';
import { CharWbColumns, type DistinctSink } from './charWbCache.ts';
import { modelWordColumns } from './wordColumns.ts';
import { SHAPE_WIDTH, type ShapeBlock } from './shape.ts';
import { embedTexts, ENCODER_DIM } from './sentenceEncoder.ts';

/** Reset the per-column stamps before the running position could overflow int32. */
const STAMP_LIMIT = 1 << 30;

interface Block {
  // the vectorizer's settings as plain fields: a config object's shape varies with its values (maxFeatures null or a
  // number), and a shape the warm-up had not seen deoptimised the scorer on its first real document
  analyzer: VectorizerConfig['analyzer'];
  ngramRange: readonly [number, number];
  lowercase: boolean;
  sublinearTf: boolean;
  table: NgramHashTable;
  idf: Float32Array;
  /** The block's first column in the model's weights. */
  first: number;
  /** Per column [seen, idf bits] (see DistinctSink.meta), with the scorer's cols/counts/idfs: where a document's columns are counted. */
  sink: DistinctSink;
  /** char_wb blocks: their columns word by word through a cache (charWbCache.ts). */
  charWb: CharWbColumns | null;
}

export class FusedTextScorer {
  readonly nLabels: number;
  private readonly mode: ClassMode;
  /** Accumulator stride (labels padded for the kernel's width). */
  private readonly S: number;
  /** The model's own weights, label stride L: the kernel reads them in place (no padded copy at load). */
  private readonly W: Float32Array;
  private readonly biasRow: number;
  private readonly bias: number;
  private readonly blocks: Block[];
  /** The shape block (shape.ts) and its first column, scored after the n-gram blocks as predict does. */
  private readonly shape: ShapeBlock | null;
  private readonly shapeFirst: number;
  private readonly shapeCols = Int32Array.from({ length: SHAPE_WIDTH }, (_, c) => c);
  /** The encoder block's first column (after the n-gram blocks), or −1 without one. */
  private readonly encoderFirst: number;
  private readonly encoderCols = Int32Array.from({ length: ENCODER_DIM }, (_, c) => c);
  private readonly scratch = new NgramScratch();
  /** A document's distinct columns of one block (never more than the block's columns: sized once, never grown). */
  private readonly cols: Int32Array;
  private readonly counts: Int32Array;
  private readonly vals: Float32Array;
  private readonly idfs: Float32Array;
  private readonly acc: Float64Array;
  private readonly tmp: Float64Array;
  /** Columns of the widest block: a document never has more distinct columns in one block. */
  private readonly widest: number;
  private running = 0;

  constructor(model: TextClassifierModel) {
    const lin = model.linear, L = lin.nLabels;
    this.nLabels = L;
    this.mode = model.mode;
    this.S = paddedStride(L);
    this.W = lin.weights;
    this.biasRow = lin.nFeatures * L;
    this.bias = lin.interceptScaling;
    this.acc = new Float64Array(this.S);
    this.tmp = new Float64Array(this.S);
    const widest = Math.max(SHAPE_WIDTH, ...model.vectorizers.map((v) => v.nFeatures));
    this.widest = widest;
    this.cols = new Int32Array(widest);
    this.counts = new Int32Array(widest);
    this.vals = new Float32Array(widest);
    this.idfs = new Float32Array(widest);
    let offset = 0;
    const stored = modelWordColumns.get(model);
    this.blocks = model.vectorizers.map((v, k) => {
      const { analyzer, ngramRange, lowercase } = v.config;
      const charWb = analyzer === 'char_wb' ? new CharWbColumns(v.lookupTable, ngramRange[0], ngramRange[1], lowercase, stored?.[k] ?? null) : null;
      const { meta, metaF } = columnMeta(v.idf);
      const b: Block = { analyzer, ngramRange: [ngramRange[0], ngramRange[1]], lowercase, sublinearTf: v.config.sublinearTf, table: v.lookupTable, idf: v.idf, first: offset, sink: { meta, metaF, cols: this.cols, counts: this.counts, idfs: this.idfs }, charWb };
      offset += v.nFeatures;
      return b;
    });
    this.encoderFirst = model.encoder ? offset : -1;
    if (model.encoder) offset += ENCODER_DIM;
    this.shape = model.shape;
    this.shapeFirst = offset;
    if (model.shape) offset += model.shape.nFeatures;
    if (offset !== lin.nFeatures) throw new Error(`fused scorer: vectorizers have ${offset} columns, the model ${lin.nFeatures} features`);
  }

  /** Whether `score` needs the texts' sentence embeddings (the model has an encoder block). */
  get needsEmbeddings(): boolean {
    return this.encoderFirst >= 0;
  }

  /**
   * Probabilities rows × labels (row-major), equal to `model.predict(texts, embedded)` up to float rounding;
   * `embedded` (rows × ENCODER_DIM) only and always for a model with an encoder block.
   */
  score(texts: readonly string[], out: Float32Array = new Float32Array(texts.length * this.nLabels), embedded?: Float32Array): Float32Array {
    const L = this.nLabels;
    if (this.encoderFirst >= 0 && embedded?.length !== texts.length * ENCODER_DIM) {
      throw new Error(embedded ? `fused scorer: ${embedded.length / ENCODER_DIM} embeddings for ${texts.length} texts` : 'fused scorer: this model has a sentence-encoder block; score it with scoreTexts (its texts must be embedded first)');
    }
    for (let d = 0; d < texts.length; d++) {
      const t = texts[d];
      if (typeof t !== 'string') throw new Error(`texts[${d}]: expected a string, got ${typeof t}`);
      this.scoreOne(t, out, d * L, this.encoderFirst >= 0 ? embedded!.subarray(d * ENCODER_DIM, (d + 1) * ENCODER_DIM) : null);
    }
    return out;
  }

  private scoreOne(text: string, out: Float32Array, at: number, embedding: Float32Array | null): void {
    const S = this.S, acc = this.acc, tmp = this.tmp, L = this.nLabels, W = this.W;
    for (let b = 0; b < this.blocks.length; b++) {
      const B = this.blocks[b];
      const n = this.columns(B, text);
      const into = b === 0 ? acc : tmp;
      rowsDot(W, L, B.first, this.cols, this.vals, n, into, S);
      if (b > 0) for (let l = 0; l < S; l++) acc[l] += tmp[l];
    }
    if (embedding) {
      rowsDot(W, L, this.encoderFirst, this.encoderCols, embedding, ENCODER_DIM, tmp, S);
      for (let l = 0; l < S; l++) acc[l] += tmp[l];
    }
    if (this.shape) {
      this.shape.fill(text, this.vals);
      rowsDot(W, L, this.shapeFirst, this.shapeCols, this.vals, SHAPE_WIDTH, tmp, S);
      for (let l = 0; l < S; l++) acc[l] += tmp[l];
    }
    const biasRow = this.biasRow, bias = this.bias;
    for (let l = 0; l < L; l++) out[at + l] = acc[l] + W[biasRow + l] * bias;
    for (let l = 0; l < L; l++) out[at + l] = 1 / (1 + Math.exp(-out[at + l]));
    if (this.mode === 'multi-class') {
      let s = 0;
      for (let l = 0; l < L; l++) s += out[at + l];
      if (s > 0) for (let l = 0; l < L; l++) out[at + l] /= s;
    }
  }

  /** Fills cols/vals[0..n) with the document's distinct columns of block `B` (first-occurrence order) and their L2-normalised tf-idf. */
  private columns(B: Block, text: string): number {
    const sublinearTf = B.sublinearTf;
    const cols = this.cols, counts = this.counts, idfs = this.idfs, { meta, metaF } = B.sink;
    if (this.running + this.widest >= STAMP_LIMIT) {
      for (const blk of this.blocks) for (let c = 0; c < blk.sink.meta.length; c += 2) blk.sink.meta[c] = 0;
      this.running = 0;
    }
    const start = this.running;
    let n = 0;
    if (B.charWb) n = B.charWb.distinct(text, B.sink, start);
    else {
      const s = this.scratch, { analyzer, lowercase, ngramRange } = B;
      analyze(analyzer, text, lowercase, ngramRange, s);
      const cnt = s.count, ids = s.ids;
      B.table.getMany(s.h1, s.h2, cnt, ids);
      for (let k = 0; k < cnt; k++) {
        const col = ids[k];
        if (col < 0) continue;
        const at = meta[col << 1] - 1 - start;
        if (at >= 0) counts[at]++;
        else { meta[col << 1] = start + n + 1; idfs[n] = metaF[(col << 1) + 1]; cols[n] = col; counts[n++] = 1; }
      }
    }
    this.running = start + n;
    weigh(counts, idfs, sublinearTf, this.vals, n);
    return n;
  }
}

/** `scorer.score(texts, out)`, with the texts embedded first (off this call's thread's other work: asynchronously) when the model has an encoder block. */
export async function scoreTexts(scorer: FusedTextScorer, texts: readonly string[], out?: Float32Array): Promise<Float32Array> {
  return scorer.score(texts, out, scorer.needsEmbeddings ? await embedTexts(texts) : undefined);
}

/**
 * Per column [0, idf bits] (DistinctSink.meta). A top-level loop over plain arrays: the same optimised code for every
 * model (inside the constructor's callback it was deoptimised at a real model's first load, and its 150k columns
 * ran unoptimised inside the first batch's time).
 */
function columnMeta(idf: Float32Array): { meta: Int32Array; metaF: Float32Array } {
  const n = idf.length, meta = new Int32Array(2 * n), metaF = new Float32Array(meta.buffer);
  for (let c = 0; c < n; c++) metaF[2 * c + 1] = idf[c];
  return { meta, metaF };
}

/** ln(c) for small counts: fitVocabulary's table, same values. */
const LOG = Float64Array.from({ length: 1024 }, (_, i) => (i === 0 ? 0 : Math.log(i)));

/**
 * vals[0..n) = L2-normalised (sublinear) tf × idf: training's weighSpan bit for bit (same float64 steps, same
 * float32 stores), with each column's idf already beside its count (idfs) instead of read by column.
 */
function weigh(counts: Int32Array, idfs: Float32Array, sublinear: boolean, vals: Float32Array, n: number): void {
  let norm = 0;
  for (let p = 0; p < n; p++) {
    const c = counts[p];
    const v = (sublinear ? 1 + (c < 1024 ? LOG[c] : Math.log(c)) : c) * idfs[p];
    vals[p] = v;
    norm += v * v;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let p = 0; p < n; p++) vals[p] *= inv;
  }
}

/**
 * into[0..S) = Σ_p vals[p] · W[(first + cols[p])·L + l], label by label in float64, in p order: the solver's
 * kernel (dotBlock) on the model's own weights, stride L. Rows are read in chunks of up to 8 labels: a chunk may
 * read past a row's last label into the next row (the bias row follows the last feature row, so that stays inside
 * W); those extra sums land in the accumulator's padding and are never used.
 */
function rowsDot(W: Float32Array, L: number, first: number, cols: Int32Array, vals: Float32Array, n: number, into: Float64Array, S: number): void {
  for (let c = 0; c < L; c += 8) {
    const left = L - c, width = left > 4 ? 8 : left > 2 ? 4 : left > 1 ? 2 : 1;
    dotBlock(W, L, first * L + c, width, cols, vals, 0, n, into, c);
  }
  for (let l = L; l < S; l++) into[l] = 0;
}
