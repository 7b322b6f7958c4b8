/**
 * Extractive summarization without a language model: scores every sentence and picks the best ones until a
 * word budget is filled, with MMR redundancy control, then prints them in document order.
 *
 * Sentence score = centroid similarity (tf-idf of content unigrams + bigrams, idf over the document's own
 * sentences) + TextRank (PageRank over the cosine-similarity graph) + a structure prior: where the sentence sits
 * (conclusion / introduction sections, the introduction's closing paragraph, the first sentence of a paragraph)
 * and what it says ("in this study", "we found", "in conclusion" raise it; citations, figure/table references and
 * method details lower it). Weights: DEFAULT_WEIGHTS, chosen on the first 100 SumPubMed articles only (see
 * bench/summarize.bench.ts and docs/benchmarks.md for every variant tried and its score).
 */
import { segmentDocument, type Sentence } from './sentences.ts';
import { buildTermSpace, centroid, contentWords, dot, type SparseVector } from './vectors.ts';
import { pagerank } from './textrank.ts';

export type ExtractiveMethod = 'hybrid' | 'centroid' | 'textrank' | 'lead';

export interface ExtractiveWeights {
  centroid: number;
  textrank: number;
  /** Sentence in a conclusion/summary section. */
  conclusionSection: number;
  /** Sentence in the last paragraph of the introduction/background ("in this study we…"). */
  introLastParagraph: number;
  /** Sentence in the first paragraph of the results/discussion. */
  resultsFirstParagraph: number;
  /** First sentence of a paragraph. */
  paragraphFirst: number;
  /** Sentence in a methods section. */
  methodsSection: number;
  /** Summary cue phrases ("in this study", "we found", "in conclusion"…). */
  cue: number;
  /** Per citation marker / figure or table reference. */
  citation: number;
  figure: number;
  /** MMR trade-off: score − redundancy × (max similarity to a sentence already chosen). */
  redundancy: number;
}

export const DEFAULT_WEIGHTS: ExtractiveWeights = {
  centroid: 1,
  textrank: 0,
  conclusionSection: 0.2,
  introLastParagraph: 0.05,
  resultsFirstParagraph: 0.05,
  paragraphFirst: 0.03,
  methodsSection: -0.05,
  cue: 0.04,
  citation: -0.04,
  figure: -0.05,
  redundancy: 0.5,
};

export interface ExtractiveOptions {
  /** Word budget (default: `ratio` of the document, at least 50 and at most 400 words). */
  maxWords?: number;
  ratio?: number;
  method?: ExtractiveMethod;
  weights?: Partial<ExtractiveWeights>;
  /** Sentences with fewer / more ROUGE tokens are not candidates (default 6 / 90). */
  minTokens?: number;
  maxTokens?: number;
}

export interface ScoredSentence {
  index: number;
  text: string;
  score: number;
  section: string;
}

export interface ExtractiveSummary {
  summary: string;
  /** The chosen sentences in document order. */
  sentences: ScoredSentence[];
  words: number;
  candidates: number;
  totalSentences: number;
}

const CUES = /\b(in this (study|work|paper|report)|here,? we|we (report|show|found|find|identified|demonstrate|describe|present|propose|observed|conclude|developed)|our (results|findings|data|study|analysis) (show|suggest|indicate|demonstrate|reveal)|these (results|findings|data) (suggest|indicate|show|demonstrate)|in (conclusion|summary)|taken together|to our knowledge|this is the first)\b/;
const FIGURE = /\b(fig(ure)?s?\.?|tables?|additional file|supplementary|panel)\s*(<dig>|\d|s\d|[a-z]\b)/g;
const CITATION = /<cit>|\[\d+(?:[,–-]\s*\d+)*\]/g;

type Role = 'intro' | 'methods' | 'results' | 'conclusion' | 'other';

function sectionRole(heading: string): Role {
  const h = heading.toLowerCase();
  if (/conclu|summary|closing|outlook/.test(h)) return 'conclusion';
  if (/method|material|experimental|procedure|patients and|data collection/.test(h)) return 'methods';
  if (/result|discussion|finding/.test(h)) return 'results';
  if (/background|introduction|^intro|motivation|overview/.test(h)) return 'intro';
  return 'other';
}

function wordCount(text: string): number {
  return (text.match(/\S+/g) ?? []).length;
}

function zscores(xs: number[]): number[] {
  const n = xs.length || 1;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n) || 1;
  return xs.map((x) => (x - mean) / sd);
}

/** Default budget: a fraction of the document's words, clamped. */
export function defaultBudget(documentWords: number, ratio = 0.1): number {
  return Math.max(50, Math.min(400, Math.round(documentWords * ratio)));
}

