/**
 * Ablation of the tuning choices of issue 18 on the TRAIN part only (the test/dev split is never read): out-of-fold
 * scores at each C of a grid, without and with balanced class weights (k = 3 iterative-stratified folds of train,
 * seed 0 — fewer than text.tune's 5 to keep GoEmotions affordable; the product's gridOutOfFold), then
 * nested: the rows are cut 80/20 five ways (× R seeds); each variant chooses on the 80 % (C per label and/or
 * thresholds) and its macro F1 is measured on the 20 %. This mimics the real setting (choose on train's OOF, apply
 * to unseen rows) without touching dev. Variants: thresholds at C = 4 (the default, first F1 maximum), smoothed
 * thresholds (thresholdRules.ts), one C for all labels chosen out of fold, per-label C (text.tune's cGrid),
 * per-label C and class weight (cGrid + balancedGrid), each also with smoothed thresholds.
 */
import { readFileSync } from 'node:fs';
import { mulberry32, permutation } from '../src/ml/index.ts';
import { kFoldAssignment } from '../src/ml/diagnostics/index.ts';
import { labelSet, toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import { chooseThresholdBy, f1AtThreshold, type ThresholdRule } from '../src/domains/quality/thresholdRules.ts';
import { gridOutOfFold } from '../src/domains/quality/tuneC.ts';

export const C_GRID = [0.5, 1, 2, 4];
const DEFAULT_C = 4;

export interface TuningAblationRow {
  name: string;
  /** Mean macro F1 on the held-out 20 % over all nested cuts. */
  f1: number;
}

export interface TuningAblation {
  k: number;
  reps: number;
  /** OOF mean objective (best-threshold F1, optimistic) per C, all rows. */
  perC: { C: number; classWeight: string; meanObjective: number }[];
  rows: TuningAblationRow[];
  seconds: number;
}

const BEST: ThresholdRule = { kind: 'best' }, SMOOTH: ThresholdRule = { kind: 'smoothed', window: 0.1 };

export async function tuningAblation(trainFile: string, log: (m: string) => void, k = 3, reps = 2): Promise<TuningAblation> {
  const started = performance.now();
  const docs = parseLabeledText(readFileSync(trainFile, 'utf8'), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
  const labels = labelSet(docs), n = labels.length, a = toArrays(docs, labels, 'multi-label');
  const folds = kFoldAssignment(a.labelIndices, 'multi-label', k, 0);
  log(`tuning ablation: ${k}-fold OOF at C ∈ {${C_GRID.join(', ')}} on ${docs.length} train rows`);
  // settings: every C without class weights, then every C with balanced ones (text.tune's balancedGrid)
  const settings = [...C_GRID.map((C) => ({ C, classWeight: 'none' as const })), ...C_GRID.map((C) => ({ C, classWeight: 'balanced' as const }))];
  const g = await gridOutOfFold({ ...a, labels, options: {}, folds, k, grid: settings, objective: { kind: 'f-beta', beta: 1 }, onFold: (d) => log(`  fold ${d} of ${k}`) });
  const N = docs.length, G = settings.length, c4 = C_GRID.indexOf(DEFAULT_C), plainG = C_GRID.length;
  const sums = new Map<string, number>();
  let evals = 0;
  for (let r = 0; r < reps; r++) {
    const order = permutation(N, mulberry32(100 + r));
    for (let part = 0; part < 5; part++) {
      const tune: number[] = [], held: number[] = [];
      order.forEach((i, pos) => (pos % 5 === part ? held : tune).push(i));
      const col = (gi: number, l: number, rows: number[]) => ({ s: rows.map((i) => g.grid[gi]![i * n + l]!), y: rows.map((i) => a.truth[i * n + l]!) });
      // per C and label: the choice on the tuning rows (best and smoothed) and its in-sample F1
      const choice = (rule: ThresholdRule) => Array.from({ length: G }, (_, gi) => Array.from({ length: n }, (_, l) => {
        const c = col(gi, l, tune);
        return chooseThresholdBy(c.s, c.y, rule);
      }));
      const best = choice(BEST), smooth = choice(SMOOTH);
      const heldF1 = (pick: (l: number) => number, th: (gi: number, l: number) => number) => {
        let s = 0;
        for (let l = 0; l < n; l++) {
          const gi = pick(l), c = col(gi, l, held);
          s += f1AtThreshold(c.s, c.y, th(gi, l));
        }
        return s / n;
      };
      const globalC = best.slice(0, plainG).map((b) => b.reduce((x, c) => x + c.f, 0)).reduce((bi, v, gi, all) => (v > all[bi]! ? gi : bi), 0);
      const perLabelOf = (upTo: number) => (l: number) => best.slice(0, upTo).reduce((bi, b, gi) => (b[l]!.f > best[bi]![l]!.f ? gi : bi), 0);
      const perLabel = perLabelOf(plainG), perLabelW = perLabelOf(G);
      const add = (name: string, v: number) => sums.set(name, (sums.get(name) ?? 0) + v);
      add(`C = ${DEFAULT_C} (default), thresholds at the first F1 maximum`, heldF1(() => c4, (gi, l) => best[gi]![l]!.threshold));
      add(`C = ${DEFAULT_C}, smoothed thresholds (F1 averaged over ±10 % of the positives)`, heldF1(() => c4, (gi, l) => smooth[gi]![l]!.threshold));
      add('one C for all labels, chosen out of fold', heldF1(() => globalC, (gi, l) => best[gi]![l]!.threshold));
      add('**C per label, chosen out of fold** (`text.tune` cGrid)', heldF1(perLabel, (gi, l) => best[gi]![l]!.threshold));
      add('C per label + smoothed thresholds', heldF1(perLabel, (gi, l) => smooth[gi]![l]!.threshold));
      add('**C and class weight (none / balanced) per label** (`text.tune` cGrid + balancedGrid)', heldF1(perLabelW, (gi, l) => best[gi]![l]!.threshold));
      add('C and class weight per label + smoothed thresholds', heldF1(perLabelW, (gi, l) => smooth[gi]![l]!.threshold));
      evals++;
    }
  }
  return { k, reps, perC: g.perC, rows: [...sums].map(([name, s]) => ({ name, f1: s / evals })), seconds: (performance.now() - started) / 1000 };
}

export function tuningAblationMarkdown(title: string, t: TuningAblation): string[] {
  const base = t.rows[0]!;
  const md = [
    `#### Tuning ablation on ${title} (train part only: ${t.k}-fold out-of-fold scores, choices made on 80 % of the rows and scored on the other 20 %, 5 cuts × ${t.reps} seeds)`,
    '',
    `Out-of-fold macro F1 at each label's best threshold (all rows, optimistic) per setting: ${t.perC.map((p) => `C = ${p.C}${p.classWeight === 'balanced' ? ' balanced' : ''}: ${p.meanObjective.toFixed(4)}`).join(' · ')}. Ablation took ${t.seconds.toFixed(0)} s.`,
    '',
    '| variant | held-out macro F1 | Δ |',
    '|---|---:|---:|',
  ];
  for (const r of t.rows) {
    const d = r.f1 - base.f1;
    md.push(`| ${r.name} | ${r.f1.toFixed(4)} | ${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)} |`);
  }
  md.push('');
  return md;
}
