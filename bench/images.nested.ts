/**
 * Nested lesion-grouped CV of a whole build plan (issue 18's split discipline): per outer fold, the build's own
 * choice among its candidates is made by grouped 5-fold CV on the outer training part only (the rule of
 * src/domains/images/train.ts: highest balanced accuracy + ½ macro F1, ties to the earlier candidate), the chosen
 * head is refitted on that part and scores the untouched outer fold. Unlike the build's reported `cv` (the chosen
 * settings re-run over all images), nothing here was chosen on the images it is scored on.
 */
import { evalRows, fitHead, headLogits, oofLogits, testCopies, trainRows, type Candidate, type ImageFeatures } from '../src/domains/images/fit.ts';
import { quickScores } from '../src/domains/images/evaluate.ts';
import { stratifiedGroupKFold } from '../src/ml/split/group.ts';

export interface NestedResult {
  /** Out-of-fold logits over all images (n × k). */
  logits: Float64Array;
  balancedAccuracy: number;
  macroF1: number;
  /** How often each candidate was chosen across the outer folds. */
  chosen: Record<string, number>;
  seconds: number;
}

export function nestedCv(f: ImageFeatures, y: Int32Array, groups: string[], k: number, candidates: Candidate[], seed: number, folds = 5, innerFolds = 5): NestedResult {
  const t0 = performance.now();
  const n = y.length;
  const outer = stratifiedGroupKFold(y, groups, folds, seed);
  const logits = new Float64Array(n * k);
  const chosen: Record<string, number> = {};
  for (let fold = 0; fold < folds; fold++) {
    const train: number[] = [], test: number[] = [];
    for (let i = 0; i < n; i++) (outer[i] === fold ? test : train).push(i);
    const trainIdx = Int32Array.from(train);
    const yTrain = Int32Array.from(train, (i) => y[i]!);
    const inner = stratifiedGroupKFold(yTrain, train.map((i) => groups[i]!), innerFolds, seed);
    let best: { c: Candidate; score: number } | undefined = candidates.length === 1 ? { c: candidates[0]!, score: NaN } : undefined;
    // a single candidate is no choice: no inner CV needed (the build still runs it, for the temperature only)
    for (const c of candidates.length === 1 ? [] : candidates) {
      const s = quickScores(oofLogits(f, trainIdx, y, inner, k, c), yTrain, k);
      const score = s.balancedAccuracy + 0.5 * s.macroF1;
      if (!best || score > best.score + 1e-9) best = { c, score };
    }
    const c = best!.c;
    chosen[c.name] = (chosen[c.name] ?? 0) + 1;
    const rows = trainRows(f, trainIdx, y, c);
    const head = fitHead(rows.X, rows.y, rows.n, f.dim, k, c.Cs ?? c.C);
    const out = headLogits(head, evalRows(f, test, c.views, testCopies(c)), test.length);
    test.forEach((i, r) => logits.set(out.subarray(r * k, (r + 1) * k), i * k));
  }
  const s = quickScores(logits, y, k);
  return { logits, balancedAccuracy: s.balancedAccuracy, macroF1: s.macroF1, chosen, seconds: (performance.now() - t0) / 1000 };
}

/** The same features with only the first `dim` columns (e.g. the pooled 1,280 of the multilayer vectors). */
export function firstColumns(f: ImageFeatures, dim: number): ImageFeatures {
  const cut = (v: Float32Array) => v.slice(0, dim);
  return { viewNames: f.viewNames, dim, items: f.items.map((it) => ({ views: it.views.map(cut), aug: it.aug.map(cut) })) };
}