export function summarizeExtractive(text: string, options: ExtractiveOptions = {}): ExtractiveSummary {
  const doc = segmentDocument(text);
  const w = { ...DEFAULT_WEIGHTS, ...options.weights };
  const method = options.method ?? 'hybrid';
  const budget = options.maxWords ?? defaultBudget(wordCount(text), options.ratio);
  const minTokens = options.minTokens ?? 6;
  const maxTokens = options.maxTokens ?? 90;
  const all = doc.sentences;
  const tokenCounts = all.map((s) => (s.text.toLowerCase().match(/[a-z0-9]+/g) ?? []).length);
  let cand = all.map((_, i) => i).filter((i) => tokenCounts[i]! >= minTokens && tokenCounts[i]! <= maxTokens);
  if (cand.length === 0) cand = all.map((_, i) => i).filter((i) => tokenCounts[i]! > 0);
  const result = (chosen: number[]): ExtractiveSummary => {
    const sorted = [...chosen].sort((a, b) => a - b);
    const sentences = sorted.map((i) => ({ index: i, text: all[i]!.text, score: 0, section: doc.sections[all[i]!.section]?.heading ?? '' }));
    const summary = sentences.map((s) => s.text).join('\n');
    return { summary, sentences, words: wordCount(summary), candidates: cand.length, totalSentences: all.length };
  };
  if (method === 'lead') {
    const chosen: number[] = [];
    let words = 0;
    for (const i of cand) {
      if (words >= budget) break;
      chosen.push(i);
      words += wordCount(all[i]!.text);
    }
    return result(chosen);
  }

  const sents: Sentence[] = cand.map((i) => all[i]!);
  const space = buildTermSpace(sents.map((s) => contentWords(s.text)), { bigrams: true });
  const vecs: SparseVector[] = space.vectors;
  const center = centroid(vecs);
  const cen = vecs.map((v) => dot(v, center));
  const n = sents.length;
  const sim = (a: number, b: number) => dot(vecs[a]!, vecs[b]!);
  let tr: number[];
  if (method === 'centroid') tr = new Array<number>(n).fill(0);
  else if (method === 'textrank') {
    // The original TextRank similarity: shared words / (log |Si| + log |Sj|).
    const bags = sents.map((s) => new Set((s.text.toLowerCase().match(/[a-z0-9]+/g) ?? [])));
    const logLen = bags.map((b) => Math.log(Math.max(2, b.size)));
    tr = pagerank(n, (a, b) => {
      let shared = 0;
      const [x, y] = bags[a]!.size < bags[b]!.size ? [bags[a]!, bags[b]!] : [bags[b]!, bags[a]!];
      for (const t of x) if (y.has(t)) shared++;
      return shared / (logLen[a]! + logLen[b]!);
    });
  } else tr = w.textrank !== 0 ? pagerank(n, sim) : new Array<number>(n).fill(0);

  const paragraphsOfSection = new Map<number, number[]>();
  for (const s of all) {
    const list = paragraphsOfSection.get(s.section) ?? [];
    if (list[list.length - 1] !== s.paragraph) list.push(s.paragraph);
    paragraphsOfSection.set(s.section, list);
  }
  const hasSections = doc.sections.length > 1 || doc.sections[0]!.heading !== '';
  const prior = sents.map((s, k) => {
    if (method !== 'hybrid') return 0;
    const role = hasSections ? sectionRole(doc.sections[s.section]!.heading) : 'other';
    const paras = paragraphsOfSection.get(s.section)!;
    const lower = s.text.toLowerCase();
    let p = 0;
    if (role === 'conclusion') p += w.conclusionSection;
    if (role === 'methods') p += w.methodsSection;
    if (role === 'intro' && s.paragraph === paras[paras.length - 1]) p += w.introLastParagraph;
    if (role === 'results' && s.paragraph === paras[0]) p += w.resultsFirstParagraph;
    if (!hasSections) {
      // No headings: the opening and closing paragraphs play the introduction and conclusion.
      const rel = cand[k]! / Math.max(1, all.length - 1);
      if (rel > 0.9) p += w.conclusionSection;
      else if (rel < 0.1) p += w.introLastParagraph;
    }
    if (s.indexInParagraph === 0) p += w.paragraphFirst;
    if (CUES.test(lower)) p += w.cue;
    p += w.citation * Math.min(3, (lower.match(CITATION) ?? []).length);
    p += w.figure * Math.min(2, (lower.match(FIGURE) ?? []).length);
    return p;
  });

  const base = method === 'textrank' ? tr : method === 'centroid' ? cen : (() => {
    const zt = zscores(tr);
    return cen.map((c, k) => w.centroid * c + w.textrank * zt[k]! + prior[k]!);
  })();

  // Greedy MMR until the budget is filled.
  const chosen: number[] = [];
  const maxSim = new Float64Array(n);
  const taken = new Uint8Array(n);
  let words = 0;
  // The classic baselines (centroid, TextRank) have no redundancy control.
  const lambda = method === 'hybrid' ? w.redundancy : 0;
  while (words < budget && chosen.length < n) {
    let best = -1;
    let bestValue = -Infinity;
    for (let k = 0; k < n; k++) {
      if (taken[k]) continue;
      const v = base[k]! - lambda * maxSim[k]!;
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    chosen.push(best);
    words += wordCount(sents[best]!.text);
    for (let k = 0; k < n; k++) if (!taken[k]) maxSim[k] = Math.max(maxSim[k]!, sim(k, best));
  }
  const out = result(chosen.map((k) => cand[k]!));
  const scoreOf = new Map(chosen.map((k) => [cand[k]!, base[k]!]));
  for (const s of out.sentences) s.score = scoreOf.get(s.index) ?? 0;
  return out;
}
