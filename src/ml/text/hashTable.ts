/**
 * Hash tables keyed by a 64-bit n-gram hash (two independent 32-bit halves) over typed arrays only — no strings
 * and no per-entry objects, which is what makes vocabulary fitting and transform fast in JS. With 64-bit keys
 * the chance of any collision among 10 million distinct n-grams is about 3e-6, so keys, never strings, are compared.
 *
 * - `NgramHashTable`: key → dense id (insertion order). Slots are 4 int32 [key1, key2, id + 1, unused] = 16
 *   bytes, so a probe touches one cache line; linear probing, load ≤ 0.5. The first 16,384 ids live in their
 *   own 512 KiB table that stays in L2 cache: vocabularies number their columns by frequency, so those ids
 *   take ~85 % of all look-ups and only the rest pay a cache miss in the big table (~2× faster transform).
 * - `DocCounter`: a small per-document table that counts repeated n-grams first (a 350-character comment has
 *   ~1,400 char n-grams but ~550 distinct). It stays in L1/L2 cache and halves the look-ups in the big table,
 *   whose random accesses are what fitting and transform are bound by.
 */

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits before masking to a slot. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Ids below this live in the small "hot" table (see NgramHashTable). */
export const HOT_IDS = 16384;

export class NgramHashTable {
  /** Number of keys (= next id). */
  size = 0;
  /** Keys by id. */
  keys1: Int32Array;
  keys2: Int32Array;
  // ids < hotCap: a fixed table of ≤ 512 KiB that stays in L2 cache; the rest: a growing "cold" table
  private hot: Int32Array;
  private hotMask: number;
  private hotCap: number;
  private cold: Int32Array;
  private coldMask: number;

  constructor(expected = 1024) {
    this.hotCap = Math.min(HOT_IDS, Math.max(16, expected));
    let cap = 16;
    while (cap < this.hotCap * 2) cap *= 2;
    this.hot = new Int32Array(cap * 4);
    this.hotMask = cap - 1;
    cap = 16;
    while (cap < (expected - this.hotCap) * 2) cap *= 2;
    this.cold = new Int32Array(cap * 4);
    this.coldMask = cap - 1;
    this.keys1 = new Int32Array(Math.max(16, expected));
    this.keys2 = new Int32Array(Math.max(16, expected));
  }

  /** Id of the key, or -1. */
  get(h1: number, h2: number): number {
    const f = fmix32(h1);
    let sl = this.hot, mask = this.hotMask, s = f & mask;
    for (;;) {
      const o = s << 2, id = sl[o + 2];
      if (id === 0) break;
      if (sl[o] === h1 && sl[o + 1] === h2) return id - 1;
      s = (s + 1) & mask;
    }
    if (this.size <= this.hotCap) return -1;
    sl = this.cold; mask = this.coldMask; s = f & mask;
    for (;;) {
      const o = s << 2, id = sl[o + 2];
      if (id === 0) return -1;
      if (sl[o] === h1 && sl[o + 1] === h2) return id - 1;
      s = (s + 1) & mask;
    }
  }

  /** Id of the key, inserting it when absent (a new key gets id === the old `size`). */
  add(h1: number, h2: number): number {
    const found = this.get(h1, h2);
    if (found >= 0) return found;
    const id = this.size++;
    const isHot = id < this.hotCap, sl = isHot ? this.hot : this.cold, mask = isHot ? this.hotMask : this.coldMask;
    let s = fmix32(h1) & mask;
    while (sl[(s << 2) + 2] !== 0) s = (s + 1) & mask;
    const o = s << 2;
    sl[o] = h1;
    sl[o + 1] = h2;
    sl[o + 2] = id + 1;
    if (id >= this.keys1.length) this.growKeys();
    this.keys1[id] = h1;
    this.keys2[id] = h2;
    if (!isHot && (id - this.hotCap + 1) * 2 > mask + 1) this.rehashCold((mask + 1) * 2);
    return id;
  }

  private growKeys(): void {
    const n = this.keys1.length * 2, a = new Int32Array(n), b = new Int32Array(n);
    a.set(this.keys1);
    b.set(this.keys2);
    this.keys1 = a;
    this.keys2 = b;
  }

  private rehashCold(cap: number): void {
    const mask = cap - 1, sl = new Int32Array(cap * 4), k1 = this.keys1, k2 = this.keys2;
    for (let id = this.hotCap; id < this.size; id++) {
      let s = fmix32(k1[id]) & mask;
      while (sl[(s << 2) + 2] !== 0) s = (s + 1) & mask;
      const o = s << 2;
      sl[o] = k1[id];
      sl[o + 1] = k2[id];
      sl[o + 2] = id + 1;
    }
    this.coldMask = mask;
    this.cold = sl;
  }
}

/** Counts one document's n-gram hashes; distinct keys are listed in first-occurrence order. */
export class DocCounter {
  /** Distinct keys so far. */
  size = 0;
  /** Per distinct key i < size: key halves, count, and the index of its first emission. */
  keys1 = new Int32Array(1024);
  keys2 = new Int32Array(1024);
  counts = new Int32Array(1024);
  first = new Int32Array(1024);
  /** Slot → distinct index + 1 (0 = empty). */
  private slots = new Int32Array(2048);
  private mask = 2047;

  /** Empties the counter for a document of at most `maxKeys` n-grams. */
  reset(maxKeys: number): void {
    if (maxKeys * 2 > this.mask + 1) {
      let cap = this.mask + 1;
      while (cap < maxKeys * 2) cap *= 2;
      this.slots = new Int32Array(cap);
      this.mask = cap - 1;
      this.keys1 = new Int32Array(cap >> 1);
      this.keys2 = new Int32Array(cap >> 1);
      this.counts = new Int32Array(cap >> 1);
      this.first = new Int32Array(cap >> 1);
    } else if (this.size * 8 < this.mask) {
      // clear only the slots in use: cheaper than a fill for short documents
      const sl = this.slots, mask = this.mask;
      for (let i = 0; i < this.size; i++) {
        let s = fmix32(this.keys1[i]) & mask;
        while (sl[s] !== 0) { sl[s] = 0; s = (s + 1) & mask; }
      }
    } else this.slots.fill(0);
    this.size = 0;
  }

  /** Counts all n-grams of a document (h1[k], h2[k] for k < n). */
  countAll(h1: Int32Array, h2: Int32Array, n: number): void {
    this.reset(n);
    const sl = this.slots, mask = this.mask, K1 = this.keys1, K2 = this.keys2, C = this.counts, F = this.first;
    let size = 0;
    for (let k = 0; k < n; k++) {
      const a = h1[k], b = h2[k];
      let s = fmix32(a) & mask;
      for (;;) {
        const i = sl[s] - 1;
        if (i < 0) {
          sl[s] = size + 1;
          K1[size] = a; K2[size] = b; C[size] = 1; F[size] = k;
          size++;
          break;
        }
        if (K1[i] === a && K2[i] === b) { C[i]++; break; }
        s = (s + 1) & mask;
      }
    }
    this.size = size;
  }
}
