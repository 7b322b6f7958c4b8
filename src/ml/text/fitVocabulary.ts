/**
 * Vocabulary fitting for TfidfVectorizer. One counting pass looks every n-gram up in a 64-bit-keyed table and
 * records each document's distinct ids and counts, so the training matrix is built without a second tokenising
 * pass; strings are built only for the kept terms, from a copy of the documents' code-point streams.
 * The phases are separate functions on purpose: V8 optimises a long-running loop in place (OSR), and a function
 * holding several such loops deoptimises at each later loop it has no type feedback for.
 */
import type { Csr } from '../sparse/csr.ts';
import { NgramHashTable } from './hashTable.ts';
import { analyze, NgramScratch, type AnalyzerKind } from './analyzers.ts';
import { fromCodePoints } from './tokenize.ts';

/** How TfidfVectorizer analyses and counts (declared here, beside the fit that reads it; vocabulary.ts re-exports it). */
export interface VectorizerConfig {
  analyzer: AnalyzerKind;
  /** Inclusive [min, max] n-gram lengths (tokens for 'word', characters for 'char_wb'). */
  ngramRange: [number, number];
  /** Minimum number of training documents a term must occur in (sklearn's integer min_df). */
  minDf: number;
  /** Keep at most this many terms, by total count in the training set; null keeps all. */
  maxFeatures: number | null;
  lowercase: boolean;
  sublinearTf: boolean;
}

export interface FitHooks {
  /** Fraction 0..1 of documents counted. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const e = new Error('aborted');
    e.name = 'AbortError';
    throw e;
  }
}

export function grow<T extends Int32Array | Float32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** ln(c) for small counts, so weighting does not call Math.log per entry. */
const LOG = Float64Array.from({ length: 1024 }, (_, i) => (i === 0 ? 0 : Math.log(i)));

/**
 * One row's values: out[p] = (sublinear) tf × idf of counts[p] for column cols[p], p in [from, to), then L2-normalised.
 * Each value is rounded to float32 once stored; the norm sums the unrounded values (the fused scorer must match
 * training bit for bit, so both use this).
 */
export function weighSpan(counts: Int32Array, cols: Int32Array, idf: Float32Array, sublinear: boolean, out: Float32Array, from: number, to: number): void {
  let norm = 0;
  for (let p = from; p < to; p++) {
    const c = counts[p];
    const v = (sublinear ? 1 + (c < 1024 ? LOG[c] : Math.log(c)) : c) * idf[cols[p]];
    out[p] = v;
    norm += v * v;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let p = from; p < to; p++) out[p] *= inv;
  }
}

/** Turns raw counts into L2-normalised (sublinear) tf × idf values. */
export function weigh(indptr: Int32Array, indices: Int32Array, counts: Int32Array, nRows: number, nCols: number, idf: Float32Array, sublinear: boolean): Csr {
  const data = new Float32Array(indices.length);
  for (let i = 0; i < nRows; i++) weighSpan(counts, indices, idf, sublinear, data, indptr[i], indptr[i + 1]);
  return { nRows, nCols, indptr, indices, data };
}

/** What one counting pass over the training documents records. */
interface Counts {
  table: NgramHashTable;
  /** Per document d, its distinct n-gram ids and counts are raw[rowPtr[d] .. rowPtr[d+1]). */
  rowPtr: Int32Array;
  rawIds: Int32Array;
  rawCnt: Int32Array;
  /** Code points of every document's analyzer stream, and where each id first occurs in it. */
  streams: Int32Array;
  firstPos: Int32Array;
  firstLen: Int32Array;
}

function countNgrams(texts: readonly string[], config: VectorizerConfig, hooks: FitHooks): Counts {
  const { analyzer, lowercase, ngramRange } = config;
  const n = texts.length, s = new NgramScratch(), table = new NgramHashTable(1 << 15);
  let totalChars = 0;
  for (let d = 0; d < n; d++) totalChars += texts[d].length;
  // per id: where its first occurrence sits in `streams`, and 1 + the raw position of its entry for the
  // current document (raw positions only grow, so an entry of an earlier document is < docStart)
  let firstPos = new Int32Array(1 << 15), firstLen = new Int32Array(1 << 15), seen = new Int32Array(1 << 15);
  const rawCap = analyzer === 'word' ? (totalChars >> 2) + 1024 : 2 * totalChars + 1024;
  let rawIds = new Int32Array(rawCap), rawCnt = new Int32Array(rawCap), rawLen = 0;
  let streams = new Int32Array(totalChars + 1024), streamBase = 0;
  const rowPtr = new Int32Array(n + 1);
  for (let d = 0; d < n; d++) {
    if ((d & 255) === 0) { throwIfAborted(hooks.signal); hooks.onProgress?.(d / n); }
    analyze(analyzer, texts[d], lowercase, ngramRange, s);
    const cnt = s.count, ids = s.ids, P = s.pos, L = s.len, docStart = rawLen;
    let nextNew = table.size;
    table.addMany(s.h1, s.h2, cnt, ids);
    if (table.size > seen.length) { firstPos = grow(firstPos, table.size); firstLen = grow(firstLen, table.size); seen = grow(seen, table.size); }
    if (rawLen + cnt > rawIds.length) { rawIds = grow(rawIds, rawLen + cnt); rawCnt = grow(rawCnt, rawLen + cnt); }
    for (let k = 0; k < cnt; k++) {
      const id = ids[k];
      if (id === nextNew) {
        // new ids appear in emission order: this is the n-gram's first occurrence
        firstPos[id] = streamBase + P[k];
        firstLen[id] = L[k];
        nextNew++;
      }
      const at = seen[id] - 1;
      if (at >= docStart) rawCnt[at]++;
      else { seen[id] = rawLen + 1; rawIds[rawLen] = id; rawCnt[rawLen++] = 1; }
    }
    rowPtr[d + 1] = rawLen;
    streams = grow(streams, streamBase + s.streamLen);
    streams.set(s.stream.subarray(0, s.streamLen), streamBase);
    streamBase += s.streamLen;
  }
  hooks.onProgress?.(1);
  return { table, rowPtr, rawIds, rawCnt, streams, firstPos, firstLen };
}

