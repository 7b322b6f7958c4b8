/**
 * TfidfVectorizer with scikit-learn's semantics (sklearn 1.2): vocabulary of n-grams with document frequency
 * ≥ minDf, then the maxFeatures with the largest total count, smooth idf = ln((1+n)/(1+df)) + 1, tf or
 * sublinear tf (1 + ln tf), rows L2-normalised. Columns are numbered by descending total count (ties: first
 * occurrence) — sklearn sorts them alphabetically; the matrices are equal up to that column permutation (use
 * `vocabulary()` to map). Frequency order puts the most used terms' table slots and model weights together in cache.
 * Ties at the maxFeatures cut are broken by first occurrence (numpy's unstable argsort has no defined order).
 *
 * Fitting counts each document's n-grams in a small per-document table, then looks its distinct n-grams up in a
 * 64-bit-keyed vocabulary table and records (id, count) per document, so the training matrix is built without a
 * second tokenising pass; strings are built only for the kept terms, from a copy of the documents' code-point streams.
 */
import type { Csr } from '../sparse/csr.ts';
import { DocCounter, NgramHashTable } from './hashTable.ts';
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

/** ln(c) for small counts, so weighting does not call Math.log per entry. */
const LOG = Float64Array.from({ length: 1024 }, (_, i) => (i === 0 ? 0 : Math.log(i)));

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
      table.add(h1, h2);
    }
    if (table.size !== terms.length) throw new Error('vectorizer: duplicate terms');
    return new TfidfVectorizer({ ...config, ngramRange: [config.ngramRange[0], config.ngramRange[1]] }, terms, idf, table);
  }

  toJSON(): { config: VectorizerConfig; terms: string[]; idf: number[] } {
    return { config: { ...this.config, ngramRange: [this.config.ngramRange[0], this.config.ngramRange[1]] }, terms: [...this.terms], idf: Array.from(this.idf) };
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
    // seen[col] = 1 + output position of col's entry; positions only grow, so an entry from an earlier document
    // is < docStart: one array (in cache) both dedupes repeated n-grams and finds their count
    const seen = new Int32Array(nCols), indptr = new Int32Array(texts.length + 1);
    let cap = 1024;
    for (let d = 0; d < texts.length; d++) cap += texts[d].length;
    if (analyzer === 'char_wb') cap *= 2;
    let indices = new Int32Array(cap), counts = new Int32Array(cap), p = 0;
    for (let d = 0; d < texts.length; d++) {
      analyze(analyzer, texts[d], lowercase, ngramRange, s);
      const cnt = s.count, H1 = s.h1, H2 = s.h2, docStart = p;
      if (p + cnt > indices.length) { indices = grow(indices, p + cnt); counts = grow(counts, p + cnt); }
      for (let k = 0; k < cnt; k++) {
        const col = table.get(H1[k], H2[k]);
        if (col < 0) continue;
        const at = seen[col] - 1;
        if (at >= docStart) counts[at]++;
        else { seen[col] = p + 1; indices[p] = col; counts[p++] = 1; }
      }
      indptr[d + 1] = p;
    }
    return weigh(indptr, indices.subarray(0, p), counts, texts.length, nCols, this.idf, sublinearTf);
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
      const v = (sublinear ? 1 + (c < 1024 ? LOG[c] : Math.log(c)) : c) * idf[indices[p]];
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
  const n = texts.length, s = new NgramScratch(), dc = new DocCounter(), table = new NgramHashTable(1 << 15);
  let totalChars = 0;
  for (let d = 0; d < n; d++) totalChars += texts[d].length;
  let firstPos = new Int32Array(1 << 15), firstLen = new Int32Array(1 << 15);
  const rawCap = analyzer === 'word' ? (totalChars >> 2) + 1024 : totalChars + 1024;
  let rawIds = new Int32Array(rawCap), rawCnt = new Int32Array(rawCap), rawLen = 0;
  let streams = new Int32Array(totalChars + 1024), streamBase = 0;
  const rowPtr = new Int32Array(n + 1);
  for (let d = 0; d < n; d++) {
    if ((d & 255) === 0) { throwIfAborted(hooks.signal); hooks.onProgress?.(d / n); }
    analyze(analyzer, texts[d], lowercase, ngramRange, s);
    dc.countAll(s.h1, s.h2, s.count);
    const m = dc.size, K1 = dc.keys1, K2 = dc.keys2, C = dc.counts, F = dc.first, P = s.pos, L = s.len;
    if (rawLen + m > rawIds.length) { rawIds = grow(rawIds, rawLen + m); rawCnt = grow(rawCnt, rawLen + m); }
    for (let u = 0; u < m; u++) {
      const before = table.size, id = table.add(K1[u], K2[u]);
      if (id === before) {
        if (id >= firstPos.length) { firstPos = grow(firstPos, id + 1); firstLen = grow(firstLen, id + 1); }
        firstPos[id] = streamBase + P[F[u]];
        firstLen[id] = L[F[u]];
      }
      rawIds[rawLen] = id;
      rawCnt[rawLen++] = C[u];
    }
    rowPtr[d + 1] = rawLen;
    streams = grow(streams, streamBase + s.streamLen);
    streams.set(s.stream.subarray(0, s.streamLen), streamBase);
    streamBase += s.streamLen;
  }
  hooks.onProgress?.(1);

  const nEntries = table.size, df = new Int32Array(nEntries), tf = new Int32Array(nEntries);
  for (let q = 0; q < rawLen; q++) { df[rawIds[q]]++; tf[rawIds[q]] += rawCnt[q]; }
  const colOf = selectTerms(df, tf, nEntries, minDf, maxFeatures);
  const idOfCol = new Int32Array(nEntries);
  let nCols = 0;
  for (let id = 0; id < nEntries; id++) if (colOf[id] >= 0) { idOfCol[colOf[id]] = id; nCols++; }
  const idf = new Float32Array(nCols), terms: string[] = new Array(nCols);
  const kept = new NgramHashTable(nCols);
  for (let col = 0; col < nCols; col++) {
    const id = idOfCol[col];
    idf[col] = Math.log((1 + n) / (1 + df[id])) + 1;
    terms[col] = fromCodePoints(streams, firstPos[id], firstPos[id] + firstLen[id]);
    kept.add(table.keys1[id], table.keys2[id]);
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
  const matrix = weigh(indptr, rawIds.subarray(0, p), rawCnt, n, nCols, idf, sublinearTf);
  return { vectorizer: new (TfidfVectorizer as unknown as VectorizerCtor)(config, terms, idf, kept), matrix };
}

type VectorizerCtor = new (config: VectorizerConfig, terms: string[], idf: Float32Array, table: NgramHashTable) => TfidfVectorizer;

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
