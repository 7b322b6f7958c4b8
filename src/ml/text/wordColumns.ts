/**
 * Precomputed char_wb columns of known words, stored in the model file so that a cold scoring thread does not work
 * them out again: the char_wb scorer (charWbCache.ts) caches each word's columns, but every thread of every process
 * starts with an empty cache, and computing a word's columns (hash ~4 n-grams per character, look each up) was
 * ~25–30 % of a cold batch's scoring time. The words are the word block's unigrams (the vocabulary's frequent
 * words, ~12k in jigsaw-10k and GoEmotions): written at save time from the model alone, so training is unchanged.
 * Words not stored are computed and cached as before. Each stored entry is exactly what `CharWbColumns.run(word)`
 * gives (the same code computes it), so scores are bit for bit the same with or without the section.
 *
 * Section `wordcols{b}` (b = the char_wb block) = int32 [slot table: SLOTS × (key1, key2, start + 1, length) | ids],
 * keyed by the word's 64-bit hash over its code points (the key charWbCache.ts computes while scanning a word); the
 * header's `wordColumns: { version, blocks: [{ block, slots, ids }] }`. `WORD_COLUMNS_VERSION` must change with the
 * hash (analyzers.ts) or the char_wb analyzer; a file with another version (or none) scores without the section.
 */
import { analyzeCharWb, hashTerms, NgramScratch } from './analyzers.ts';
import { CharWbColumns, MAX_CACHED_WORD, type StoredWordColumns } from './charWbCache.ts';
import { fmix32 } from './hashTable.ts';
import { isSpaceChar } from './tokenize.ts';
import type { TfidfVectorizer } from './vocabulary.ts';

export const WORD_COLUMNS_VERSION = 1;

interface StoredBlock {
  block: number;
  slots: number;
  ids: number;
}

export interface WordColumnsHeader {
  version: number;
  blocks: StoredBlock[];
}

/**
 * A term with whitespace (what the char_wb analyzer splits words on, tokenize.ts) is not one word. By UTF-16 unit: a
 * surrogate is never a space, and no space is outside the BMP.
 */
function isOneWord(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c <= 32 || c >= 0x85) && isSpaceChar(c)) return false;
  }
  return true;
}