/** Document frequency and total count per id. */
function frequencies(c: Counts): { df: Int32Array; tf: Int32Array } {
  const n = c.table.size, df = new Int32Array(n), tf = new Int32Array(n), ids = c.rawIds, cnt = c.rawCnt;
  const end = c.rowPtr[c.rowPtr.length - 1];
  for (let q = 0; q < end; q++) { df[ids[q]]++; tf[ids[q]] += cnt[q]; }
  return { df, tf };
}

/** Maps the recorded ids to columns in place (dropping unkept ids) and returns the training rows' CSR layout. */
function remapRows(c: Counts, colOf: Int32Array): { indptr: Int32Array; indices: Int32Array; counts: Int32Array } {
  const nRows = c.rowPtr.length - 1, indptr = new Int32Array(nRows + 1), ids = c.rawIds, cnt = c.rawCnt, rowPtr = c.rowPtr;
  let p = 0;
  for (let d = 0; d < nRows; d++) {
    for (let q = rowPtr[d]; q < rowPtr[d + 1]; q++) {
      const col = colOf[ids[q]];
      if (col >= 0) { ids[p] = col; cnt[p++] = cnt[q]; }
    }
    indptr[d + 1] = p;
  }
  return { indptr, indices: ids.subarray(0, p), counts: cnt };
}

/** Strings, idf and look-up table of the kept terms, in column order. */
function keptTerms(c: Counts, colOf: Int32Array, df: Int32Array, nDocs: number): { terms: string[]; idf: Float32Array; kept: NgramHashTable } {
  const nEntries = colOf.length, idOfCol = new Int32Array(nEntries);
  let nCols = 0;
  for (let id = 0; id < nEntries; id++) if (colOf[id] >= 0) { idOfCol[colOf[id]] = id; nCols++; }
  const idf = new Float32Array(nCols), terms: string[] = new Array(nCols), kept = new NgramHashTable(nCols);
  for (let col = 0; col < nCols; col++) {
    const id = idOfCol[col];
    idf[col] = Math.log((1 + nDocs) / (1 + df[id])) + 1;
    terms[col] = fromCodePoints(c.streams, c.firstPos[id], c.firstPos[id] + c.firstLen[id]);
    kept.add(c.table.keys1[id], c.table.keys2[id]);
  }
  return { terms, idf, kept };
}

export interface FittedVocabulary {
  terms: string[];
  idf: Float32Array;
  /** Look-up table of the kept terms: key → column. */
  table: NgramHashTable;
  /** tf-idf rows of the training documents. */
  matrix: Csr;
}

/** Fits the vocabulary and idf on `texts` and weighs the training documents (sklearn's fit_transform). */
export function fitVocabulary(texts: readonly string[], config: VectorizerConfig, hooks: FitHooks): FittedVocabulary {
  const n = texts.length;
  const c = countNgrams(texts, config, hooks);
  const { df, tf } = frequencies(c);
  const nEntries = c.table.size, colOf = selectTerms(df, tf, nEntries, config.minDf, config.maxFeatures);
  const { terms, idf, kept } = keptTerms(c, colOf, df, n);
  const rows = remapRows(c, colOf);
  const matrix = weigh(rows.indptr, rows.indices, rows.counts, n, terms.length, idf, config.sublinearTf);
  return { terms, idf, table: kept, matrix };
}

/**
 * Column per entry id (-1 = dropped): df ≥ minDf, then the maxFeatures largest total counts (ties at the cut by
 * first occurrence); columns in descending total count, ties by first occurrence. Counting sorts: O(entries + max count).
 */
function selectTerms(df: Int32Array, tf: Int32Array, nEntries: number, minDf: number, maxFeatures: number | null): Int32Array {
  const colOf = new Int32Array(nEntries).fill(-1);
  let maxTf = 0;
  for (let id = 0; id < nEntries; id++) if (df[id] >= minDf && tf[id] > maxTf) maxTf = tf[id];
  const hist = new Int32Array(maxTf + 2);
  for (let id = 0; id < nEntries; id++) if (df[id] >= minDf) hist[tf[id]]++;
  // the cut: every count above `cut` is kept, and the first `atCut` ids with count == cut
  let cut = 1, atCut = Infinity, kept = 0;
  for (let t = maxTf; t >= 1; t--) {
    if (maxFeatures !== null && kept + hist[t] >= maxFeatures) { cut = t; atCut = maxFeatures - kept; break; }
    kept += hist[t];
  }
  if (maxFeatures === 0) return colOf;
  // start column of each count, highest count first
  const start = new Int32Array(maxTf + 2);
  let next = 0;
  for (let t = maxTf; t >= cut; t--) { start[t] = next; next += t === cut ? Math.min(hist[t], atCut) : hist[t]; }
  for (let id = 0; id < nEntries; id++) {
    const t = tf[id];
    if (df[id] < minDf || t < cut) continue;
    if (t === cut && atCut-- <= 0) continue;
    colOf[id] = start[t]++;
  }
  return colOf;
}
