/**
 * Fast twins of tokenize.ts: instead of n-gram strings they emit 64-bit n-gram hashes (h1, h2) plus where the
 * n-gram sits in a per-document code-point "stream", so a kept term's string can be rebuilt later from its first
 * document without ever allocating strings for the millions of n-grams that are dropped.
 * - word stream: the tokens joined by single spaces, so a word n-gram ("a b") is a contiguous slice;
 * - char_wb stream: each word padded with a space each side, concatenated (" a  bc "), n-grams never cross words.
 * The hash of an n-gram is the hash of its string's code points (`hashTerm`), so restored vocabularies rehash
 * their terms and agree with these analyzers bit for bit. Hashing is done inline in the loops on purpose.
 */
import { codePointAt, isSpaceChar, wordCharTable, isWordChar } from './tokenize.ts';

export type AnalyzerKind = 'word' | 'char_wb';

export const SEED1 = 0x811c9dc5 | 0;
export const SEED2 = 0x2545f491;

/** Reusable per-document buffers (one per vectorizer call, never shared between concurrent calls). */
export class NgramScratch {
  stream = new Int32Array(4096);
  streamLen = 0;
  h1 = new Int32Array(16384);
  h2 = new Int32Array(16384);
  pos = new Int32Array(16384);
  len = new Int32Array(16384);
  /** Filled by the vocabulary's look-ups (not by the analyzers). */
  ids = new Int32Array(16384);
  count = 0;
  tokStart = new Int32Array(1024);
  tokEnd = new Int32Array(1024);

  ensureStream(n: number): void {
    if (n <= this.stream.length) return;
    const s = new Int32Array(Math.max(n, this.stream.length * 2));
    s.set(this.stream);
    this.stream = s;
  }

  ensureNgrams(n: number): void {
    if (n <= this.h1.length) return;
    const cap = Math.max(n, this.h1.length * 2);
    const grow = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    this.h1 = grow(this.h1); this.h2 = grow(this.h2); this.pos = grow(this.pos); this.len = grow(this.len); this.ids = grow(this.ids);
  }

  ensureTokens(n: number): void {
    if (n <= this.tokStart.length) return;
    const cap = Math.max(n, this.tokStart.length * 2);
    const a = new Int32Array(cap), b = new Int32Array(cap);
    a.set(this.tokStart); b.set(this.tokEnd);
    this.tokStart = a; this.tokEnd = b;
  }
}

/** Hashes of term strings (as stored in a fitted vocabulary), by the same steps the analyzers take. */
export function hashTerms(terms: readonly string[]): { h1: Int32Array; h2: Int32Array } {
  const n = terms.length, H1 = new Int32Array(n), H2 = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const term = terms[t];
    let h1 = SEED1, h2 = SEED2;
    for (let i = 0; i < term.length; i++) {
      const c = codePointAt(term, i);
      if (c > 0xffff) i++;
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    H1[t] = h1;
    H2[t] = h2;
  }
  return { h1: H1, h2: H2 };
}

/**
 * Hashes of `n` terms stored as UTF-8 joined by '\n' (the model file's layout), straight from the bytes: loading
 * a model does not need to build 150k strings. Assumes well-formed UTF-8, as Buffer.from(string) writes.
 */
