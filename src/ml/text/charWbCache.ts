/**
 * The char_wb block's columns for scoring, word by word through a cache. char_wb n-grams never cross a word (the
 * analyzer pads each whitespace-separated word and takes n-grams inside it), so a word's known columns, in the
 * analyzer's order, depend on the word alone; words repeat (Zipf), so most are hashed once as a whole and their
 * columns replayed from the cache, instead of hashing and looking up ~4 n-grams per character. The sequence is
 * exactly what `analyzeCharWb` + `getMany` give with the unknown (-1) ids dropped: same columns, same order, so
 * scores are bit for bit those of the uncached path.
 * `distinct` (the scorer's path) counts the columns into the scorer's distinct-column arrays as it replays a word
 * (first-occurrence order, as the uncached path dedupes), so no per-document id list is written and read again;
 * `run` lists them with repeats (tests compare it with the analyzer).
 * Words are keyed by a 64-bit hash of their code points (as the vocabulary keys its n-grams, hashTable.ts).
 * The cache is bounded: when full it is emptied and refills. A model file may carry the columns of its frequent
 * words (wordColumns.ts): those are looked up first and never computed or cached here.
 */
import { SEED1, SEED2 } from './analyzers.ts';
import { fmix32, type NgramHashTable } from './hashTable.ts';
import { codePointAt, isSpaceChar } from './tokenize.ts';

const SLOTS = 1 << 16;
/** At most this many cached words (load ≤ 0.5 of SLOTS). */
const MAX_WORDS = SLOTS >> 1;
/** Longer words (URLs, runs of symbols) are analysed directly, never cached. */
export const MAX_CACHED_WORD = 48;
/** Cached column ids in all. */
const POOL = 1 << 20;

/** A char_wb block's precomputed words (wordColumns.ts): `slots` [key1, key2, start + 1, length] (open addressing), their columns in `ids`. */
export interface StoredWordColumns {
  slots: Int32Array;
  mask: number;
  ids: Int32Array;
}

/** Where `distinct` counts a document's columns (the scorer's arrays; see FusedTextScorer.columns). */
export interface DistinctSink {
  /**
   * Two int32 per column: [2·col] = 1 + running position of col's entry (entries before `start` are earlier
   * documents'), [2·col + 1] = the column's idf as float32 bits (read through `metaF`): side by side, so counting a
   * new column and fetching its idf is one cache miss, not two.
   */
  meta: Int32Array;
  metaF: Float32Array;
  /** Distinct columns in first-occurrence order, their counts and idf; at least as long as the block has columns. */
  cols: Int32Array;
  counts: Int32Array;
  idfs: Float32Array;
}

export class CharWbColumns {
  /** Output of `run`: the document's known columns in analyzer order (with repeats). */
  ids = new Int32Array(16384);
  /** The padded word being read: [32, code points…, 32]. */
  private word = new Int32Array(256);
  private h1 = new Int32Array(2048);
  private h2 = new Int32Array(2048);
  private got = new Int32Array(2048);
  /** Cache slots: [key1, key2, entry + 1, unused]. */
  private readonly slots = new Int32Array(SLOTS * 4);
  private readonly entryStart = new Int32Array(MAX_WORDS + 1);
  private readonly entryLen = new Int32Array(MAX_WORDS + 1);
  private readonly pool = new Int32Array(POOL);
  private nWords = 0;
  private used = 0;
  // `distinct` mode: the sink and the document's running start; n = distinct columns so far
  private sink: DistinctSink | null = null;
  private start = 0;
  private dedupe = false;

  constructor(
    private readonly table: NgramHashTable,
    private readonly minN: number,
    private readonly maxN: number,
    private readonly lowercase: boolean,
    /** The model file's precomputed words (wordColumns.ts), looked up before this cache; absent in older files. */
    private readonly stored: StoredWordColumns | null = null,
  ) {}

  /** Fills `ids[0..n)` for `text` and returns n (columns with repeats, analyzer order). */
  run(text: string): number {
    this.dedupe = false;
    return this.scan(text);
  }

  /**
   * Counts `text`'s columns into `sink` (cols/counts[0..n), first-occurrence order; seen[] stamped from `start`)
   * and returns n, the number of distinct columns.
   */
  distinct(text: string, sink: DistinctSink, start: number): number {
    this.dedupe = true;
    this.sink = sink;
    this.start = start;
    return this.scan(text);
  }

