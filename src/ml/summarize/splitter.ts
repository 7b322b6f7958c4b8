/**
 * Recursive character text splitter with LangChain's semantics (`RecursiveCharacterTextSplitter`,
 * keep_separator="start", strip_whitespace=True): split on the first separator found in the text, merge the
 * pieces greedily into chunks of at most `chunkSize` (measured by `length`) that overlap by up to
 * `chunkOverlap`, and split any piece that is still too long with the next separator.
 *
 * Separators, in turn: paragraph ("\n\n"), line ("\n"), sentence (our sentence boundaries, see sentences.ts),
 * word (" "), and finally single characters. `length` defaults to characters; pass a token estimate to size
 * chunks in tokens (the summarization job calibrates one with the model's own tokenizer).
 */
import { sentenceSpans } from './sentences.ts';

export type Separator = string | { kind: 'sentence' };

export const DEFAULT_SEPARATORS: readonly Separator[] = ['\n\n', '\n', { kind: 'sentence' }, ' ', ''];

export interface SplitterOptions {
  chunkSize: number;
  chunkOverlap?: number;
  length?: (text: string) => number;
  separators?: readonly Separator[];
}

/** Splits `text` at `sep`, keeping each separator at the start of the piece after it (the first piece has none). */
function splitKeepingSeparator(text: string, sep: Separator): string[] {
  if (sep === '') return [...text];
  let cuts: number[];
  if (typeof sep === 'string') {
    cuts = [];
    let i = text.indexOf(sep);
    while (i >= 0) {
      if (i > 0) cuts.push(i);
      i = text.indexOf(sep, i + sep.length);
    }
  } else {
    // Sentence starts; the white space before a sentence goes with it.
    cuts = sentenceSpans(text).slice(1).map(([s]) => {
      let k = s;
      while (k > 0 && /\s/.test(text[k - 1]!)) k--;
      return k;
    });
  }
  const pieces: string[] = [];
  let prev = 0;
  for (const c of cuts) {
    if (c > prev) pieces.push(text.slice(prev, c));
    prev = c;
  }
  pieces.push(text.slice(prev));
  return pieces.filter((p) => p.length > 0);
}

function present(text: string, sep: Separator): boolean {
  if (sep === '') return true;
  if (typeof sep === 'string') return text.includes(sep);
  return sentenceSpans(text).length > 1;
}

export function splitText(text: string, options: SplitterOptions): string[] {
  const chunkSize = options.chunkSize;
  const overlap = options.chunkOverlap ?? 0;
  if (!(chunkSize > 0)) throw new Error(`splitText: chunkSize must be positive (got ${chunkSize})`);
  if (overlap < 0 || overlap >= chunkSize) throw new Error(`splitText: chunkOverlap must be in [0, chunkSize) (got ${overlap} for chunkSize ${chunkSize})`);
  const len = options.length ?? ((s: string) => s.length);
  const separators = options.separators ?? DEFAULT_SEPARATORS;

  const join = (docs: string[]): string | null => {
    const t = docs.join('').trim();
    return t === '' ? null : t;
  };

  // LangChain's _merge_splits with separator "" (the separators stay inside the pieces).
  const merge = (splits: string[]): string[] => {
    const docs: string[] = [];
    let current: string[] = [];
    let currentLens: number[] = [];
    let total = 0;
    for (const d of splits) {
      const l = len(d);
      if (total + l > chunkSize && current.length > 0) {
        const doc = join(current);
        if (doc !== null) docs.push(doc);
        while (total > overlap || (total + l > chunkSize && total > 0)) {
          total -= currentLens[0]!;
          current = current.slice(1);
          currentLens = currentLens.slice(1);
        }
      }
      current.push(d);
      currentLens.push(l);
      total += l;
    }
    const doc = join(current);
    if (doc !== null) docs.push(doc);
    return docs;
  };

  const recurse = (t: string, seps: readonly Separator[]): string[] => {
    let sepIndex = seps.length - 1;
    for (let i = 0; i < seps.length; i++) {
      if (present(t, seps[i]!)) {
        sepIndex = i;
        break;
      }
    }
    const sep = seps[sepIndex] ?? '';
    const rest = seps.slice(sepIndex + 1);
    const out: string[] = [];
    let good: string[] = [];
    for (const s of splitKeepingSeparator(t, sep)) {
      if (len(s) < chunkSize) {
        good.push(s);
        continue;
      }
      if (good.length) {
        out.push(...merge(good));
        good = [];
      }
      if (rest.length === 0) {
        const x = s.trim();
        if (x) out.push(x);
      } else out.push(...recurse(s, rest));
    }
    if (good.length) out.push(...merge(good));
    return out;
  };

  return recurse(text, separators);
}
