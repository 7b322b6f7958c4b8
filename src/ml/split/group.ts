/**
 * Group-aware stratified splits (multi-class): every row of a group (e.g. all images of one lesion) lands on the
 * same side, so near-duplicates cannot leak between train and test, while label proportions stay close to the
 * whole data's.
 *
 * - `stratifiedGroupKFold` follows scikit-learn's StratifiedGroupKFold(shuffle=True) greedy: groups in a seeded
 *   random order, then stably sorted by the standard deviation of their label counts (descending, so single-label
 *   groups of big size come first); each goes to the fold that minimises the mean over labels of the std across
 *   folds of the fraction of that label in each fold, ties to the fold with fewer rows. Our own PRNG, so the
 *   folds are not sklearn's, but the rule is. A final pass makes sure no fold is empty.
 * - `stratifiedGroupSplit`: the same greedy on two sides, placing each group in test when that brings the per-label
 *   test fractions closer to `testFraction`, then repairs so that every label with ≥ 2 groups is on both sides.
 */
import { mulberry32, shuffleInPlace } from './prng.ts';

interface GroupTable {
  /** group index per row */
  groupOf: Int32Array;
  /** rows of each group */
  rows: number[][];
  /** nGroups × nLabels counts */
  counts: Int32Array;
  nLabels: number;
  labelTotals: Int32Array;
}

function tabulate(labels: ArrayLike<number>, groups: readonly (string | number)[], fn: string): GroupTable {
  const n = labels.length;
  if (groups.length !== n) throw new Error(`${fn}: ${n} labels but ${groups.length} groups; pass one group value per row`);
  let nLabels = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0)) throw new Error(`${fn}: labels[${i}] = ${c} is not a class index (integer ≥ 0)`);
    if (c + 1 > nLabels) nLabels = c + 1;
  }
  const index = new Map<string | number, number>();
  const groupOf = new Int32Array(n), rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (g === null || g === undefined || (typeof g === 'number' && Number.isNaN(g))) throw new Error(`${fn}: groups[${i}] is missing; give every row a group (its own id if it has none)`);
    let gi = index.get(g);
    if (gi === undefined) { gi = rows.length; index.set(g, gi); rows.push([]); }
    groupOf[i] = gi;
    rows[gi].push(i);
  }
  const counts = new Int32Array(rows.length * nLabels), labelTotals = new Int32Array(nLabels);
  for (let i = 0; i < n; i++) { counts[groupOf[i] * nLabels + labels[i]]++; labelTotals[labels[i]]++; }
  return { groupOf, rows, counts, nLabels, labelTotals };
}

function std(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return Math.sqrt(v / xs.length);
}

/** Groups in a seeded random order, stably sorted by the std of their label counts, largest first (sklearn's order). */
function groupOrder(t: GroupTable, seed: number): number[] {
  const nG = t.rows.length, L = t.nLabels;
  const order = Array.from(shuffleInPlace(Int32Array.from({ length: nG }, (_, g) => g), mulberry32(seed)));
  const spread = Float64Array.from({ length: nG }, (_, g) => std(t.counts.subarray(g * L, (g + 1) * L)));
  return order.sort((a, b) => spread[b] - spread[a]); // Array.prototype.sort is stable
}

