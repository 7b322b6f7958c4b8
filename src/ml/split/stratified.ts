/**
 * Seeded splits for multi-class data (one class per row).
 * - `stratifiedTrainTestSplit`: per-class test counts by largest remainder so the test part has exactly
 *   ceil(testSize · n) rows (sklearn's StratifiedShuffleSplit sizing), and every class with ≥ 2 rows gets at
 *   least one row on each side.
 * - `stratifiedKFold`: each class's rows, shuffled, are dealt round-robin to folds, continuing where the
 *   previous class stopped, so fold sizes differ by at most one and class proportions by at most one row.
 */
import { mulberry32, shuffleInPlace } from './prng.ts';

export interface TrainTestIndices {
  train: Int32Array;
  test: Int32Array;
}

export interface SplitOptions {
  /** Fraction of rows for the test part, in (0, 1). Default 0.2. */
  testSize?: number;
  seed?: number;
}

function byClass(classes: ArrayLike<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    let g = groups.get(c);
    if (!g) groups.set(c, (g = []));
    g.push(i);
  }
  return groups;
}

export function checkTestSize(testSize: number, n: number): number {
  if (!(testSize > 0 && testSize < 1)) throw new Error(`split: testSize must be between 0 and 1 (exclusive), got ${testSize}`);
  const nTest = Math.ceil(testSize * n);
  if (n < 2 || nTest < 1 || nTest >= n) throw new Error(`split: ${n} rows cannot be split with testSize ${testSize}`);
  return nTest;
}

/** Seeded stratified train/test split of rows by class. Index arrays are sorted ascending. */
export function stratifiedTrainTestSplit(classes: ArrayLike<number>, options: SplitOptions = {}): TrainTestIndices {
  const n = classes.length, testSize = options.testSize ?? 0.2, rng = mulberry32(options.seed ?? 0);
  const nTest = checkTestSize(testSize, n);
  const groups = [...byClass(classes).entries()].sort((a, b) => a[0] - b[0]).map(([, rows]) => rows);
  // desired test rows per class: floor of the exact share, then the largest remainders (ties by seeded order)
  const want = groups.map((g) => (g.length * nTest) / n);
  const take = want.map((w, k) => Math.min(Math.floor(w), groups[k].length));
  let left = nTest - take.reduce((a, b) => a + b, 0);
  const order = shuffleInPlace(Int32Array.from(groups.keys()), rng);
  const byRemainder = Array.from(order).sort((a, b) => want[b] - Math.floor(want[b]) - (want[a] - Math.floor(want[a])));
  for (const k of byRemainder) if (left > 0 && take[k] < groups[k].length) { take[k]++; left--; }
  // every class with ≥ 2 rows on both sides, paid for by the classes with the most room
  for (let k = 0; k < groups.length; k++) {
    const size = groups[k].length;
    if (size < 2) continue;
    if (take[k] === 0) { take[k] = 1; moveOne(take, groups, k, -1); }
    else if (take[k] === size) { take[k] = size - 1; moveOne(take, groups, k, +1); }
  }
  const test: number[] = [], train: number[] = [];
  groups.forEach((g, k) => {
    const rows = shuffleInPlace(g.slice(), rng);
    for (let j = 0; j < rows.length; j++) (j < take[k] ? test : train).push(rows[j]);
  });
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/** Rebalances one test row to (+1) or from (−1) the class with the most room, keeping the test size. */
function moveOne(take: number[], groups: number[][], except: number, dir: 1 | -1): void {
  let best = -1, room = 0;
  for (let k = 0; k < groups.length; k++) {
    if (k === except) continue;
    const r = dir > 0 ? groups[k].length - 1 - take[k] : take[k] - 1;
    if (r > room) { room = r; best = k; }
  }
  if (best >= 0) take[best] += dir;
}

/** Fold number (0..k-1) per row, stratified by class. */
export function stratifiedKFold(classes: ArrayLike<number>, k: number, seed = 0): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`stratifiedKFold: k must be an integer ≥ 2, got ${k}`);
  if (classes.length < k) throw new Error(`stratifiedKFold: ${classes.length} rows cannot make ${k} folds`);
  const rng = mulberry32(seed), fold = new Int32Array(classes.length);
  const groups = [...byClass(classes).entries()].sort((a, b) => a[0] - b[0]).map(([, rows]) => rows);
  let next = rng.int(k);
  for (const g of groups) {
    for (const i of shuffleInPlace(g.slice(), rng)) {
      fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/** Train/test rows for fold `f` of a fold assignment. */
export function foldIndices(folds: Int32Array, f: number): TrainTestIndices {
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < folds.length; i++) (folds[i] === f ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
