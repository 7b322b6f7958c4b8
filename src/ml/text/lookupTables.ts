/**
 * The n-gram → column hash tables of a text classifier, stored in its model file so that loading one (in every
 * scoring thread, from the shared file bytes) is a copy of typed arrays, not a rebuild: rehashing 150k terms and
 * inserting them took ~100 ms per load, cold, and each pool thread paid it again.
 *
 * Stored per vectorizer block b: section `lookup{b}` = the hot slots then the cold slots (int32, NgramHashTable's
 * in-memory layout), and in the header `lookup: { version, blocks: [{ hotCap, hotLength, size }] }`. The tables only
 * hold what the hash (analyzers.ts: FNV-style over code points, two halves) and the probing (hashTable.ts)
 * compute, so `LOOKUP_VERSION` must change with either; a file whose version is not this one (or an older file
 * with no tables) loads by rehashing its terms, as before.
 */
import { NgramHashTable } from './hashTable.ts';

export const LOOKUP_VERSION = 1;

interface StoredBlock {
  hotCap: number;
  /** Int32 entries of the hot part; the cold part is the rest of the section. */
  hotLength: number;
  size: number;
}

export interface LookupHeader {
  version: number;
  blocks: StoredBlock[];
}

/** Header entry and sections (`lookup0`, `lookup1`, …) for the tables of the model's vectorizer blocks. */
export function lookupSections(tables: readonly NgramHashTable[]): { header: LookupHeader; sections: Record<string, Uint8Array> } {
  const sections: Record<string, Uint8Array> = {};
  const blocks = tables.map((t, b) => {
    const { hot, cold, hotCap, size } = t.slots();
    const both = new Int32Array(hot.length + cold.length);
    both.set(hot);
    both.set(cold, hot.length);
    sections[`lookup${b}`] = new Uint8Array(both.buffer);
    return { hotCap, hotLength: hot.length, size };
  });
  return { header: { version: LOOKUP_VERSION, blocks }, sections };
}

/**
 * Block b's stored table, or undefined when the file has none of this version (the caller rebuilds it from the
 * terms). Throws when the stored table is damaged or does not match the block's `nTerms`. `checked`: see
 * NgramHashTable.fromSlots (this block's key filter from a load of the same bytes that checked them).
 */
export function storedLookupTable(header: unknown, section: (name: string) => Uint8Array, b: number, nTerms: number, checked?: Int32Array | null): NgramHashTable | undefined {
  const h = header as Partial<LookupHeader> | undefined;
  if (!h || h.version !== LOOKUP_VERSION || !Array.isArray(h.blocks)) return undefined;
  const meta = h.blocks[b];
  if (!meta) return undefined;
  if (meta.size !== nTerms) throw new Error(`text classifier: block ${b}'s lookup table holds ${meta.size} terms, the block ${nTerms}`);
  const bytes = section(`lookup${b}`);
  if (bytes.byteLength % 4 !== 0 || bytes.byteOffset % 4 !== 0) throw new Error(`text classifier: block ${b}'s lookup table is truncated`);
  const all = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (!Number.isInteger(meta.hotLength) || meta.hotLength <= 0 || meta.hotLength >= all.length) throw new Error(`text classifier: block ${b}'s lookup table is truncated`);
  return NgramHashTable.fromSlots(all.subarray(0, meta.hotLength), all.subarray(meta.hotLength), meta.hotCap, meta.size, checked);
}