  private scan(text: string): number {
    const t = this.lowercase ? text.toLowerCase() : text, len = t.length;
    let n = 0, m = 1, w1 = SEED1, w2 = SEED2;
    let word: Int32Array = this.word;
    word[0] = 32;
    for (let i = 0; i <= len; i++) {
      let c = 32;
      if (i < len) {
        c = t.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdfff) {
          c = codePointAt(t, i);
          if (c > 0xffff) i++;
        } else if (c > 32 ? c >= 0x85 && isSpaceChar(c) : c !== 32 && isSpaceChar(c)) c = 32;
      }
      if (c !== 32) {
        if (m + 1 >= word.length) word = this.growWord(m + 2);
        word[m++] = c;
        w1 = Math.imul(w1 ^ c, 0x01000193);
        w2 = Math.imul(w2 ^ c, 0x5bd1e995);
        w2 ^= w2 >>> 15;
        continue;
      }
      if (m === 1) continue; // no word open
      word[m++] = 32;
      n = this.emitWord(m, w1, w2, n);
      m = 1; w1 = SEED1; w2 = SEED2;
    }
    return n;
  }

  /** Appends the padded word word[0..m)'s known columns (at ids[n..), or counted into the sink) and returns the new n. */
  private emitWord(m: number, w1: number, w2: number, n: number): number {
    const cacheable = m - 2 <= MAX_CACHED_WORD;
    const stored = this.stored;
    if (cacheable && stored !== null) {
      const slots = stored.slots, mask = stored.mask;
      let s = fmix32(w1) & mask;
      for (;;) {
        const o = s << 2, e = slots[o + 2];
        if (e === 0) break;
        if (slots[o] === w1 && slots[o + 1] === w2) return this.put(stored.ids, e - 1, slots[o + 3], n);
        s = (s + 1) & mask;
      }
    }
    if (cacheable) {
      const slots = this.slots, mask = SLOTS - 1;
      let s = fmix32(w1) & mask;
      for (;;) {
        const o = s << 2, e = slots[o + 2];
        if (e === 0) break;
        if (slots[o] === w1 && slots[o + 1] === w2) return this.put(this.pool, this.entryStart[e - 1], this.entryLen[e - 1], n);
        s = (s + 1) & mask;
      }
    }
    const k = this.known(m);
    if (cacheable) this.remember(w1, w2, k);
    return this.put(this.got, 0, k, n);
  }

  /** Emits src[from..from+len) after the n columns so far; returns the new n. */
  private put(src: Int32Array, from: number, len: number, n: number): number {
    if (this.dedupe) {
      const { meta, metaF, cols, counts, idfs } = this.sink!, start = this.start;
      for (let j = from, end = from + len; j < end; j++) {
        const col = src[j], at = meta[col << 1] - 1 - start;
        if (at >= 0) counts[at]++;
        else { meta[col << 1] = start + n + 1; idfs[n] = metaF[(col << 1) + 1]; cols[n] = col; counts[n++] = 1; }
      }
      return n;
    }
    if (n + len > this.ids.length) this.growIds(n + len);
    const ids = this.ids;
    for (let j = 0; j < len; j++) ids[n + j] = src[from + j];
    return n + len;
  }

  /** got[0..k) = the known columns of the padded word word[0..m), in analyzeCharWb's order; returns k. */
  private known(m: number): number {
    const minN = this.minN, maxN = this.maxN, word = this.word;
    const most = m < minN ? 1 : m * (maxN - minN + 1);
    if (most > this.h1.length) this.growNgrams(most);
    const H1 = this.h1, H2 = this.h2;
    let k = 0;
    if (m < minN) {
      // sklearn emits the whole padded word once
      let h1 = SEED1, h2 = SEED2;
      for (let j = 0; j < m; j++) {
        const c = word[j];
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
      H1[k] = h1; H2[k++] = h2;
    } else {
      for (let o = 0; o < m; o++) {
        let h1 = SEED1, h2 = SEED2;
        const end = Math.min(m, o + maxN);
        for (let j = o; j < end; j++) {
          const c = word[j];
          h1 = Math.imul(h1 ^ c, 0x01000193);
          h2 = Math.imul(h2 ^ c, 0x5bd1e995);
          h2 ^= h2 >>> 15;
          if (j - o + 1 >= minN) { H1[k] = h1; H2[k++] = h2; }
        }
      }
    }
    const got = this.got;
    this.table.getMany(H1, H2, k, got);
    let kept = 0;
    for (let j = 0; j < k; j++) if (got[j] >= 0) got[kept++] = got[j];
    return kept;
  }

  private remember(w1: number, w2: number, k: number): void {
    if (this.nWords >= MAX_WORDS || this.used + k > POOL) {
      this.slots.fill(0);
      this.nWords = 0;
      this.used = 0;
    }
    const e = this.nWords++;
    this.entryStart[e] = this.used;
    this.entryLen[e] = k;
    const pool = this.pool, got = this.got, at = this.used;
    for (let j = 0; j < k; j++) pool[at + j] = got[j];
    this.used += k;
    const slots = this.slots, mask = SLOTS - 1;
    let s = fmix32(w1) & mask;
    while (slots[(s << 2) + 2] !== 0) s = (s + 1) & mask;
    const o = s << 2;
    slots[o] = w1;
    slots[o + 1] = w2;
    slots[o + 2] = e + 1;
  }

  private growWord(n: number): Int32Array {
    const w = new Int32Array(Math.max(n, this.word.length * 2));
    w.set(this.word);
    return (this.word = w);
  }

  private growNgrams(n: number): void {
    const cap = Math.max(n, this.h1.length * 2);
    this.h1 = new Int32Array(cap);
    this.h2 = new Int32Array(cap);
    this.got = new Int32Array(cap);
  }

  private growIds(n: number): void {
    const ids = new Int32Array(Math.max(n, this.ids.length * 2));
    ids.set(this.ids);
    this.ids = ids;
  }
}
