/**
 * TfidfVectorizer with scikit-learn's semantics (sklearn 1.2): vocabulary of n-grams with document frequency
 * ≥ minDf, then the maxFeatures with the largest total count, smooth idf = ln((1+n)/(1+df)) + 1, tf or
 * sublinear tf (1 + ln tf), rows L2-normalised. Columns are numbered by descending total count (ties: first
 * occurrence) — sklearn sorts them alphabetically; the matrices are equal up to that column permutation (use
 * `vocabulary()` to map). Frequency order puts the most used terms' table slots and model weights together in cache.
 * Ties at the maxFeatures cut are broken by first occurrence (numpy's unstable argsort has no defined order).
 * Fitting lives in fitVocabulary.ts.
 */
import type { Csr } from '../sparse/csr.ts';
import { NgramHashTable } from './hashTable.ts';
import { analyze, hashTerms, hashUtf8Terms, NgramScratch } from './analyzers.ts';
import { fitVocabulary, grow, weigh, type FitHooks, type VectorizerConfig } from './fitVocabulary.ts';
import { bytesF32, f32Bytes, packSections, unpackSections } from '../serialize.ts';

export { throwIfAborted, type FitHooks, type VectorizerConfig } from './fitVocabulary.ts';

export interface VectorizerParts {
  config: VectorizerConfig;
  terms: string[];
  idf: Float32Array;
  slots: { hot: Int32Array; cold: Int32Array; hotCap: number; size: number };
}

export class TfidfVectorizer {
  private termList: readonly string[] | null;

  private constructor(
    readonly config: Readonly<VectorizerConfig>,
    /** Term strings by column, or a function that decodes them when first needed (restored models). */
    terms: readonly string[] | (() => string[]),
    /** Smooth idf by column. */
    readonly idf: Float32Array,
    private readonly table: NgramHashTable,
    private readonly decodeTerms: (() => string[]) | null = typeof terms === 'function' ? terms : null,
  ) {
    this.termList = typeof terms === 'function' ? null : terms;
  }

  /** Term strings by column. */
  get terms(): readonly string[] {
    if (!this.termList) this.termList = this.decodeTerms!();
    return this.termList;
  }

  get nFeatures(): number {
    return this.idf.length;
  }

  /** The n-gram hash → column table (read-only use: the fused scorer looks documents up in it directly). */
  get lookupTable(): NgramHashTable {
    return this.table;
  }

  /** term → column. */
  vocabulary(): Map<string, number> {
    return new Map(this.terms.map((t, i) => [t, i]));
  }

  /** Restores a fitted vectorizer from its terms and idf (what `toJSON` or a model file holds). */
  static fromTerms(config: VectorizerConfig, terms: readonly string[], idf: Float32Array): TfidfVectorizer {
    if (terms.length !== idf.length) throw new Error(`vectorizer: ${terms.length} terms but ${idf.length} idf values`);
    const { h1, h2 } = hashTerms(terms);
    return new TfidfVectorizer(copyConfig(config), terms, idf, tableOf(h1, h2));
  }

  /**
   * Restores from terms stored as UTF-8 joined by '\n' (the model file's layout); strings are decoded lazily. With
   * `table` (the file's stored lookup table, lookupTables.ts) the terms are not rehashed at all.
   */
  static fromUtf8Terms(config: VectorizerConfig, utf8: Uint8Array, idf: Float32Array, table?: NgramHashTable): TfidfVectorizer {
    const n = idf.length;
    if (table && table.size !== n) throw new Error(`vectorizer: the lookup table holds ${table.size} terms, expected ${n}`);
    const decode = () => (n === 0 ? [] : Buffer.from(utf8.buffer, utf8.byteOffset, utf8.byteLength).toString('utf8').split('\n'));
    if (table) return new TfidfVectorizer(copyConfig(config), decode, idf, table);
    const { h1, h2 } = hashUtf8Terms(utf8, n);
    return new TfidfVectorizer(copyConfig(config), decode, idf, tableOf(h1, h2));
  }

  toJSON(): { config: VectorizerConfig; terms: string[]; idf: number[] } {
    return { config: { ...this.config, ngramRange: [this.config.ngramRange[0], this.config.ngramRange[1]] }, terms: [...this.terms], idf: Array.from(this.idf) };
  }

