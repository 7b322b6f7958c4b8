/**
 * The fused prediction path of a text classifier: per document and per vectorizer block, analyse → look the
 * n-gram hashes up → count distinct columns → tf-idf + L2 norm → accumulate those columns' weight rows, with no
 * sparse matrix built for the batch. Same arithmetic, in the same order, as `TextClassifierModel.predict`
 * (transform + weigh, float32 values, float64 accumulation in the linear kernels, float32 scores), so the two
 * agree to float rounding; the fused path only saves the batch-sized allocations and the second pass over them,
 * and keeps a document's columns in cache between look-up and scoring. char_wb blocks go word by word through a
 * cache of each word's columns (charWbCache.ts), which gives the same columns in the same order.
 * A scorer holds scratch buffers: use one per thread (it is not re-entrant, but scoring is synchronous).
 */
import { dotBlock, paddedStride } from '../linear/kernels.ts';
import type { ClassMode } from '../linear/logreg.ts';
import { analyze, NgramScratch } from './analyzers.ts';
import type { TextClassifierModel } from './classifier.ts';
import type { NgramHashTable } from './hashTable.ts';
import type { VectorizerConfig } from './vocabulary.ts';
import { CharWbColumns } from './charWbCache.ts';
import { weighSpan } from './fitVocabulary.ts';

/** Reset the per-column stamps before the running position could overflow int32. */
const STAMP_LIMIT = 1 << 30;

interface Block {
  config: Readonly<VectorizerConfig>;
  table: NgramHashTable;
  idf: Float32Array;
  /** Weights of this block's first column onwards (padded label stride). */
  weights: Float32Array;
  /** seen[col] = 1 + running position of col's entry; an entry before the document's start is stale. */
  seen: Int32Array;
  /** char_wb blocks: their columns word by word through a cache (charWbCache.ts). */
  charWb: CharWbColumns | null;
}

export class FusedTextScorer {
  readonly nLabels: number;
  private readonly mode: ClassMode;
  private readonly S: number;
  private readonly width: number;
  private readonly W: Float32Array;
  private readonly biasRow: number;
  private readonly bias: number;
  private readonly blocks: Block[];
  private readonly scratch = new NgramScratch();
  private cols = new Int32Array(4096);
  private counts = new Int32Array(4096);
  private vals = new Float32Array(4096);
  private readonly acc: Float64Array;
  private readonly tmp: Float64Array;
  private running = 0;

  constructor(model: TextClassifierModel) {
    const lin = model.linear, L = lin.nLabels, S = paddedStride(L);
    this.nLabels = L;
    this.mode = model.mode;
    this.S = S;
    this.width = Math.min(S, 8);
    this.W = S === L ? lin.weights : padWeights(lin.weights, lin.nFeatures, L, S);
    this.biasRow = lin.nFeatures * S;
    this.bias = lin.interceptScaling;
    this.acc = new Float64Array(S);
    this.tmp = new Float64Array(S);
    let offset = 0;
    this.blocks = model.vectorizers.map((v) => {
      const { analyzer, ngramRange, lowercase } = v.config;
      const charWb = analyzer === 'char_wb' ? new CharWbColumns(v.lookupTable, ngramRange[0], ngramRange[1], lowercase) : null;
      const b: Block = { config: v.config, table: v.lookupTable, idf: v.idf, weights: this.W.subarray(offset * S), seen: new Int32Array(v.nFeatures), charWb };
      offset += v.nFeatures;
      return b;
    });
    if (offset !== lin.nFeatures) throw new Error(`fused scorer: vectorizers have ${offset} columns, the model ${lin.nFeatures} features`);
  }

  /** Probabilities rows × labels (row-major), equal to `model.predict(texts)` up to float rounding. */
  score(texts: readonly string[], out = new Float32Array(texts.length * this.nLabels)): Float32Array {
    const L = this.nLabels;
    for (let d = 0; d < texts.length; d++) {
      const t = texts[d];
      if (typeof t !== 'string') throw new Error(`texts[${d}]: expected a string, got ${typeof t}`);
      this.scoreOne(t, out, d * L);
    }
    return out;
  }

  private scoreOne(text: string, out: Float32Array, at: number): void {
    const S = this.S, width = this.width, acc = this.acc, tmp = this.tmp, L = this.nLabels;
    for (let b = 0; b < this.blocks.length; b++) {
      const n = this.columns(this.blocks[b], text);
      const into = b === 0 ? acc : tmp;
      for (let c = 0; c < S; c += width) dotBlock(this.blocks[b].weights, S, c, width, this.cols, this.vals, 0, n, into);
      if (b > 0) for (let l = 0; l < S; l++) acc[l] += tmp[l];
    }
    const W = this.W, biasRow = this.biasRow, bias = this.bias;
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
    const { analyzer, lowercase, ngramRange, sublinearTf } = B.config;
    let cnt: number, ids: Int32Array;
    if (B.charWb) {
      cnt = B.charWb.run(text);
      ids = B.charWb.ids;
    } else {
      const s = this.scratch;
      analyze(analyzer, text, lowercase, ngramRange, s);
      cnt = s.count;
      ids = s.ids;
      B.table.getMany(s.h1, s.h2, cnt, ids);
    }
    if (cnt > this.cols.length) this.grow(cnt);
    if (this.running + cnt >= STAMP_LIMIT) {
      for (const blk of this.blocks) blk.seen.fill(0);
      this.running = 0;
    }
    const seen = B.seen, cols = this.cols, counts = this.counts, start = this.running;
    let n = 0;
    for (let k = 0; k < cnt; k++) {
      const col = ids[k];
      if (col < 0) continue;
      const at = seen[col] - 1 - start;
      if (at >= 0) counts[at]++;
      else { seen[col] = start + n + 1; cols[n] = col; counts[n++] = 1; }
    }
    this.running = start + n;
    // the same values as training's weigh(), bit for bit
    weighSpan(counts, cols, B.idf, sublinearTf, this.vals, 0, n);
    return n;
  }

  private grow(n: number): void {
    const cap = Math.max(n, this.cols.length * 2);
    this.cols = new Int32Array(cap);
    this.counts = new Int32Array(cap);
    this.vals = new Float32Array(cap);
  }
}

function padWeights(weights: Float32Array, nFeatures: number, L: number, S: number): Float32Array {
  const W = new Float32Array((nFeatures + 1) * S);
  for (let f = 0; f <= nFeatures; f++) for (let l = 0; l < L; l++) W[f * S + l] = weights[f * L + l];
  return W;
}