/** Fold (0..k−1) per row; a group never spans two folds, and every fold has rows. Needs at least k groups. */
export function stratifiedGroupKFold(labels: ArrayLike<number>, groups: readonly (string | number)[], k: number, seed = 0): Int32Array {
  const fn = 'stratifiedGroupKFold';
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`${fn}: k must be an integer ≥ 2 (got ${k})`);
  const t = tabulate(labels, groups, fn), L = t.nLabels, nG = t.rows.length;
  if (nG < k) throw new Error(`${fn}: ${nG} distinct groups cannot fill ${k} folds; use at most ${nG} folds or a finer group column`);
  const perFold = new Float64Array(k * L), foldRows = new Int32Array(k), foldOfGroup = new Int32Array(nG);
  const fracs = new Float64Array(k);
  for (const g of groupOrder(t, seed)) {
    let best = -1, bestEval = Infinity, bestRows = Infinity;
    for (let f = 0; f < k; f++) {
      for (let l = 0; l < L; l++) perFold[f * L + l] += t.counts[g * L + l];
      let ev = 0, used = 0;
      for (let l = 0; l < L; l++) {
        if (t.labelTotals[l] === 0) continue;
        for (let q = 0; q < k; q++) fracs[q] = perFold[q * L + l] / t.labelTotals[l];
        ev += std(fracs);
        used++;
      }
      ev /= used;
      for (let l = 0; l < L; l++) perFold[f * L + l] -= t.counts[g * L + l];
      const close = Math.abs(ev - bestEval) <= 1e-8 + 1e-5 * Math.abs(bestEval); // numpy isclose
      if (best < 0 || (ev < bestEval && !close) || (close && foldRows[f] < bestRows)) { best = f; bestEval = ev; bestRows = foldRows[f]; }
    }
    foldOfGroup[g] = best;
    foldRows[best] += t.rows[g].length;
    for (let l = 0; l < L; l++) perFold[best * L + l] += t.counts[g * L + l];
  }
  // an empty fold (possible with very uneven group sizes) takes the smallest group of the fold with the most groups
  for (let f = 0; f < k; f++) {
    if (foldRows[f] > 0) continue;
    const groupsIn = new Int32Array(k);
    for (let g = 0; g < nG; g++) groupsIn[foldOfGroup[g]]++;
    let donor = 0;
    for (let q = 1; q < k; q++) if (groupsIn[q] > groupsIn[donor]) donor = q;
    let pick = -1;
    for (let g = 0; g < nG; g++) if (foldOfGroup[g] === donor && (pick < 0 || t.rows[g].length < t.rows[pick].length)) pick = g;
    foldOfGroup[pick] = f;
    foldRows[donor] -= t.rows[pick].length;
    foldRows[f] += t.rows[pick].length;
  }
  const out = new Int32Array(labels.length);
  for (let i = 0; i < out.length; i++) out[i] = foldOfGroup[t.groupOf[i]];
  return out;
}

/**
 * Seeded train/test split with disjoint groups, per-label test fractions close to `testFraction`, and every label
 * that has ≥ 2 groups present on both sides. Index arrays are sorted ascending.
 */
export function stratifiedGroupSplit(labels: ArrayLike<number>, groups: readonly (string | number)[], testFraction: number, seed = 0): { train: Int32Array; test: Int32Array } {
  const fn = 'stratifiedGroupSplit';
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`${fn}: testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  const t = tabulate(labels, groups, fn), L = t.nLabels, nG = t.rows.length, n = labels.length;
  if (nG < 2) throw new Error(`${fn}: only ${nG} distinct group; a group-aware split needs at least 2 groups`);
  const inTest = new Uint8Array(nG), testCounts = new Float64Array(L);
  let testRows = 0;
  // deviation of the test part from its targets: per label (normalised by the label's size) plus the overall size
  const cost = (extra: number, g: number): number => {
    let c = 0;
    for (let l = 0; l < L; l++) {
      const tot = t.labelTotals[l];
      if (tot === 0) continue;
      c += Math.abs(testCounts[l] + extra * t.counts[g * L + l] - testFraction * tot) / tot;
    }
    return c + Math.abs(testRows + extra * t.rows[g].length - testFraction * n) / n;
  };
  for (const g of groupOrder(t, seed)) {
    if (cost(1, g) < cost(0, g)) {
      inTest[g] = 1;
      testRows += t.rows[g].length;
      for (let l = 0; l < L; l++) testCounts[l] += t.counts[g * L + l];
    }
  }
  // repair: a label with ≥ 2 groups must be on both sides; move its smallest group across
  const move = (g: number, toTest: boolean) => {
    inTest[g] = toTest ? 1 : 0;
    const s = toTest ? 1 : -1;
    testRows += s * t.rows[g].length;
    for (let l = 0; l < L; l++) testCounts[l] += s * t.counts[g * L + l];
  };
  for (let l = 0; l < L; l++) {
    const withLabel: number[] = [];
    for (let g = 0; g < nG; g++) if (t.counts[g * L + l] > 0) withLabel.push(g);
    if (withLabel.length < 2) continue;
    const onTest = withLabel.filter((g) => inTest[g]), onTrain = withLabel.filter((g) => !inTest[g]);
    const smallest = (gs: number[]) => gs.reduce((a, b) => (t.rows[b].length < t.rows[a].length ? b : a));
    if (onTest.length === 0) move(smallest(onTrain), true);
    else if (onTrain.length === 0) move(smallest(onTest), false);
  }
  if (testRows === 0 || testRows === n) {
    const gs = Array.from({ length: nG }, (_, g) => g).filter((g) => (testRows === 0 ? !inTest[g] : inTest[g]));
    move(gs.reduce((a, b) => (t.rows[b].length < t.rows[a].length ? b : a)), testRows === 0);
  }
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < n; i++) (inTest[t.groupOf[i]] ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