  static fromJSON(j: { config: VectorizerConfig; terms: string[]; idf: number[] }): TfidfVectorizer {
    return TfidfVectorizer.fromTerms(j.config, j.terms, Float32Array.from(j.idf));
  }

  /** Compact binary form: terms as UTF-8 joined by '\n' (terms never contain a newline) + float32 idf. */
  serialize(): Buffer {
    return packSections({ kind: 'tfidf-vectorizer', config: this.config, nTerms: this.nFeatures }, {
      terms: Buffer.from(this.terms.join('\n'), 'utf8'), idf: f32Bytes(this.idf),
    });
  }

  static deserialize(buf: Uint8Array): TfidfVectorizer {
    const { header: h, section } = unpackSections(buf, 'vectorizer');
    if (h.kind !== 'tfidf-vectorizer') throw new Error(`vectorizer: the file holds a ${String(h.kind)}, not a tf-idf vectorizer`);
    const idf = bytesF32(section('idf'));
    if (idf.length !== h.nTerms) throw new Error(`vectorizer: ${idf.length} idf values, header says ${String(h.nTerms)} terms`);
    return TfidfVectorizer.fromUtf8Terms(h.config as VectorizerConfig, section('terms'), idf);
  }

  /** The parts a fitted vectorizer is made of, as plain data (a training thread sends them back; see fromParts). */
  toParts(): VectorizerParts {
    const { hot, cold, hotCap, size } = this.table.slots();
    return { config: copyConfig(this.config), terms: [...this.terms], idf: this.idf, slots: { hot, cold, hotCap, size } };
  }

  /** The vectorizer toParts described, with the very same lookup table (no rehashing). */
  static fromParts(p: VectorizerParts): TfidfVectorizer {
    const { hot, cold, hotCap, size } = p.slots;
    return new TfidfVectorizer(copyConfig(p.config), p.terms, p.idf, NgramHashTable.fromSlots(hot, cold, hotCap, size));
  }

  /** Fits the vocabulary and idf on `texts` and returns their tf-idf matrix (sklearn's fit_transform). */
  static fitTransform(texts: readonly string[], config: VectorizerConfig, hooks: FitHooks = {}): { vectorizer: TfidfVectorizer; matrix: Csr } {
    const f = fitVocabulary(texts, config, hooks);
    return { vectorizer: new TfidfVectorizer(copyConfig(config), f.terms, f.idf, f.table), matrix: f.matrix };
  }

  /** tf-idf rows for `texts` with the fitted vocabulary; unknown n-grams are ignored. */
  transform(texts: readonly string[]): Csr {
    const { analyzer, lowercase, ngramRange, sublinearTf } = this.config;
    const nCols = this.idf.length, table = this.table, s = new NgramScratch();
    // seen[col] = 1 + output position of col's entry; positions only grow, so an entry from an earlier document
    // is < docStart: one array (in cache) both dedupes repeated n-grams and finds their count
    const seen = new Int32Array(nCols), indptr = new Int32Array(texts.length + 1);
    let cap = 1024;
    for (let d = 0; d < texts.length; d++) cap += texts[d].length;
    if (analyzer === 'char_wb') cap *= 2;
    let indices = new Int32Array(cap), counts = new Int32Array(cap), p = 0;
    for (let d = 0; d < texts.length; d++) {
      analyze(analyzer, texts[d], lowercase, ngramRange, s);
      const cnt = s.count, ids = s.ids, docStart = p;
      table.getMany(s.h1, s.h2, cnt, ids);
      if (p + cnt > indices.length) { indices = grow(indices, p + cnt); counts = grow(counts, p + cnt); }
      for (let k = 0; k < cnt; k++) {
        const col = ids[k];
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

function copyConfig(config: VectorizerConfig): VectorizerConfig {
  return { ...config, ngramRange: [config.ngramRange[0], config.ngramRange[1]] };
}

function tableOf(h1: Int32Array, h2: Int32Array): NgramHashTable {
  const table = new NgramHashTable(h1.length);
  table.addMany(h1, h2, h1.length, new Int32Array(h1.length));
  if (table.size !== h1.length) throw new Error('vectorizer: duplicate terms');
  return table;
}
