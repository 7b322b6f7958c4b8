/**
 * Iterative stratification for multi-label data (Sechidis, Tsoumakas & Vlahavas 2011, "On the stratification of
 * multi-label data", first order — the algorithm behind scikit-multilearn's IterativeStratification):
 * repeatedly take the label with the fewest unassigned rows and give each of its rows to the part that still
 * wants the most rows of that label (ties: the part wanting the most rows overall, then random). Rows without
 * labels go to the parts wanting the most rows.
 *
 * The paper's greedy pass can leave a rare label out of a part (a label with 2 rows and a 20 % test share puts
 * both in train), so a repair pass then moves rows until every label with at least as many rows as parts is in
 * every part, choosing rows whose move empties no other label from their part, with the fewest labels.
 */
import { mulberry32, shuffleInPlace, type Rng } from './prng.ts';
import { checkTestSize, type TrainTestIndices, type SplitOptions } from './stratified.ts';

type LabelSets = readonly (readonly number[])[];

function argmaxTies(values: ArrayLike<number>, among: number[]): number[] {
  let best = -Infinity, out: number[] = [];
  for (const j of among) {
    if (values[j] > best) { best = values[j]; out = [j]; }
    else if (values[j] === best) out.push(j);
  }
  return out.length ? out : among;
}

/** Part number per row for the given part proportions (which must sum to 1). */
export function iterativeStratification(labels: LabelSets, proportions: readonly number[], seed = 0): Int32Array {
  const n = labels.length, k = proportions.length, rng = mulberry32(seed);
  const sum = proportions.reduce((a, b) => a + b, 0);
  if (k < 2 || proportions.some((p) => !(p > 0)) || Math.abs(sum - 1) > 1e-9) throw new Error(`iterativeStratification: proportions must be ≥ 2 positive numbers summing to 1, got ${proportions.join(', ')}`);
  let nLabels = 0;
  labels.forEach((ls, i) => ls.forEach((l) => {
    if (!(Number.isInteger(l) && l >= 0)) throw new Error(`iterativeStratification: row ${i} has label ${l}, expected a non-negative integer`);
    nLabels = Math.max(nLabels, l + 1);
  }));
  const rowsOf: number[][] = Array.from({ length: nLabels }, () => []);
  labels.forEach((ls, i) => new Set(ls).forEach((l) => rowsOf[l].push(i)));
  const part = new Int32Array(n).fill(-1);
  const wantRows = proportions.map((p) => p * n);
  const wantLabel = rowsOf.map((rows) => proportions.map((p) => p * rows.length));
  const remaining = rowsOf.map((rows) => rows.length);
  const all = Array.from({ length: k }, (_, j) => j);
  const assign = (i: number, j: number) => {
    part[i] = j;
    wantRows[j]--;
    for (const l of new Set(labels[i])) { wantLabel[l][j]--; remaining[l]--; }
  };
  for (;;) {
    // the label with the fewest unassigned rows (ties at random)
    let fewest = Infinity, cands: number[] = [];
    for (let l = 0; l < nLabels; l++) {
      const r = remaining[l];
      if (r <= 0) continue;
      if (r < fewest) { fewest = r; cands = [l]; } else if (r === fewest) cands.push(l);
    }
    if (!cands.length) break;
    const l = cands[rng.int(cands.length)];
    for (const i of shuffleInPlace(rowsOf[l].slice(), rng)) {
      if (part[i] >= 0) continue;
      let m = argmaxTies(wantLabel[l], all);
      if (m.length > 1) m = argmaxTies(wantRows, m);
      assign(i, m[rng.int(m.length)]);
    }
  }
  for (const i of shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng)) {
    if (part[i] >= 0) continue;
    const m = argmaxTies(wantRows, all);
    assign(i, m[rng.int(m.length)]);
  }
  repair(labels, rowsOf, part, k, rng);
  return part;
}

/** Moves rows so that every label with ≥ k rows is present in every part (see the file comment). */
function repair(labels: LabelSets, rowsOf: number[][], part: Int32Array, k: number, rng: Rng): void {
  const counts = rowsOf.map((rows) => { const c = new Int32Array(k); for (const i of rows) c[part[i]]++; return c; });
  const order = rowsOf.map((_, l) => l).filter((l) => rowsOf[l].length >= k).sort((a, b) => rowsOf[a].length - rowsOf[b].length);
  for (let pass = 0; pass < 3; pass++) {
    let moved = false;
    for (const l of order) {
      for (let q = 0; q < k; q++) {
        if (counts[l][q] > 0) continue;
        let best = -1, bestKey = Infinity;
        for (const i of rowsOf[l]) {
          const p = part[i];
          if (counts[l][p] < 2) continue;
          let breaks = 0;
          for (const m of new Set(labels[i])) if (counts[m][p] === 1 && rowsOf[m].length >= k) breaks++;
          const key = breaks * 1e6 + labels[i].length * 1e3 + rng.next();
          if (key < bestKey) { bestKey = key; best = i; }
        }
        if (best < 0) continue;
        const p = part[best];
        for (const m of new Set(labels[best])) { counts[m][p]--; counts[m][q]++; }
        part[best] = q;
        moved = true;
      }
    }
    if (!moved) break;
  }
}

/** Seeded multi-label train/test split by iterative stratification. Index arrays are sorted ascending. */
export function iterativeTrainTestSplit(labels: LabelSets, options: SplitOptions = {}): TrainTestIndices {
  const testSize = options.testSize ?? 0.2;
  checkTestSize(testSize, labels.length);
  const part = iterativeStratification(labels, [1 - testSize, testSize], options.seed ?? 0);
  const train: number[] = [], test: number[] = [];
  part.forEach((p, i) => (p === 1 ? test : train).push(i));
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** Fold number (0..k-1) per row by iterative stratification with equal fold proportions. */
export function iterativeStratifiedKFold(labels: LabelSets, k: number, seed = 0): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`iterativeStratifiedKFold: k must be an integer ≥ 2, got ${k}`);
  if (labels.length < k) throw new Error(`iterativeStratifiedKFold: ${labels.length} rows cannot make ${k} folds`);
  return iterativeStratification(labels, Array.from({ length: k }, () => 1 / k), seed);
}
