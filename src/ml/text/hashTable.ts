/**
 * Open-addressing hash table from a 64-bit n-gram key (two independent 32-bit hashes) to a dense id 0..size-1,
 * over typed arrays only: no strings and no per-entry objects, which is what makes vocabulary fitting and
 * look-up fast in JS. With 64-bit keys the chance of any collision among 10 million distinct n-grams is about
 * 3e-6, so keys are compared, never the strings. Linear probing, load factor ≤ 0.5, ids in insertion order.
 */

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits before masking to a slot. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NgramHashTable {
  /** Number of keys (= next id). */
  size = 0;
  private mask: number;
  private slotKey1: Int32Array;
  private slotKey2: Int32Array;
  /** id + 1 per slot; 0 marks an empty slot. */
  private slotId: Int32Array;
  /** Keys by id, kept for rehashing and for exporting the kept keys. */
  keys1: Int32Array;
  keys2: Int32Array;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.slotKey1 = new Int32Array(cap);
    this.slotKey2 = new Int32Array(cap);
    this.slotId = new Int32Array(cap);
    this.keys1 = new Int32Array(Math.max(16, expected));
    this.keys2 = new Int32Array(Math.max(16, expected));
  }

  /** Id of the key, or -1. */
  get(h1: number, h2: number): number {
    const mask = this.mask, k1 = this.slotKey1, k2 = this.slotKey2, ids = this.slotId;
    let s = fmix32(h1) & mask;
    for (;;) {
      const id = ids[s];
      if (id === 0) return -1;
      if (k1[s] === h1 && k2[s] === h2) return id - 1;
      s = (s + 1) & mask;
    }
  }

  /** Id of the key, inserting it first when absent (a new key gets id === the old `size`). */
  add(h1: number, h2: number): number {
    const mask = this.mask, k1 = this.slotKey1, k2 = this.slotKey2, ids = this.slotId;
    let s = fmix32(h1) & mask;
    for (;;) {
      const id = ids[s];
      if (id === 0) break;
      if (k1[s] === h1 && k2[s] === h2) return id - 1;
      s = (s + 1) & mask;
    }
    const id = this.size++;
    k1[s] = h1;
    k2[s] = h2;
    ids[s] = id + 1;
    if (id >= this.keys1.length) this.growKeys();
    this.keys1[id] = h1;
    this.keys2[id] = h2;
    if (this.size * 2 > mask + 1) this.rehash((mask + 1) * 2);
    return id;
  }

  private growKeys(): void {
    const n = this.keys1.length * 2;
    const a = new Int32Array(n), b = new Int32Array(n);
    a.set(this.keys1);
    b.set(this.keys2);
    this.keys1 = a;
    this.keys2 = b;
  }

  private rehash(cap: number): void {
    const mask = cap - 1;
    const k1 = new Int32Array(cap), k2 = new Int32Array(cap), ids = new Int32Array(cap);
    const keys1 = this.keys1, keys2 = this.keys2;
    for (let id = 0; id < this.size; id++) {
      const h1 = keys1[id];
      let s = fmix32(h1) & mask;
      while (ids[s] !== 0) s = (s + 1) & mask;
      k1[s] = h1;
      k2[s] = keys2[id];
      ids[s] = id + 1;
    }
    this.mask = mask;
    this.slotKey1 = k1;
    this.slotKey2 = k2;
    this.slotId = ids;
  }
}
