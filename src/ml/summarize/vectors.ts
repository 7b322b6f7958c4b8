/**
 * Sparse term vectors of sentences for extractive summarization: content-word unigrams (and optionally bigrams)
 * weighted by sub-linear tf × idf, where the idf comes from the document's own sentences (no background corpus,
 * so any language or domain works). Vectors are L2-normalised maps term id → weight.
 */
import { STOP_WORDS } from './stopwords.ts';

export type SparseVector = Map<number, number>;

/** Lower-case alphanumeric words (the ROUGE tokenisation) with stop words and pure numbers removed. */
export function contentWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/<dig>|<cit>/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((w) => w.length > 1 && !STOP_WORDS.has(w) && !/^\d+$/.test(w));
}

export interface TermSpace {
  vectors: SparseVector[];
  /** Document frequency (in sentences) of each term id. */
  df: Map<number, number>;
  idf: Map<number, number>;
  terms: string[];
}

/** Builds tf-idf vectors for `sentences` (already tokenised into content words). */
export function buildTermSpace(tokens: readonly string[][], options: { bigrams?: boolean } = {}): TermSpace {
  const ids = new Map<string, number>();
  const terms: string[] = [];
  const id = (t: string) => {
    let k = ids.get(t);
    if (k === undefined) {
      k = terms.length;
      ids.set(t, k);
      terms.push(t);
    }
    return k;
  };
  const counts: Array<Map<number, number>> = tokens.map((toks) => {
    const c = new Map<number, number>();
    for (const t of toks) c.set(id(t), (c.get(id(t)) ?? 0) + 1);
    if (options.bigrams) for (let i = 0; i + 1 < toks.length; i++) {
      const k = id(`${toks[i]} ${toks[i + 1]}`);
      c.set(k, (c.get(k) ?? 0) + 1);
    }
    return c;
  });
  const df = new Map<number, number>();
  for (const c of counts) for (const k of c.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  const n = Math.max(1, tokens.length);
  const idf = new Map<number, number>();
  for (const [k, d] of df) idf.set(k, Math.log((1 + n) / (1 + d)) + 1);
  const vectors = counts.map((c) => {
    const v: SparseVector = new Map();
    let norm = 0;
    for (const [k, tf] of c) {
      const w = (1 + Math.log(tf)) * idf.get(k)!;
      v.set(k, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [k, w] of v) v.set(k, w / norm);
    return v;
  });
  return { vectors, df, idf, terms };
}

export function dot(a: SparseVector, b: SparseVector): number {
  if (a.size > b.size) [a, b] = [b, a];
  let s = 0;
  for (const [k, w] of a) {
    const x = b.get(k);
    if (x !== undefined) s += w * x;
  }
  return s;
}

/** The L2-normalised sum of `vectors` (weighted), keeping only the `topTerms` heaviest terms when given. */
export function centroid(vectors: readonly SparseVector[], weights?: readonly number[], topTerms?: number): SparseVector {
  const sum: SparseVector = new Map();
  vectors.forEach((v, i) => {
    const w = weights ? weights[i]! : 1;
    for (const [k, x] of v) sum.set(k, (sum.get(k) ?? 0) + w * x);
  });
  let entries = [...sum.entries()];
  if (topTerms !== undefined && entries.length > topTerms) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, topTerms);
  const norm = Math.sqrt(entries.reduce((s, [, x]) => s + x * x, 0)) || 1;
  return new Map(entries.map(([k, x]) => [k, x / norm]));
}
