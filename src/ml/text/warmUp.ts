/**
 * JIT warm-up of the text scoring path: a fresh thread (a scoring pool's worker, a new process) runs the analyzers,
 * the look-ups and the fused scorer in V8's interpreter first, and its first few hundred documents cost several
 * times what they cost once the code is optimised (measured on jigsaw-10k: ~200 ms of CPU for the first 100
 * documents, ~15 ms for the next 100). Scoring a tiny built-in model on made-up documents — same classes, same
 * code paths: stored look-up tables, the char_wb word cache's hits and misses (and collisions), long words, non-ASCII
 * and astral characters, both label widths of the kernel — lets a thread pay that before its first real task. A path
 * it leaves out costs a deoptimisation in the first real batch (check with `node --trace-deopt`).
 * Deterministic; no I/O; about 0.35–0.45 s of wall time (0.5–0.7 s of CPU, V8's compiler threads included) on the
 * 2-core bench machine, paid once per thread before its first task.
 */
import type { ClassMode } from '../linear/logreg.ts';
import { TextClassifierModel } from './classifier.ts';
import { FusedTextScorer } from './fusedScorer.ts';
import { HOT_IDS } from './hashTable.ts';
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

/**
 * Terms no document holds, put between the char_wb block's real terms so that half of those get ids ≥ HOT_IDS (one
 * block is enough: both blocks' look-ups run the same function, and its type feedback is what counts): real models
 * have tens of thousands of columns, so the look-ups' second ("cold") table is probed; a model with fewer never
 * reaches that branch, and V8 deoptimised the scorer at its first real document (measured: ~0.17 s on jigsaw-10k).
 */
const FILLER = Array.from({ length: HOT_IDS }, (_, i) => `\u0001${i.toString(36)}`);

function withFiller(terms: string[]): string[] {
  const half = terms.length >> 1;
  return [...terms.slice(0, half), ...FILLER, ...terms.slice(half)];
}

/**
 * Documents that take the rarer branches real data takes (each one left out cost a deoptimisation on the first
 * real batch): a word longer than the char_wb scratch (256 code points, 2,048 n-grams), a document with more tokens
 * than the token scratch and an n-gram counted ≥ 1,024 times (ln from Math.log, not the table), and enough
 * distinct words that the word cache's slots collide (its probing loop).
 */
function oddDocuments(): string[] {
  const many = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`).join(' ');
  return [`see ${'ab'.repeat(400)} now`, `${'lol '.repeat(1100)}you idiot`, `${'x'.repeat(60)} ${'word '.repeat(30)}`, many];
}

/**
 * 2,000 char_wb words the model file does not store (punctuation stuck to them: not word-block terms; scored, not in
 * the tiny models' vocabulary), so that the word cache inserts and finds words whose slots collide: the words of
 * `oddDocuments` are stored, so the cache's probing loops never ran in the warm-up, and the first real batch
 * deoptimised `remember` and the char_wb scan on both threads (--trace-deopt, jigsaw-10k).
 */
function unstoredWords(): string {
  return Array.from({ length: 2000 }, (_, i) => `(w${i.toString(36)},`).join(' ');
}

/**
 * Word 1–2 + char_wb 2–5 models over the n-grams of `docs` with 7 and 28 labels (multi-label) and 5 (multi-class),
 * through a model file (the stored-table load path) — from a Buffer as a process loads it, and from a
 * SharedArrayBuffer as a scoring thread does.
 */
function tinyModels(docs: string[]): TextClassifierModel[] {
  const configOf = (analyzer: 'word' | 'char_wb', ngramRange: [number, number]): VectorizerConfig => ({ analyzer, ngramRange, minDf: 1, maxFeatures: null, lowercase: true, sublinearTf: true });
  const word = [...new Set(docs.flatMap((d) => wordNgrams(wordTokens(d.toLowerCase()), [1, 2])))];
  const char = withFiller([...new Set(docs.flatMap((d) => charWbNgrams(d.toLowerCase(), [2, 5])))]);
  const vectorizers = [
    TfidfVectorizer.fromTerms(configOf('word', [1, 2]), word, new Float32Array(word.length).fill(1.5)),
    TfidfVectorizer.fromTerms(configOf('char_wb', [2, 5]), char, new Float32Array(char.length).fill(2)),
  ];
  const d = word.length + char.length, options = resolveTextClassifierOptions({});
  const info = { epochs: 1, converged: true, maxViolation: 0, nDocuments: docs.length, nWordFeatures: word.length, nCharFeatures: char.length };
  const shapes: [number, ClassMode, boolean][] = [[7, 'multi-label', false], [28, 'multi-label', true], [5, 'multi-class', true]];
  return shapes.map(([labels, mode, shared]) => {
    // a repeating pattern of weights in [-1, 1], doubled by copies (a loop per weight is slow in cold code)
    const weights = new Float32Array((d + 1) * labels);
    for (let i = 0; i < 201; i++) weights[i] = ((i * 7919) % 201) / 100 - 1;
    for (let k = 201; k < weights.length; k *= 2) weights.copyWithin(k, 0, k);
    const names = Array.from({ length: labels }, (_, l) => `label${l}`);
    const bytes = new TextClassifierModel(mode, names, options, vectorizers, { nFeatures: d, nLabels: labels, weights, interceptScaling: 1 }, info).serialize();
    if (!shared) return TextClassifierModel.deserialize(bytes, true);
    const view = new Uint8Array(new SharedArrayBuffer(bytes.length));
    view.set(bytes);
    return TextClassifierModel.deserialize(view, true);
  });
}

/** Runs the scoring path until V8 has optimised it; returns a checksum (so nothing is optimised away). */
export function warmUpTextScoring(rounds = 4): number {
  const docs = [...documents(120), ...oddDocuments(), unstoredWords()];
  let sum = 0;
  for (const model of tinyModels([...docs.slice(0, 16), ...oddDocuments()])) {
    const scorer = new FusedTextScorer(model);
    for (let r = 0; r < rounds; r++) {
      const out = scorer.score(docs);
      sum += out[r % out.length]!;
    }
  }
  return sum;
}
