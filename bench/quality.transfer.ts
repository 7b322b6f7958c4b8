/**
 * Issue 18, threshold transfer (a diagnostic, TRAIN part only): text.tune chooses the thresholds on cross-fitted
 * combiner scores over out-of-fold logits, then applies them to a model refitted on all rows (bases at C × (k−1)/k, the
 * combiner refitted). Does the refit's score scale drift? Per cut (80/20, seed 100), version 5's bases (every C ×
 * {none, balanced} + NB words) are refitted on the 80 % as text.tune refits them and score the 20 %; the held-out macro
 * F1 is compared for (a) the thresholds as chosen (what the product does), (b) the same held rows scored through their
 * out-of-fold logits (what bench/quality.stack.ts measures), (c) per-label positive RATE matching: each threshold moved
 * to the quantile of the held rows' refit scores that keeps the tuning rows' predicted-positive rate (transductive:
 * it needs the scored set, a diagnostic of drift, not an option).
 * TRANSFER_CASE=1 adds the case-sensitive char base (stackCaseChars; refitted with the others); TRANSFER_SEED picks the cuts.
 * Measured 2026-12-07 (jigsaw-10k train part, 5 cuts per seed, seeds 0 / 1; macro F1 on the held 20 %):
 *   version 5's bases: as chosen 0.6809 / 0.6824, through OOF logits 0.6807 / 0.6768, rate-matched 0.6828 / 0.6846;
 *   + case chars:      as chosen 0.6909 / 0.6889, through OOF logits 0.6874 / 0.6826, rate-matched 0.6907 / 0.6841.
 * No systematic drift (the refit path scores as well as the OOF path; per cut they differ by up to ±0.019, the rare
 * labels' noise); rate matching +0.0020 on version 5 but −0.0025 with case chars: dropped. Case chars on the refit
 * path: +0.0083 (+0.0100 / +0.0065).
 * Needs the out-of-fold bases cached by bench/quality.case.ts (CASE_CACHE). Run: npx tsx bench/quality.transfer.ts FILE
 */
import { readFileSync } from 'node:fs';
import { mulberry32, permutation } from '../src/ml/index.ts';
import { kFoldAssignment } from '../src/ml/diagnostics/index.ts';
import { labelSet, toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import { chooseThresholdBy, f1AtThreshold } from '../src/domains/quality/thresholdRules.ts';
import { applyCombiner, crossFitCombiner, fitCombiner, logitsOf, sideBySide } from '../src/ml/text/stackCombiner.ts';
import { trainTextClassifierGrid } from '../src/ml/text/trainGrid.ts';

const C_GRID = [0.5, 1, 2, 4], k = 5, COMBINER_C = 0.1;

export async function transferDiagnostic(trainFile: string, cache: string, log: (m: string) => void, cuts = 5, seed = 0, caseChars = false): Promise<Record<string, number>> {
  const docs = parseLabeledText(readFileSync(trainFile, 'utf8'), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
  const labels = labelSet(docs), n = labels.length, a = toArrays(docs, labels, 'multi-label'), N = docs.length;
  const folds = kFoldAssignment(a.labelIndices, 'multi-label', k, 0);
  const buf = readFileSync(cache), all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), per = N * n;
  const settings = C_GRID.flatMap((C) => (['none', 'balanced'] as const).map((classWeight) => ({ C, classWeight })));
  // the cache's order (bench/quality.case.ts): the 8 settings, NB words, case chars, case words
  const bases = Array.from({ length: settings.length + 1 + (caseChars ? 1 : 0) }, (_, b) => logitsOf(all.subarray(b * per, (b + 1) * per)));
  const Z = sideBySide(bases, n);
  const sums: Record<string, number> = { 'as chosen (refit scores)': 0, 'held rows through their OOF logits': 0, 'rate-matched on the refit scores': 0 };
  const order = permutation(N, mulberry32(100 + seed));
  for (let part = 0; part < cuts; part++) {
    const tune: number[] = [], held: number[] = [];
    order.forEach((i, pos) => (pos % 5 === part ? held : tune).push(i));
    const cross = crossFitCombiner(Z, a.truth, n, folds, k, { C: COMBINER_C }, tune);
    const A = fitCombiner(Z, a.truth, n, { C: COMBINER_C }, tune);
    const models = trainTextClassifierGrid({ texts: tune.map((i) => a.texts[i]!), labels: tune.map((i) => a.labelIndices[i]!), labelNames: labels, mode: 'multi-label', options: { C: (4 * (k - 1)) / k } },
      settings.map((s) => ({ ...s, C: (s.C * (k - 1)) / k })), { nbWords: true, caseChars });
    const heldTexts = held.map((i) => a.texts[i]!);
    const zRefit = applyCombiner(sideBySide(models.map((m) => logitsOf(m.predict(heldTexts))), n), A, n);
    const zOof = applyCombiner(Z, A, n, held);
    const f = { refit: 0, oof: 0, rate: 0 };
    for (let l = 0; l < n; l++) {
      const tuneScores = tune.map((_, q) => cross[q * n + l]!), y = held.map((i) => a.truth[i * n + l]!);
      const t = chooseThresholdBy(tuneScores, tune.map((i) => a.truth[i * n + l]!), { kind: 'best' }).threshold;
      const sig = (z: Float32Array) => held.map((_, q) => 1 / (1 + Math.exp(-z[q * n + l]!)));
      const refit = sig(zRefit), oof = sig(zOof);
      f.refit += f1AtThreshold(refit, y, t);
      f.oof += f1AtThreshold(oof, y, t);
      // the tuning rows' predicted-positive rate, kept on the held rows' refit scores
      const rate = tuneScores.filter((s) => s >= t).length / tuneScores.length, sorted = [...refit].sort((x, z) => z - x);
      const m = Math.round(rate * sorted.length);
      f.rate += f1AtThreshold(refit, y, m === 0 ? Infinity : sorted[m - 1]!);
    }
    sums['as chosen (refit scores)']! += f.refit / n;
    sums['held rows through their OOF logits']! += f.oof / n;
    sums['rate-matched on the refit scores']! += f.rate / n;
    log(`  cut ${part + 1}: refit ${(f.refit / n).toFixed(4)}, OOF ${(f.oof / n).toFixed(4)}, rate-matched ${(f.rate / n).toFixed(4)}`);
  }
  return Object.fromEntries(Object.entries(sums).map(([name, s]) => [name, s / cuts]));
}

if (process.argv[1]?.endsWith('quality.transfer.ts')) {
  const [file, cache] = [process.argv[2], process.env.CASE_CACHE];
  if (!file || !cache) throw new Error('usage: CASE_CACHE=oof.bin npx tsx bench/quality.transfer.ts TRAIN.csv');
  const r = await transferDiagnostic(file, cache, (m) => console.error(m), Number(process.env.TRANSFER_CUTS ?? 5), Number(process.env.TRANSFER_SEED ?? 0), process.env.TRANSFER_CASE === '1');
  for (const [name, v] of Object.entries(r)) console.log(`| ${name} | ${v.toFixed(4)} |`);
}
