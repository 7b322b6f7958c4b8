/**
 * Issue 18, case and shape signals for `text.tune --stack` on the TRAIN part only (the test split is never read):
 * the vectorizers lowercase, so caps ("YOU ARE AN IDIOT"), '!' runs and repeated letters reach the model only
 * through the combiner, if at all. Bases as text.tune version 5 (5-fold out-of-fold scores at C ∈ {0.5, 1, 2, 4} ×
 * {none, balanced} + NB words, in text.tune's folds), then extra combiner inputs: a case-sensitive char_wb model's
 * logits, a case-sensitive word model's logits, and per-document shape features (caps share, all-caps words, '!'
 * and '?' counts, length, repeated characters). Nested like quality.stack.ts: rows cut 80/20 five ways × 2 seeds,
 * every choice (combiner, cross-fitted thresholds) on the 80 %, macro F1 on the 20 %.
 * Run alone: npx tsx bench/quality.case.ts jigsaw   (CASE_CACHE=file keeps the out-of-fold scores between runs)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mulberry32, nanMean, perLabelRocAuc, permutation, trainTextClassifier } from '../src/ml/index.ts';
import { kFoldAssignment, outOfFoldScores } from '../src/ml/diagnostics/index.ts';
import { labelSet, toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import { chooseThresholdBy, f1AtThreshold } from '../src/domains/quality/thresholdRules.ts';
import { gridOutOfFold } from '../src/domains/quality/tuneC.ts';
import { applyCombiner, crossFitCombiner, fitCombiner, logitsOf, sideBySide } from '../src/ml/text/stackCombiner.ts';
import { appendColumns, shapeFeatures, SHAPE_FEATURES } from './quality.shape.ts';

const C_GRID = [0.5, 1, 2, 4];
const COMBINER_C = Number(process.env.CASE_COMBINER_C ?? 0.1);

export async function caseAblation(trainFile: string, log: (m: string) => void, reps = 2, cache?: string): Promise<{ name: string; f1: number; auc: number }[]> {
  const k = 5;
  const docs = parseLabeledText(readFileSync(trainFile, 'utf8'), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
  const labels = labelSet(docs), n = labels.length, a = toArrays(docs, labels, 'multi-label'), N = docs.length;
  const folds = kFoldAssignment(a.labelIndices, 'multi-label', k, 0);
  let bases: Float32Array[];
  if (cache && existsSync(cache)) {
    const buf = readFileSync(cache);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), per = N * n;
    bases = Array.from({ length: all.length / per }, (_, b) => all.slice(b * per, (b + 1) * per));
    log(`case ablation: ${bases.length} cached bases`);
  } else {
    log(`case ablation: ${k}-fold OOF (v5 grid + NB words, case-sensitive char and word) on ${N} train rows`);
    const settings = C_GRID.flatMap((C) => (['none', 'balanced'] as const).map((classWeight) => ({ C, classWeight })));
    const g = await gridOutOfFold({ ...a, labels, options: {}, folds, k, grid: settings, objective: { kind: 'f-beta', beta: 1 }, nbWords: true, onFold: (d) => log(`  grid fold ${d} of ${k}`) });
    const plainOof = (options: Record<string, unknown>, what: string) => outOfFoldScores({
      nRows: N, nLabels: n, folds, k, onFold: (d) => log(`  ${what} fold ${d} of ${k}`),
      fitPredict: (tr, te) => trainTextClassifier({ texts: Array.from(tr, (i) => a.texts[i]!), labels: Array.from(tr, (i) => a.labelIndices[i]!), labelNames: labels, mode: 'multi-label', options }).predict(Array.from(te, (i) => a.texts[i]!)),
    });
    const caseChar = await plainOof({ wordNgram: null, charNgram: [2, 5], lowercase: false }, 'case char');
    const caseWord = await plainOof({ wordNgram: [1, 2], charNgram: null, lowercase: false }, 'case word');
    bases = [...g.grid, g.nb!, caseChar, caseWord];
    if (cache) writeFileSync(cache, Buffer.concat(bases.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))));
  }
  const logit = bases.map(logitsOf), v5 = logit.slice(0, 9), caseChar = logit[9]!, caseWord = logit[10]!;
  const shape = shapeFeatures(a.texts), E = SHAPE_FEATURES.length;
  const variants: { name: string; Z: Float32Array }[] = [
    { name: 'v5: every C × {none, balanced} + NB words', Z: sideBySide(v5, n) },
    { name: 'v5 + shape features', Z: appendColumns(sideBySide(v5, n), 9 * n, shape, E) },
    { name: 'v5 + case-sensitive char_wb base', Z: sideBySide([...v5, caseChar], n) },
    { name: 'v5 + case-sensitive word base', Z: sideBySide([...v5, caseWord], n) },
    { name: 'v5 + case char + shape', Z: appendColumns(sideBySide([...v5, caseChar], n), 10 * n, shape, E) },
    { name: 'v5 + case char + case word + shape', Z: appendColumns(sideBySide([...v5, caseChar, caseWord], n), 11 * n, shape, E) },
  ];
  const only = process.env.CASE_VARIANTS?.split(',').map(Number);
  const run = only ? variants.filter((_, i) => only.includes(i)) : variants;
  const best = (s: Float32Array, rows: number[], l: number) => chooseThresholdBy(rows.map((i) => s[i * n + l]!), rows.map((i) => a.truth[i * n + l]!), { kind: 'best' });
  const sums = new Map<string, number>();
  let evals = 0;
  // CASE_FIRST_SEED: start at a later seed (e.g. the second seed of a run cut short)
  for (let r = Number(process.env.CASE_FIRST_SEED ?? 0); r < reps; r++) {
    const order = permutation(N, mulberry32(100 + r));
    for (let part = 0; part < 5; part++) {
      const tune: number[] = [], held: number[] = [];
      order.forEach((i, pos) => (pos % 5 === part ? held : tune).push(i));
      for (const v of run) {
        const cross = crossFitCombiner(v.Z, a.truth, n, folds, k, { C: COMBINER_C }, tune);
        const crossAll = new Float32Array(N * n);
        tune.forEach((i, q) => crossAll.set(cross.subarray(q * n, (q + 1) * n), i * n));
        const zh = applyCombiner(v.Z, fitCombiner(v.Z, a.truth, n, { C: COMBINER_C }, tune), n, held).map((z) => 1 / (1 + Math.exp(-z)));
        let s = 0;
        for (let l = 0; l < n; l++) {
          const t = best(crossAll, tune, l).threshold;
          s += f1AtThreshold(held.map((_, q) => zh[q * n + l]!), held.map((i) => a.truth[i * n + l]!), t);
        }
        sums.set(v.name, (sums.get(v.name) ?? 0) + s / n);
      }
      evals++;
      log(`  cut ${evals}: ${run.map((v) => `${(sums.get(v.name)! / evals).toFixed(4)}`).join(' ')}`);
    }
  }
  return run.map((v) => ({ name: v.name, f1: sums.get(v.name)! / evals, auc: nanMean(perLabelRocAuc(crossFitCombiner(v.Z, a.truth, n, folds, k, { C: COMBINER_C }), a.truth, n)) }));
}

if (process.argv[1]?.endsWith('quality.case.ts')) {
  const { preparedDataset } = await import('./text.data.ts');
  const ds = await preparedDataset(process.argv[2] ?? 'jigsaw', 'sb-qc-');
  const started = performance.now();
  const rows = await caseAblation(ds.trainFile, (m) => console.error(m), Number(process.env.STACK_REPS ?? 2), process.env.CASE_CACHE);
  const base = rows[0]!, sign = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)}`;
  console.log(`combiner C ${COMBINER_C}, ${((performance.now() - started) / 1000).toFixed(0)} s\n\n| variant | held-out macro F1 | Δ | OOF mean ROC AUC | Δ AUC |\n|---|---:|---:|---:|---:|`);
  for (const r of rows) console.log(`| ${r.name} | ${r.f1.toFixed(4)} | ${sign(r.f1 - base.f1)} | ${r.auc.toFixed(4)} | ${sign(r.auc - base.auc)} |`);
}