export function hashUtf8Terms(bytes: Uint8Array, n: number): { h1: Int32Array; h2: Int32Array } {
  const H1 = new Int32Array(n), H2 = new Int32Array(n);
  if (n === 0 && bytes.length === 0) return { h1: H1, h2: H2 };
  let t = 0, h1 = SEED1, h2 = SEED2;
  for (let i = 0; i <= bytes.length; i++) {
    let c = i < bytes.length ? bytes[i] : 10;
    if (c === 10) {
      if (t < n) { H1[t] = h1; H2[t] = h2; }
      t++;
      h1 = SEED1; h2 = SEED2;
      continue;
    }
    if (c >= 0xf0) { c = ((c & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f); i += 3; }
    else if (c >= 0xe0) { c = ((c & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f); i += 2; }
    else if (c >= 0xc0) { c = ((c & 0x1f) << 6) | (bytes[i + 1] & 0x3f); i += 1; }
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  if (t !== n) throw new Error(`vectorizer: the term list holds ${t} terms, expected ${n}`);
  return { h1: H1, h2: H2 };
}

/** Hash of one term string. */
export function hashTerm(term: string): [number, number] {
  const { h1, h2 } = hashTerms([term]);
  return [h1[0], h2[0]];
}

/** Word analyzer: fills `s.stream` with the tokens joined by spaces and emits every n-gram's hash. */
export function analyzeWords(text: string, lowercase: boolean, minN: number, maxN: number, s: NgramScratch): void {
  const t = lowercase ? text.toLowerCase() : text;
  const table = wordCharTable();
  s.ensureStream(t.length + 1);
  const st = s.stream;
  let p = 0, nTok = 0, runStart = -1, before = 0;
  for (let i = 0; i <= t.length; i++) {
    const c = i < t.length ? codePointAt(t, i) : 32;
    if (c > 0xffff) i++;
    const w = c < 65536 ? table[c] === 1 : isWordChar(c);
    if (w) {
      if (runStart < 0) {
        before = p;
        if (nTok > 0) st[p++] = 32;
        runStart = p;
      }
      st[p++] = c;
    } else if (runStart >= 0) {
      if (p - runStart >= 2) {
        s.ensureTokens(nTok + 1);
        s.tokStart[nTok] = runStart;
        s.tokEnd[nTok++] = p;
      } else p = before; // single-character tokens are not tokens
      runStart = -1;
    }
  }
  s.streamLen = p;
  s.count = 0;
  if (nTok === 0) return;
  s.ensureNgrams(nTok * (maxN - minN + 1));
  const ts = s.tokStart, te = s.tokEnd, H1 = s.h1, H2 = s.h2, P = s.pos, L = s.len;
  let k = 0;
  for (let a = 0; a < nTok; a++) {
    let h1 = SEED1, h2 = SEED2;
    const start = ts[a];
    for (let b = a; b < nTok && b - a < maxN; b++) {
      // hash through the separating space and the next token: the n-gram's string is the stream slice
      const from = b === a ? start : te[b - 1], to = te[b];
      for (let j = from; j < to; j++) {
        const c = st[j];
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
      if (b - a + 1 >= minN) { H1[k] = h1; H2[k] = h2; P[k] = start; L[k] = to - start; k++; }
    }
  }
  s.count = k;
}

/** char_wb analyzer: fills `s.stream` with space-padded words and emits every n-gram's hash. */
export function analyzeCharWb(text: string, lowercase: boolean, minN: number, maxN: number, s: NgramScratch): void {
  const t = lowercase ? text.toLowerCase() : text;
  s.ensureStream(2 * t.length + 2);
  const st = s.stream;
  // pass 1: the padded stream; word starts are recovered from the pads in pass 2
  let p = 0, inWord = false;
  for (let i = 0; i < t.length; i++) {
    const c = codePointAt(t, i);
    if (c > 0xffff) i++;
    if (c === 32 || isSpaceChar(c)) {
      if (inWord) { st[p++] = 32; inWord = false; }
    } else {
      if (!inWord) { st[p++] = 32; inWord = true; }
      st[p++] = c;
    }
  }
  if (inWord) st[p++] = 32;
  s.streamLen = p;
  // upper bound on n-grams: each stream position starts at most (maxN - minN + 1) of them
  s.ensureNgrams(p * (maxN - minN + 1) + 1);
  const H1 = s.h1, H2 = s.h2, P = s.pos, L = s.len;
  let k = 0;
  // words are [b, e) with st[b] and st[e-1] the pads; inside a word there are no spaces
  for (let b = 0; b < p; ) {
    let e = b + 1;
    while (st[e] !== 32) e++;
    e++;
    const m = e - b;
    if (m < minN) {
      // sklearn emits w[0:min_n], i.e. the whole padded word, once
      let h1 = SEED1, h2 = SEED2;
      for (let j = b; j < e; j++) {
        const c = st[j];
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
      H1[k] = h1; H2[k] = h2; P[k] = b; L[k] = m; k++;
    } else {
      // every start o, every length n ≤ maxN that fits: n < m at all offsets, n = m (whole word) once at o = 0
      for (let o = b; o < e; o++) {
        let h1 = SEED1, h2 = SEED2;
        const end = Math.min(e, o + maxN);
        for (let j = o; j < end; j++) {
          const c = st[j];
          h1 = Math.imul(h1 ^ c, 0x01000193);
          h2 = Math.imul(h2 ^ c, 0x5bd1e995);
          h2 ^= h2 >>> 15;
          if (j - o + 1 >= minN) { H1[k] = h1; H2[k] = h2; P[k] = o; L[k] = j - o + 1; k++; }
        }
      }
    }
    b = e;
  }
  s.count = k;
}

/** Runs the analyzer of `kind` on one document. */
export function analyze(kind: AnalyzerKind, text: string, lowercase: boolean, range: readonly [number, number], s: NgramScratch): void {
  if (kind === 'word') analyzeWords(text, lowercase, range[0], range[1], s);
  else analyzeCharWb(text, lowercase, range[0], range[1], s);
}
