/**
 * ROUGE (Lin 2004) with the conventions of Google's `rouge_score` package, the de-facto reference:
 * - tokens: lower-case, every run of characters outside [a-z0-9] is a separator (so "t. cruzi-infected" →
 *   t, cruzi, infected; non-ASCII letters are dropped); no stemming, no stop-word removal;
 * - ROUGE-N: clipped n-gram overlap; precision = overlap / candidate n-grams, recall = overlap / reference n-grams,
 *   F1 = 2PR / (P + R);
 * - ROUGE-L: longest common subsequence of the two whole token sequences (`rouge_score`'s `rougeL`);
 * - ROUGE-Lsum: Lin's summary-level LCS — for each reference sentence the union of its LCS hits with every
 *   candidate sentence, each token counted at most as often as it occurs on both sides (`rouge_score`'s `rougeLsum`,
 *   sentences = lines).
 * Scores are fractions in [0, 1].
 */

export interface RougeScore {
  precision: number;
  recall: number;
  f1: number;
}

export interface RougeScores {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rougeL: RougeScore;
  rougeLsum: RougeScore;
}

/** `rouge_score`'s default tokenizer without stemming. */
export function rougeTokens(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim().split(' ').filter((t) => t.length > 0);
}

function score(hits: number, candidateTotal: number, referenceTotal: number): RougeScore {
  const precision = candidateTotal > 0 ? hits / candidateTotal : 0;
  const recall = referenceTotal > 0 ? hits / referenceTotal : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** ROUGE-N over token arrays. */
export function rougeN(candidate: readonly string[], reference: readonly string[], n: number): RougeScore {
  const c = ngramCounts(candidate, n);
  const r = ngramCounts(reference, n);
  let hits = 0;
  for (const [gram, count] of c) hits += Math.min(count, r.get(gram) ?? 0);
  return score(hits, Math.max(0, candidate.length - n + 1), Math.max(0, reference.length - n + 1));
}

/** The dynamic-programming table of LCS lengths, (|a|+1) × (|b|+1), row-major. */
function lcsTable(a: readonly string[], b: readonly string[]): Uint32Array {
  const cols = b.length + 1;
  const t = new Uint32Array((a.length + 1) * cols);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      t[i * cols + j] = ai === b[j - 1] ? t[(i - 1) * cols + j - 1]! + 1 : Math.max(t[(i - 1) * cols + j]!, t[i * cols + j - 1]!);
    }
  }
  return t;
}

export function lcsLength(a: readonly string[], b: readonly string[]): number {
  // Two rows are enough for the length.
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) cur[j] = ai === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Indices into `ref` of one LCS with `can`, with `rouge_score`'s tie-breaking (`_backtrack_norec`). */
export function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const t = lcsTable(ref, can);
  const cols = can.length + 1;
  const out: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.push(i - 1);
      i--;
      j--;
    } else if (t[i * cols + j - 1]! > t[(i - 1) * cols + j]!) j--;
    else i--;
  }
  return out.reverse();
}

/** ROUGE-L over whole token sequences. */
export function rougeL(candidate: readonly string[], reference: readonly string[]): RougeScore {
  if (candidate.length === 0 || reference.length === 0) return { precision: 0, recall: 0, f1: 0 };
  return score(lcsLength(candidate, reference), candidate.length, reference.length);
}

/** Summary-level ROUGE-L (union LCS) over sentences given as token arrays. */
export function rougeLsum(candidateSentences: readonly string[][], referenceSentences: readonly string[][]): RougeScore {
  const m = referenceSentences.reduce((s, x) => s + x.length, 0);
  const n = candidateSentences.reduce((s, x) => s + x.length, 0);
  if (m === 0 || n === 0) return { precision: 0, recall: 0, f1: 0 };
  const countsOf = (sents: readonly string[][]) => {
    const c = new Map<string, number>();
    for (const s of sents) for (const t of s) c.set(t, (c.get(t) ?? 0) + 1);
    return c;
  };
  const refCounts = countsOf(referenceSentences);
  const canCounts = countsOf(candidateSentences);
  let hits = 0;
  for (const ref of referenceSentences) {
    const union = new Set<number>();
    for (const can of candidateSentences) for (const i of lcsIndices(ref, can)) union.add(i);
    for (const i of [...union].sort((a, b) => a - b)) {
      const tok = ref[i]!;
      const rc = refCounts.get(tok) ?? 0;
      const cc = canCounts.get(tok) ?? 0;
      if (rc > 0 && cc > 0) {
        hits++;
        refCounts.set(tok, rc - 1);
        canCounts.set(tok, cc - 1);
      }
    }
  }
  return score(hits, n, m);
}

/** Sentences for ROUGE-Lsum: one per non-empty line (as `rouge_score` expects; put each summary sentence on its own line). */
function lineTokens(text: string): string[][] {
  return text.split('\n').map(rougeTokens).filter((s) => s.length > 0);
}

/** ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum of a candidate summary against one reference. */
export function rouge(candidate: string, reference: string): RougeScores {
  const c = rougeTokens(candidate);
  const r = rougeTokens(reference);
  return {
    rouge1: rougeN(c, r, 1),
    rouge2: rougeN(c, r, 2),
    rougeL: rougeL(c, r),
    rougeLsum: rougeLsum(lineTokens(candidate), lineTokens(reference)),
  };
}

/** Keeps the first `words` whitespace-separated words of `text` (line breaks kept), as the evaluation protocol cuts summaries. */
export function truncateWords(text: string, words: number): string {
  if (words <= 0) return '';
  const re = /\S+/g;
  let count = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    count++;
    if (count === words) return text.slice(0, m.index + m[0].length);
  }
  return text;
}

export function countWords(text: string): number {
  return (text.match(/\S+/g) ?? []).length;
}
