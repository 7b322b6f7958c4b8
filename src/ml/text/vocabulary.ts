/**
 * TfidfVectorizer with scikit-learn's semantics (sklearn 1.2): vocabulary of n-grams with document frequency
 * ≥ minDf, then the maxFeatures with the largest total count, smooth idf = ln((1+n)/(1+df)) + 1, tf or
 * sublinear tf (1 + ln tf), rows L2-normalised. Columns are numbered in first-occurrence order (sklearn sorts
 * them alphabetically; the matrices are the same up to that column permutation — use `vocabulary()` to map).
 * Ties at the maxFeatures cut are broken by first occurrence (numpy's unstable argsort has no defined order).
 *
 * Fitting counts every n-gram once in a 64-bit-keyed hash table while recording each document's distinct
 * n-gram ids, so the training matrix is built without a second tokenising pass; strings are rebuilt only for
 * the kept terms (from the first document that had each).
 */
import type { Csr } from '../sparse/csr.ts';
import { NgramHashTable } from './hashTable.ts';
import { analyze, hashTerm, NgramScratch, type AnalyzerKind } from './analyzers.ts';
import { fromCodePoints } from './tokenize.ts';

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

function grow<T extends Int32Array | Float32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export class TfidfVectorizer {
  private constructor(
    readonly config: Readonly<VectorizerConfig>,
    /** Term strings by column. */
    readonly terms: readonly string[],
    /** Smooth idf by column. */
    readonly idf: Float32Array,
    private readonly table: NgramHashTable,
  ) {}

  get nFeatures(): number {
    return this.terms.length;
  }

  /** term → column. */
  vocabulary(): Map<string, number> {
    return new Map(this.terms.map((t, i) => [t, i]));
  }

  /** Restores a fitted vectorizer from its terms and idf (what `toJSON` or a model file holds). */
  static fromTerms(config: VectorizerConfig, terms: readonly string[], idf: Float32Array): TfidfVectorizer {
    if (terms.length !== idf.length) throw new Error(`vectorizer: ${terms.length} terms but ${idf.length} idf values`);
    const table = new NgramHashTable(terms.length);
    for (const t of terms) {
      const [h1, h2] = hashTerm(t);
      if (table.add(h1, h2) !== table.size - 1) throw new Error(`vectorizer: duplicate term ${JSON.stringify(t)}`);
    }
    return new TfidfVectorizer({ ...config, ngramRange: [...config.ngramRange] }, terms, idf, table);
  }

  toJSON(): { config: VectorizerConfig; terms: string[]; idf: number[] } {
    return { config: { ...this.config, ngramRange: [...this.config.ngramRange] }, terms: [...this.terms], idf: Array.from(this.idf) };
  }

  static fromJSON(j: { config: VectorizerConfig; terms: string[]; idf: number[] }): TfidfVectorizer {
    return TfidfVectorizer.fromTerms(j.config, j.terms, Float32Array.from(j.idf));
  }

  /** Fits the vocabulary and idf on `texts` and returns their tf-idf matrix (sklearn's fit_transform). */
  static fitTransform(texts: readonly string[], config: VectorizerConfig, hooks: FitHooks = {}): { vectorizer: TfidfVectorizer; matrix: Csr } {
    return fitTransform(texts, config, hooks);
  }

  /** tf-idf rows for `texts` with the fitted vocabulary; unknown n-grams are ignored. */
  transform(texts: readonly string[]): Csr {
    const { analyzer, lowercase, ngramRange, sublinearTf } = this.config;
    const nCols = this.terms.length, table = this.table, s = new NgramScratch();
    const mark = new Int32Array(nCols), slot = new Int32Array(nCols);
    const indptr = new Int32Array(texts.length + 1);
    let indices = new Int32Array(1 << 16), counts = new Int32Array(1 << 16), p = 0;
    for (let d = 0; d < texts.length; d++) {
      analyze(analyzer, texts[d], lowercase, ngramRange, s);
      const cnt = s.count, H1 = s.h1, H2 = s.h2;
      if (p + cnt > indices.length) { indices = grow(indices, p + cnt); counts = grow(counts, p + cnt); }
      const stamp = d + 1;
      for (let k = 0; k < cnt; k++) {
        const col = table.get(H1[k], H2[k]);
        if (col < 0) continue;
        if (mark[col] !== stamp) { mark[col] = stamp; slot[col] = p; indices[p] = col; counts[p++] = 1; }
        else counts[slot[col]]++;
      }
      indptr[d + 1] = p;
    }
    return weigh(indptr, indices.slice(0, p), counts, texts.length, nCols, this.idf, sublinearTf);
  }
}

/** Turns raw counts into L2-normalised (sublinear) tf × idf values. */
function weigh(indptr: Int32Array, indices: Int32Array, counts: Int32Array, nRows: number, nCols: number, idf: Float32Array, sublinear: boolean): Csr {
  const data = new Float32Array(indices.length);
  for (let i = 0; i < nRows; i++) {
    const a = indptr[i], b = indptr[i + 1];
    let norm = 0;
    for (let p = a; p < b; p++) {
      const c = counts[p];
      const v = (sublinear ? 1 + Math.log(c) : c) * idf[indices[p]];
      data[p] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let p = a; p < b; p++) data[p] *= inv;
    }
  }
  return { nRows, nCols, indptr, indices, data };
}

