/**
 * Ablation of `text.tune --stack` (issue 18) on the TRAIN part only (the test/dev split is never read): 5-fold
 * out-of-fold scores of train (text.tune's default folds, seed 0) at C ∈ {0.5, 1, 2, 4} plus the NB word and NB char
 * models in the same folds; then nested like quality.tuning.ts — the rows are cut 80/20 five ways (× 2 seeds); each variant
 * makes every choice (C per label, the combiner, its cross-fitted thresholds) on the 80 % and its macro F1 is
 * measured on the other 20 %. Also the out-of-fold mean ROC AUC on all rows (the combiner's scores cross-fitted).
 * Run alone: npx tsx bench/quality.stack.ts jigsaw|goemotions
 */
import { readFileSync } from 'node:fs';
import { mulberry32, nanMean, perLabelRocAuc, permutation } from '../src/ml/index.ts';
import { kFoldAssignment } from '../src/ml/diagnostics/index.ts';
import { labelSet, toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import { chooseThresholdBy, f1AtThreshold } from '../src/domains/quality/thresholdRules.ts';
import { gridOutOfFold } from '../src/domains/quality/tuneC.ts';
import { applyCombiner, crossFitCombiner, fitCombiner, logitsOf, sideBySide } from '../src/ml/text/stackCombiner.ts';

const C_GRID = [0.5, 1, 2, 4], DEFAULT = C_GRID.indexOf(4);

export interface StackAblation {
  k: number;
  reps: number;
  rows: { name: string; f1: number; auc: number }[];
  oofSeconds: number;
  seconds: number;
}

export async function stackAblation(trainFile: string, log: (m: string) => void, k = 5, reps = 2, combinerC = [0.1, 1]): Promise<StackAblation> {
  const started = performance.now();
  const docs = parseLabeledText(readFileSync(trainFile, 'utf8'), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
  const labels = labelSet(docs), n = labels.length, a = toArrays(docs, labels, 'multi-label'), N = docs.length;
  const folds = kFoldAssignment(a.labelIndices, 'multi-label', k, 0);
  log(`stack ablation: ${k}-fold OOF at C ∈ {${C_GRID.join(', ')}} + NB words + NB chars on ${N} train rows`);
  const g = await gridOutOfFold({ ...a, labels, options: {}, folds, k, grid: C_GRID.map((C) => ({ C, classWeight: 'none' as const })), objective: { kind: 'f-beta', beta: 1 }, nbWords: true, nbChars: true, onFold: (d) => log(`  fold ${d} of ${k}`) });
  const oofSeconds = (performance.now() - started) / 1000;
  const logit = g.grid.map(logitsOf), nbLogit = logitsOf(g.nb!), nbCharLogit = logitsOf(g.nbChars!);
  const best = (s: Float32Array, rows: number[], l: number) => chooseThresholdBy(rows.map((i) => s[i * n + l]!), rows.map((i) => a.truth[i * n + l]!), { kind: 'best' });
  // per label, the C whose OOF scores reach the best F1 on `rows` (text.tune cGrid's choice)
  const perLabelC = (rows: number[]) => Array.from({ length: n }, (_, l) => g.grid.reduce((bi, s, gi) => (best(s, rows, l).f > best(g.grid[bi]!, rows, l).f ? gi : bi), 0));
  const pickCols = (src: Float32Array[], pick: number[]) => Float32Array.from({ length: N * n }, (_, x) => src[pick[x % n]!]![x]!);
  type Variant = { name: string; base: (rows: number[]) => Float32Array[] | null; C?: number };
  const variants: Variant[] = [
    { name: 'C = 4, thresholds (text.tune default)', base: () => null },
    { name: 'C per label, thresholds (text.tune cGrid)', base: () => null },
  ];
  for (const C of combinerC) {
    variants.push({ name: `stack: combiner (C ${C}) over all labels' logits at C = 4`, base: () => [logit[DEFAULT]!], C });
    variants.push({ name: `stack: combiner (C ${C}) over C-per-label logits (cGrid + stack)`, base: (rows) => [pickCols(logit, perLabelC(rows))], C });
    variants.push({ name: `stack + NB words: combiner (C ${C}) over C = 4 and NB logits`, base: () => [logit[DEFAULT]!, nbLogit], C });
    variants.push({ name: `stack + NB words: combiner (C ${C}) over C-per-label and NB logits (cGrid + stack + NB)`, base: (rows) => [pickCols(logit, perLabelC(rows)), nbLogit], C });
    variants.push({ name: `stack: combiner (C ${C}) over every C's logits (cGrid + stack + stackAllC)`, base: () => logit, C });
    variants.push({ name: `stack + NB words: combiner (C ${C}) over every C's and NB logits (cGrid + stack + NB + stackAllC)`, base: () => [...logit, nbLogit], C });
    variants.push({ name: `stack + NB words + NB chars: combiner (C ${C}) over every C's, NB word and NB char logits (… + stackNbChars)`, base: () => [...logit, nbLogit, nbCharLogit], C });
  }
  const sums = new Map<string, number>();
  let evals = 0;
  for (let r = 0; r < reps; r++) {
    const order = permutation(N, mulberry32(100 + r));
    for (let part = 0; part < 5; part++) {
      const tune: number[] = [], held: number[] = [];
      order.forEach((i, pos) => (pos % 5 === part ? held : tune).push(i));
      const add = (name: string, v: number) => sums.set(name, (sums.get(name) ?? 0) + v);
      const heldF1 = (scoresTune: Float32Array, tuneRows: number[], scoresHeld: Float32Array, heldIdx: (q: number) => number) => {
        let s = 0;
        for (let l = 0; l < n; l++) {
          const t = best(scoresTune, tuneRows, l).threshold;
          s += f1AtThreshold(held.map((_, q) => scoresHeld[heldIdx(q) * n + l]!), held.map((i) => a.truth[i * n + l]!), t);
        }
        return s / n;
      };
      const pc = perLabelC(tune);
      for (const v of variants) {
        if (v.name.startsWith('C = 4')) { add(v.name, heldF1(g.grid[DEFAULT]!, tune, g.grid[DEFAULT]!, (q) => held[q]!)); continue; }
        if (v.name.startsWith('C per label')) { const s = pickCols(g.grid, pc); add(v.name, heldF1(s, tune, s, (q) => held[q]!)); continue; }
        const Z = sideBySide(v.base(tune)!, n);
        // thresholds on cross-fitted combiner scores of the tuning rows; the combiner refitted on all of them scores the held rows
        const cross = crossFitCombiner(Z, a.truth, n, folds, k, { C: v.C! }, tune);
        const crossAll = new Float32Array(N * n);
        tune.forEach((i, q) => crossAll.set(cross.subarray(q * n, (q + 1) * n), i * n));
        const zh = applyCombiner(Z, fitCombiner(Z, a.truth, n, { C: v.C! }, tune), n, held).map((z) => 1 / (1 + Math.exp(-z)));
        add(v.name, heldF1(crossAll, tune, zh, (q) => q));
      }
      evals++;
      log(`  cut ${evals} of ${reps * 5}`);
    }
  }
  // OOF AUC on all rows (C per label chosen on all rows; the combiner cross-fitted over the tune folds)
  const all = Array.from({ length: N }, (_, i) => i), pcAll = perLabelC(all);
  const auc = (v: Variant): number => {
    if (v.name.startsWith('C = 4')) return nanMean(perLabelRocAuc(g.grid[DEFAULT]!, a.truth, n));
    if (v.name.startsWith('C per label')) return nanMean(perLabelRocAuc(pickCols(g.grid, pcAll), a.truth, n));
    return nanMean(perLabelRocAuc(crossFitCombiner(sideBySide(v.base(all)!, n), a.truth, n, folds, k, { C: v.C! }), a.truth, n));
  };
  return { k, reps, oofSeconds, seconds: (performance.now() - started) / 1000, rows: variants.map((v) => ({ name: v.name, f1: sums.get(v.name)! / evals, auc: auc(v) })) };
}

export function stackAblationMarkdown(title: string, t: StackAblation): string[] {
  const base = t.rows[0]!, sign = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)}`;
  const md = [
    `#### Stacking in text.tune on ${title} (train part only: ${t.k}-fold out-of-fold scores at C ∈ {${C_GRID.join(', ')}} + NB words + NB chars, choices on 80 % of the rows, scored on the other 20 %, 5 cuts × ${t.reps} seeds)`,
    '',
    `Out-of-fold scoring took ${t.oofSeconds.toFixed(0)} s, the whole ablation ${t.seconds.toFixed(0)} s.`,
    '',
    '| variant | held-out macro F1 | Δ | OOF mean ROC AUC | Δ AUC |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of t.rows) md.push(`| ${r.name} | ${r.f1.toFixed(4)} | ${sign(r.f1 - base.f1)} | ${r.auc.toFixed(4)} | ${sign(r.auc - base.auc)} |`);
  md.push('');
  return md;
}

if (process.argv[1]?.endsWith('quality.stack.ts')) {
  const { preparedDataset } = await import('./text.data.ts');
  const ds = await preparedDataset(process.argv[2] ?? 'jigsaw', 'sb-qs-');
  // STACK_REPS / STACK_COMBINER_C (comma list) shrink the run (GoEmotions: 28 labels, 5× the rows)
  const reps = Number(process.env.STACK_REPS ?? 2), cs = (process.env.STACK_COMBINER_C ?? '0.1,1').split(',').map(Number);
  const t = await stackAblation(ds.trainFile, (m) => console.error(m), 5, reps, cs);
  console.log(stackAblationMarkdown(ds.title, t).join('\n'));
}
