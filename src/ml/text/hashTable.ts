/**
 * Hash tables keyed by a 64-bit n-gram hash (two independent 32-bit halves) over typed arrays only — no strings
 * and no per-entry objects, which is what makes vocabulary fitting and transform fast in JS. With 64-bit keys
 * the chance of any collision among 10 million distinct n-grams is about 3e-6, so keys, never strings, are compared.
 *
 * Key → dense id (insertion order). Slots are 4 int32 [key1, key2, id + 1, unused] = 16 bytes, so a probe
 * touches one cache line; linear probing, load ≤ 0.5. Random probes into a multi-megabyte table are what
 * vocabulary fitting and transform are bound by, so the first 16,384 ids live in their own 512 KiB table that
 * stays in L2 cache: fitted vocabularies number their columns by frequency, so those ids take ~85 % of all
 * look-ups (first-seen ids, while fitting, ~75 %) and only the rest pay a cache miss in the big table.
 */

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits before masking to a slot. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Multiplier of the read-only tables' key filter (Fibonacci hashing of the key's second half). */
const FILTER_MUL = 0x9e3779b1 | 0;

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
  /** Restored from stored slots: keys by id are absent, so it cannot grow. */
  private readOnly = false;
  /**
   * Read-only tables: one bit per key (bit `Math.imul(key2, FILTER_MUL) >>> filterShift`), ~16 bits per key, so
   * ~95 % of the n-grams a vocabulary does not hold are rejected by one look into a small bit array (it stays in
   * cache) instead of a probe of each table (two cache misses). A set bit only means "probe as before".
   */
  private filter: Int32Array | null = null;
  private filterShift = 32;

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

  /**
   * The probe tables as they are in memory (what a model file stores, so loading needs no rebuild): hot slots, cold
   * slots, the hot capacity and the number of keys. Keys by id are not part of it: a restored table only looks up.
   */
  slots(): { hot: Int32Array; cold: Int32Array; hotCap: number; size: number } {
    return { hot: this.hot, cold: this.cold, hotCap: this.hotCap, size: this.size };
  }

  /**
   * A read-only table over stored slots (see `slots()`); throws when they cannot be such a table. Each slot's id is
   * checked to be < size, so a damaged file can never make a look-up return a column outside the model.
   * `checked` is the key filter (`keyFilter`) of a table this process already built and checked from the very same
   * slots (a scoring thread loading the shared model file the main thread loaded): the slots are then not scanned
   * again (~5 ms for a 150k-term model) and the filter's memory is shared.
   */
  static fromSlots(hot: Int32Array, cold: Int32Array, hotCap: number, size: number, checked?: Int32Array | null): NgramHashTable {
    if (!isPow2Slots(hot.length) || !isPow2Slots(cold.length) || !Number.isInteger(hotCap) || hotCap < 16 || hotCap > HOT_IDS || hotCap * 8 > hot.length) {
      throw new Error('lookup table: slot arrays have the wrong shape');
    }
    let bits = 1 << 12, log = 12;
    while (bits < size * 16 && log < 30) { bits *= 2; log++; }
    const shift = 32 - log;
    let filter: Int32Array;
    if (checked && checked.length === bits >>> 5) filter = checked;
    else {
      // one pass over the slots: check every id, and set the key filter's bits (in shared memory: scoring threads reuse it)
      filter = new Int32Array(new SharedArrayBuffer(bits >>> 3));
      const inHot = scanSlots(hot, 1, Math.min(hotCap, size), size, filter, shift);
      const inCold = scanSlots(cold, hotCap + 1, size, size, filter, shift);
      if (inHot < 0 || inCold < 0) throw new Error('lookup table: a slot holds an id out of range');
      if (inHot + inCold !== size || inCold * 8 > cold.length) throw new Error(`lookup table: ${inHot + inCold} keys stored, expected ${size}`);
    }
    const t = new NgramHashTable(16);
    t.hot = hot; t.hotMask = hot.length / 4 - 1; t.hotCap = hotCap;
    t.cold = cold; t.coldMask = cold.length / 4 - 1;
    t.size = size;
    t.readOnly = true;
    t.filter = filter;
    t.filterShift = shift;
    return t;
  }

  /** The key filter of a table restored from stored slots (checked, in shared memory; see fromSlots), else null. */
  get keyFilter(): Int32Array | null {
    return this.filter;
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
    if (this.readOnly) throw new Error('lookup table: a table restored from a model file is read-only');
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

  /**
   * ids[k] = id of key k, or -1, for k < n. One call per document keeps the probe loop tight and lets V8
   * optimise it early (a method call per n-gram is slow until the caller is optimised: cold batch predictions).
   */
  getMany(h1: Int32Array, h2: Int32Array, n: number, ids: Int32Array): void {
    const hot = this.hot, hotMask = this.hotMask, cold = this.cold, coldMask = this.coldMask, hasCold = this.size > this.hotCap;
    const filter = this.filter, shift = this.filterShift;
    for (let k = 0; k < n; k++) {
      const a = h1[k], b = h2[k];
      if (filter !== null) {
        const bit = Math.imul(b, FILTER_MUL) >>> shift;
        if ((filter[bit >>> 5] & (1 << (bit & 31))) === 0) { ids[k] = -1; continue; }
      }
      const f = fmix32(a);
      let s = f & hotMask, id = -1;
      for (;;) {
        const o = s << 2, v = hot[o + 2];
        if (v === 0) break;
        if (hot[o] === a && hot[o + 1] === b) { id = v - 1; break; }
        s = (s + 1) & hotMask;
      }
      if (id < 0 && hasCold) {
        s = f & coldMask;
        for (;;) {
          const o = s << 2, v = cold[o + 2];
          if (v === 0) break;
          if (cold[o] === a && cold[o + 1] === b) { id = v - 1; break; }
          s = (s + 1) & coldMask;
        }
      }
      ids[k] = id;
    }
  }

  /** ids[k] = id of key k for k < n, inserting absent keys in order (new ids are ≥ the old size, increasing). */
  addMany(h1: Int32Array, h2: Int32Array, n: number, ids: Int32Array): void {
    this.getMany(h1, h2, n, ids);
    for (let k = 0; k < n; k++) if (ids[k] < 0) ids[k] = this.add(h1[k], h2[k]);
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

const isPow2Slots = (n: number) => n >= 64 && (n & (n - 1)) === 0;

/**
 * Counts the used slots of `slots` and sets their keys' filter bits; -1 when a slot holds an id (+ 1) outside
 * [lo, hi]. A plain top-level loop (fromSlots calls it once per part): the same code for every model, so the warm-up's
 * loads leave it optimised for a real model's load, where an inline loop had been deoptimised.
 */
function scanSlots(slots: Int32Array, lo: number, hi: number, size: number, filter: Int32Array, shift: number): number {
  let used = 0;
  for (let o = 2; o < slots.length; o += 4) {
    const v = slots[o];
    if (v === 0) continue;
    if (v < lo || v > hi || v > size) return -1;
    const bit = Math.imul(slots[o - 1], FILTER_MUL) >>> shift;
    filter[bit >>> 5] |= 1 << (bit & 31);
    used++;
  }
  return used;
}