function fitTransform(texts: readonly string[], config: VectorizerConfig, hooks: FitHooks): { vectorizer: TfidfVectorizer; matrix: Csr } {
  const { analyzer, lowercase, ngramRange, minDf, maxFeatures, sublinearTf } = config;
  const n = texts.length, s = new NgramScratch(), table = new NgramHashTable(1 << 16);
  let cap = 1 << 16;
  let df = new Int32Array(cap), tf = new Int32Array(cap), lastDoc = new Int32Array(cap), local = new Int32Array(cap);
  let firstDoc = new Int32Array(cap), firstPos = new Int32Array(cap), firstLen = new Int32Array(cap);
  let rawIds = new Int32Array(1 << 18), rawCnt = new Int32Array(1 << 18), rawLen = 0, nEntries = 0;
  const rowPtr = new Int32Array(n + 1);
  for (let d = 0; d < n; d++) {
    if ((d & 255) === 0) { throwIfAborted(hooks.signal); hooks.onProgress?.(d / n); }
    analyze(analyzer, texts[d], lowercase, ngramRange, s);
    const cnt = s.count, H1 = s.h1, H2 = s.h2, P = s.pos, L = s.len, stamp = d + 1;
    if (rawLen + cnt > rawIds.length) { rawIds = grow(rawIds, rawLen + cnt); rawCnt = grow(rawCnt, rawLen + cnt); }
    for (let k = 0; k < cnt; k++) {
      const id = table.add(H1[k], H2[k]);
      if (id === nEntries) {
        if (id >= cap) {
          cap *= 2;
          df = grow(df, cap); tf = grow(tf, cap); lastDoc = grow(lastDoc, cap); local = grow(local, cap);
          firstDoc = grow(firstDoc, cap); firstPos = grow(firstPos, cap); firstLen = grow(firstLen, cap);
        }
        nEntries++;
        firstDoc[id] = d; firstPos[id] = P[k]; firstLen[id] = L[k];
      }
      tf[id]++;
      if (lastDoc[id] !== stamp) { lastDoc[id] = stamp; local[id] = rawLen; rawIds[rawLen] = id; rawCnt[rawLen++] = 1; df[id]++; }
      else rawCnt[local[id]]++;
    }
    rowPtr[d + 1] = rawLen;
  }
  hooks.onProgress?.(1);

  const colOf = selectTerms(df, tf, nEntries, minDf, maxFeatures);
  let nCols = 0;
  for (let id = 0; id < nEntries; id++) if (colOf[id] >= 0) nCols++;
  const idf = new Float32Array(nCols), terms: string[] = new Array(nCols);
  const kept = new NgramHashTable(nCols);
  let doc = -1;
  for (let id = 0; id < nEntries; id++) {
    const col = colOf[id];
    if (col < 0) continue;
    idf[col] = Math.log((1 + n) / (1 + df[id])) + 1;
    kept.add(table.keys1[id], table.keys2[id]);
    // ids grow with first occurrence, so each first document is re-analysed at most once, in order
    if (firstDoc[id] !== doc) { doc = firstDoc[id]; analyze(analyzer, texts[doc], lowercase, ngramRange, s); }
    terms[col] = fromCodePoints(s.stream, firstPos[id], firstPos[id] + firstLen[id]);
  }

  // training matrix straight from the recorded per-document ids
  const indptr = new Int32Array(n + 1);
  let p = 0;
  for (let d = 0; d < n; d++) {
    for (let q = rowPtr[d]; q < rowPtr[d + 1]; q++) {
      const col = colOf[rawIds[q]];
      if (col >= 0) { rawIds[p] = col; rawCnt[p++] = rawCnt[q]; }
    }
    indptr[d + 1] = p;
  }
  const matrix = weigh(indptr, rawIds.slice(0, p), rawCnt, n, nCols, idf, sublinearTf);
  const vectorizer = TfidfVectorizer.fromTerms(config, terms, idf);
  return { vectorizer, matrix };
}

/** Column per entry id (-1 = dropped): df ≥ minDf, then the maxFeatures largest total counts. */
function selectTerms(df: Int32Array, tf: Int32Array, nEntries: number, minDf: number, maxFeatures: number | null): Int32Array {
  const colOf = new Int32Array(nEntries).fill(-1);
  let nCand = 0, maxTf = 0;
  for (let id = 0; id < nEntries; id++) {
    if (df[id] >= minDf) { nCand++; if (tf[id] > maxTf) maxTf = tf[id]; }
  }
  // counting "sort" of the candidates' totals finds the cut value T: all above T are kept, ties at T by first occurrence
  let cut = 0, atCut = Infinity;
  if (maxFeatures !== null && nCand > maxFeatures) {
    const hist = new Int32Array(maxTf + 1);
    for (let id = 0; id < nEntries; id++) if (df[id] >= minDf) hist[tf[id]]++;
    let above = 0, t = maxTf;
    while (above + hist[t] < maxFeatures) above += hist[t--];
    cut = t;
    atCut = maxFeatures - above;
  }
  let col = 0;
  for (let id = 0; id < nEntries; id++) {
    if (df[id] < minDf || tf[id] < cut) continue;
    if (tf[id] === cut) { if (atCut <= 0) continue; atCut--; }
    colOf[id] = col++;
  }
  return colOf;
}
