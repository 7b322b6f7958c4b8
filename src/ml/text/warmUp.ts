/**
 * JIT warm-up of the text scoring path: a fresh thread (a scoring pool's worker, a new process) runs the analyzers,
 * the look-ups and the fused scorer in V8's interpreter first, and its first few hundred documents cost several
 * times what they cost once the code is optimised (measured on jigsaw-10k: ~200 ms of CPU for the first 100
 * documents, ~15 ms for the next 100). Scoring a tiny built-in model on made-up documents — same classes, same
 * code paths: stored look-up tables, the char_wb word cache's hits and misses, long words, non-ASCII and astral
 * characters, both label widths of the kernel — lets a thread pay that before its first real task.
 * Deterministic; no I/O; about 0.1–0.3 s of CPU on the 2-core bench machine (most of it building the tiny model
 * in cold code), paid once per thread before its first task.
 */
import { TextClassifierModel } from './classifier.ts';
import { FusedTextScorer } from './fusedScorer.ts';
import { resolveTextClassifierOptions } from './options.ts';
import { charWbNgrams, wordNgrams, wordTokens } from './tokenize.ts';
import { TfidfVectorizer, type VectorizerConfig } from './vocabulary.ts';

const WORDS = [
  'the', 'You', 'are', 'a', 'an', 'of', 'to', 'and', 'is', 'it', 'this', 'page', 'talk', 'article', 'Wikipedia', 'edit',
  'please', 'stop', "don't", 'FUCK', 'idiot', 'love', 'thanks!', 'lol', 'café', 'naïve', 'Straße', '😀', '👍🏽', '...',
  '(see', 'http://example.com/wiki/Some_Page?x=1&y=2', 'x', 'I', '2019', 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
];

function documents(n: number): string[] {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
  return Array.from({ length: n }, () => {
    const len = 3 + Math.floor(rnd() * 40), parts: string[] = [];
    for (let i = 0; i < len; i++) parts.push(WORDS[Math.floor(rnd() * WORDS.length)]! + (rnd() < 0.25 ? String(Math.floor(rnd() * 50)) : ''));
    return parts.join(rnd() < 0.8 ? ' ' : '\n\t ');
  });
}

/** Word 1–2 + char_wb 2–5 models over the n-grams of `docs` with 7 and 28 labels, through a model file (the stored-table load path). */
function tinyModels(docs: string[]): TextClassifierModel[] {
  const configOf = (analyzer: 'word' | 'char_wb', ngramRange: [number, number]): VectorizerConfig => ({ analyzer, ngramRange, minDf: 1, maxFeatures: null, lowercase: true, sublinearTf: true });
  const word = [...new Set(docs.flatMap((d) => wordNgrams(wordTokens(d), [1, 2])))];
  const char = [...new Set(docs.flatMap((d) => charWbNgrams(d, [2, 5])))];
  const vectorizers = [
    TfidfVectorizer.fromTerms(configOf('word', [1, 2]), word, new Float32Array(word.length).fill(1.5)),
    TfidfVectorizer.fromTerms(configOf('char_wb', [2, 5]), char, new Float32Array(char.length).fill(2)),
  ];
  const d = word.length + char.length, options = resolveTextClassifierOptions({});
  const info = { epochs: 1, converged: true, maxViolation: 0, nDocuments: docs.length, nWordFeatures: word.length, nCharFeatures: char.length };
  return [7, 28].map((labels) => {
    const weights = new Float32Array((d + 1) * labels);
    for (let i = 0; i < weights.length; i++) weights[i] = ((i * 7919) % 201) / 100 - 1;
    const names = Array.from({ length: labels }, (_, l) => `label${l}`);
    const model = new TextClassifierModel('multi-label', names, options, vectorizers, { nFeatures: d, nLabels: labels, weights, interceptScaling: 1 }, info);
    return TextClassifierModel.deserialize(model.serialize(), true);
  });
}

/** Runs the scoring path until V8 has optimised it; returns a checksum (so nothing is optimised away). */
export function warmUpTextScoring(rounds = 4): number {
  const docs = documents(120);
  let sum = 0;
  for (const model of tinyModels(docs.slice(0, 16))) {
    const scorer = new FusedTextScorer(model);
    for (let r = 0; r < rounds; r++) {
      const out = scorer.score(docs);
      sum += out[r % out.length]!;
    }
  }
  return sum;
}
