/**
 * scikit-learn compatible tokenisation (TfidfVectorizer defaults, sklearn 1.2):
 * - word: lowercase, then token_pattern `(?u)\b\w\w+\b` — i.e. maximal runs of ≥ 2 word characters.
 *   Python's `\w` on str is `isalnum() or "_"`, which equals `[\p{L}\p{N}_]` (checked over every code point
 *   against Python 3.11; the only differences are characters newer than Python's Unicode 14 tables).
 *   Note that combining marks (Mn/Mc) are not `\w` in Python, so they split words there and here.
 * - char_wb: lowercase, split on Python whitespace (`str.split()`), pad each word with one space each side,
 *   emit its n-grams; a padded word shorter than or equal to n is emitted once, whole, and longer n are skipped
 *   (sklearn's `_char_wb_ngrams` "count a short word only once" rule).
 * Lengths are counted in Unicode code points as Python does (an emoji is one character); lone surrogates,
 * which Python cannot produce from UTF-8 input, become U+FFFD.
 * The string-returning functions here are the readable reference; `analyzers.ts` holds the fast hashing twins.
 */

let wordTable: Uint8Array | null = null;
const WORD_RE = /[\p{L}\p{N}_]/u;

/** BMP lookup table for `\w`, built once on first use (~65k regex tests, a few ms). */
function getWordTable(): Uint8Array {
  if (wordTable) return wordTable;
  const t = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (WORD_RE.test(String.fromCharCode(c))) t[c] = 1;
  }
  wordTable = t;
  return t;
}

/** True when code point `cp` matches Python's `\w` (str patterns). */
export function isWordChar(cp: number): boolean {
  if (cp < 65536) return getWordTable()[cp] === 1;
  return WORD_RE.test(String.fromCodePoint(cp));
}

/** Python `str.isspace()` (Unicode 14): what `str.split()` splits on. Differs from JS `\s` (no U+FEFF; adds U+001C–U+001F, U+0085). */
export function isSpaceChar(cp: number): boolean {
  if (cp <= 32) return cp === 32 || (cp >= 9 && cp <= 13) || (cp >= 28 && cp <= 31);
  if (cp < 0x85) return false;
  return (
    cp === 0x85 || cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000
  );
}

/** Makes the word table available to hot loops without a call per character. */
export function wordCharTable(): Uint8Array {
  return getWordTable();
}

/**
 * The code point at UTF-16 index `i` of `s` (a lone surrogate reads as U+FFFD). A result above 0xffff took two
 * code units: the caller steps `i` once more. Small enough for V8 to inline into the analyzers' hot loops.
 */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) return c;
  const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
  return c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00) : 0xfffd;
}

/** Code points of `text` (lone surrogates → U+FFFD), as Python indexes a str. */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = codePointAt(text, i);
    if (c > 0xffff) i++;
    out.push(c);
  }
  return out;
}

/** String from code points `cps[start..end)`, chunked so very long words cannot overflow the call stack. */
export function fromCodePoints(cps: ArrayLike<number>, start = 0, end = cps.length): string {
  if (end - start <= 8) {
    // the common case (n-grams): no array copies
    let out = '';
    for (let i = start; i < end; i++) {
      const c = cps[i];
      out += c < 0x10000 ? String.fromCharCode(c) : String.fromCodePoint(c);
    }
    return out;
  }
  let out = '';
  const typed = ArrayBuffer.isView(cps);
  for (let i = start; i < end; i += 4096) {
    const j = Math.min(end, i + 4096);
    const chunk = typed ? (cps as Int32Array).subarray(i, j) : Array.prototype.slice.call(cps, i, j);
    out += String.fromCodePoint.apply(null, chunk as unknown as number[]);
  }
  return out;
}

/** sklearn's `_white_spaces.sub(" ", doc)`: runs of two or more whitespace characters become one space. */
export function normalizeWhitespace(text: string): string {
  const cps = codePoints(text);
  let out = '';
  for (let i = 0; i < cps.length; ) {
    if (isSpaceChar(cps[i]) && i + 1 < cps.length && isSpaceChar(cps[i + 1])) {
      while (i < cps.length && isSpaceChar(cps[i])) i++;
      out += ' ';
    } else out += String.fromCodePoint(cps[i++]);
  }
  return out;
}

/** Word tokens as `re.findall(r"(?u)\b\w\w+\b", doc.lower())`. */
export function wordTokens(text: string, lowercase = true): string[] {
  const cps = codePoints(lowercase ? text.toLowerCase() : text);
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= cps.length; i++) {
    const w = i < cps.length && isWordChar(cps[i]);
    if (w && start < 0) start = i;
    else if (!w && start >= 0) {
      if (i - start >= 2) tokens.push(fromCodePoints(cps, start, i));
      start = -1;
    }
  }
  return tokens;
}

/** sklearn `_word_ngrams`: unigrams in order first (when min_n is 1), then each larger n joined by one space. */
export function wordNgrams(tokens: string[], range: readonly [number, number]): string[] {
  const [minN, maxN] = range;
  const out: string[] = minN === 1 ? tokens.slice() : [];
  for (let n = Math.max(minN, 2); n <= Math.min(maxN, tokens.length); n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
  }
  return out;
}

/** Words of `text` as Python's `str.split()` (no argument) returns them. */
export function splitWhitespace(text: string): string[] {
  const cps = codePoints(text);
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= cps.length; i++) {
    const sp = i === cps.length || isSpaceChar(cps[i]);
    if (!sp && start < 0) start = i;
    else if (sp && start >= 0) {
      words.push(fromCodePoints(cps, start, i));
      start = -1;
    }
  }
  return words;
}

/** sklearn `_char_wb_ngrams` on the lowercased document, in sklearn's order. */
export function charWbNgrams(text: string, range: readonly [number, number], lowercase = true): string[] {
  const [minN, maxN] = range;
  const out: string[] = [];
  for (const word of splitWhitespace(lowercase ? text.toLowerCase() : text)) {
    const w = [32, ...codePoints(word), 32];
    for (let n = minN; n <= maxN; n++) {
      let offset = 0;
      out.push(fromCodePoints(w, offset, Math.min(w.length, offset + n)));
      while (offset + n < w.length) {
        offset++;
        out.push(fromCodePoints(w, offset, Math.min(w.length, offset + n)));
      }
      if (offset === 0) break; // a short word is counted only once, whole
    }
  }
  return out;
}