/** Code points in `t` at most MAX_CACHED_WORD (never more code points than UTF-16 units: most words need no count). */
function shortEnough(t: string): boolean {
  if (t.length <= MAX_CACHED_WORD) return true;
  let n = 0;
  for (let i = 0; i < t.length; i++) if (++n > MAX_CACHED_WORD) return false; else if ((t.charCodeAt(i) & 0xfc00) === 0xd800 && (t.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  return true;
}

/** The word block's one-word terms (lowercased with the char_wb block), each once, in column order, none over MAX_CACHED_WORD. */
export function storedWords(terms: readonly string[], lowercase: boolean): string[] {
  const seen = new Set<string>(), words: string[] = [];
  for (const term of terms) {
    if (!isOneWord(term)) continue;
    const t = lowercase ? term.toLowerCase() : term;
    if (t.length === 0 || seen.has(t) || !shortEnough(t)) continue;
    seen.add(t);
    words.push(t);
  }
  return words;
}

/**
 * Header entry and sections for the model's char_wb blocks, from the word block's unigrams; none without a word block.
 */
export function wordColumnSections(vectorizers: readonly TfidfVectorizer[]): { header: WordColumnsHeader; sections: Record<string, Uint8Array> } | undefined {
  const word = vectorizers.find((v) => v.config.analyzer === 'word');
  if (!word) return undefined;
  const sections: Record<string, Uint8Array> = {}, blocks: StoredBlock[] = [];
  vectorizers.forEach((v, b) => {
    if (v.config.analyzer !== 'char_wb') return;
    const { lowercase } = v.config;
    const words = storedWords(word.terms, lowercase);
    let size = 16;
    while (size < words.length * 2) size *= 2;
    const keys = hashTerms(words), mask = size - 1, head = size * 4;
    const cols = knownColumnsOfWords(words, v);
    const all = new Int32Array(head + cols.ids.length);
    for (let w = 0; w < words.length; w++) {
      const from = cols.starts[w]!, n = cols.starts[w + 1]! - from, k1 = keys.h1[w]!;
      let s = fmix32(k1) & mask;
      while (all[(s << 2) + 2] !== 0) s = (s + 1) & mask;
      const o = s << 2;
      all[o] = k1; all[o + 1] = keys.h2[w]!; all[o + 2] = from + 1; all[o + 3] = n;
    }
    all.set(cols.ids, head);
    const used = cols.ids.length;
    sections[`wordcols${b}`] = new Uint8Array(all.buffer, 0, (head + used) * 4);
    blocks.push({ block: b, slots: size, ids: used });
  });
  return blocks.length ? { header: { version: WORD_COLUMNS_VERSION, blocks }, sections } : undefined;
}

/**
 * Each word's known char_wb columns, exactly what `CharWbColumns.run(word)` lists (analyzer order, repeats, unknown
 * n-grams dropped): word w's are ids[starts[w]..starts[w + 1]). One analyzer pass over the words joined by spaces
 * and one table look-up of all their n-grams, on the code evaluation has just run: the same per word through the
 * scorer's cache (`run`, compiled only as it goes in a fresh process) cost more and varied with the JIT (~11.5k words
 * of jigsaw-10k, fresh processes: 84–145 ms CPU vs 59–107; one profiled CLI run spent 357 ms in it). char_wb n-grams
 * never cross a space, and lowercasing a space-joined list lowercases each word as on
 * its own (the only context rule, Greek final sigma, stops at a space). Should the pass not find exactly these words
 * (a word that is not one char_wb word), each is worked out on its own as before.
 */
export function knownColumnsOfWords(words: readonly string[], v: TfidfVectorizer): { starts: Int32Array; ids: Int32Array } {
  const { lowercase, ngramRange } = v.config, s = new NgramScratch(), starts = new Int32Array(words.length + 1);
  analyzeCharWb(words.join(' '), lowercase, ngramRange[0], ngramRange[1], s);
  const n = s.count, ids = s.ids, pos = s.pos, st = s.stream, end = s.streamLen;
  v.lookupTable.getMany(s.h1, s.h2, n, ids);
  // words are the stream's [b, e) between pads (analyzeCharWb's layout); a word's n-grams start inside it
  let kept = 0, k = 0, w = 0;
  for (let b = 0; b < end && w < words.length; w++) {
    let e = b + 1;
    while (st[e] !== 32) e++;
    e++;
    starts[w] = kept;
    for (; k < n && pos[k] < e; k++) if (ids[k] >= 0) ids[kept++] = ids[k];
    b = e;
  }
  starts[w] = kept;
  if (w === words.length && k === n) return { starts, ids: ids.slice(0, kept) };
  return columnsWordByWord(words, v);
}

function columnsWordByWord(words: readonly string[], v: TfidfVectorizer): { starts: Int32Array; ids: Int32Array } {
  const { lowercase, ngramRange } = v.config, cw = new CharWbColumns(v.lookupTable, ngramRange[0], ngramRange[1], lowercase);
  const starts = new Int32Array(words.length + 1), out: number[] = [];
  for (let w = 0; w < words.length; w++) {
    const n = cw.run(words[w]!);
    for (let j = 0; j < n; j++) out.push(cw.ids[j]!);
    starts[w + 1] = out.length;
  }
  return { starts, ids: Int32Array.from(out) };
}

/**
 * The stored words of each block (undefined where none), from a file's header and sections: views into its bytes.
 * Throws when a stored table is damaged: an entry outside its ids, or a column outside its block. `checked`: these
 * very bytes were checked by an earlier load in this process (a scoring thread's load of the shared model file), so
 * the entries are not scanned again; sizes are still checked.
 */
export function storedWordColumns(header: unknown, section: (name: string) => Uint8Array, vectorizers: readonly TfidfVectorizer[], checked = false): (StoredWordColumns | undefined)[] {
  const out: (StoredWordColumns | undefined)[] = vectorizers.map(() => undefined);
  const h = header as Partial<WordColumnsHeader> | undefined;
  if (!h || h.version !== WORD_COLUMNS_VERSION || !Array.isArray(h.blocks)) return out;
  for (const meta of h.blocks) {
    const v = vectorizers[meta.block];
    if (!v || v.config.analyzer !== 'char_wb') throw new Error(`text classifier: stored word columns name block ${meta.block}, which is not a char_wb block`);
    const bytes = section(`wordcols${meta.block}`), size = meta.slots;
    if (!(Number.isInteger(size) && size >= 16 && (size & (size - 1)) === 0) || bytes.byteOffset % 4 !== 0 || bytes.byteLength !== (size * 4 + meta.ids) * 4) {
      throw new Error(`text classifier: block ${meta.block}'s stored word columns are truncated`);
    }
    const all = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const slots = all.subarray(0, size * 4), ids = all.subarray(size * 4);
    if (!checked && !validEntries(slots, ids, v.nFeatures)) throw new Error(`text classifier: block ${meta.block}'s stored word columns hold an entry out of range`);
    out[meta.block] = { slots, mask: size - 1, ids };
  }
  return out;
}

/** Every used slot's [start, start + length) inside `ids`, and every id a column of the block (top-level loops: see hashTable's scanSlots). */
function validEntries(slots: Int32Array, ids: Int32Array, nColumns: number): boolean {
  for (let o = 0; o < slots.length; o += 4) {
    const start = slots[o + 2] - 1, len = slots[o + 3];
    if (start < 0) continue;
    if (len < 0 || start + len > ids.length) return false;
  }
  for (let i = 0; i < ids.length; i++) if (ids[i] < 0 || ids[i] >= nColumns) return false;
  return true;
}

/** Per loaded model (deserialize sets it): each block's stored words, for the fused scorer. */
export const modelWordColumns = new WeakMap<object, (StoredWordColumns | undefined)[]>();
