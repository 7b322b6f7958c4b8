import { describe, expect, it } from 'vitest';
import { stratifiedGroupKFold, stratifiedGroupSplit } from './group.ts';
import { mulberry32 } from './prng.ts';

/** HAM10000-like: 7 labels with 60/60/10/10/10/10/10 rows; groups (lesions) of 1–4 rows, one label each. */
function hamLike(seed: number): { labels: number[]; groups: string[] } {
  const rng = mulberry32(seed), sizes = [60, 60, 10, 10, 10, 10, 10];
  const labels: number[] = [], groups: string[] = [];
  let g = 0;
  sizes.forEach((size, l) => {
    let left = size;
    while (left > 0) {
      const m = Math.min(left, 1 + rng.int(rng.next() < 0.6 ? 1 : 4));
      for (let i = 0; i < m; i++) { labels.push(l); groups.push(`L${g}`); }
      left -= m;
      g++;
    }
  });
  // interleave so rows of a group are not adjacent
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => ((a * 7919) % 170) - ((b * 7919) % 170) || a - b);
  return { labels: order.map((i) => labels[i]), groups: order.map((i) => groups[i]) };
}

function groupSides(groups: string[], side: ArrayLike<number>): Map<string, Set<number>> {
  const m = new Map<string, Set<number>>();
  groups.forEach((g, i) => { if (!m.has(g)) m.set(g, new Set()); m.get(g)!.add(side[i]); });
  return m;
}

describe('stratifiedGroupKFold', () => {
  const { labels, groups } = hamLike(1);
  it('keeps groups whole, fills every fold and balances labels across folds', () => {
    const k = 5, fold = stratifiedGroupKFold(labels, groups, k, 3);
    for (const sides of groupSides(groups, fold).values()) expect(sides.size).toBe(1);
    const perFold = Array.from({ length: k }, () => new Array<number>(7).fill(0));
    labels.forEach((l, i) => perFold[fold[i]][l]++);
    for (let f = 0; f < k; f++) expect(perFold[f].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (let l = 0; l < 7; l++) {
      const counts = perFold.map((r) => r[l]), total = counts.reduce((a, b) => a + b, 0);
      // within one group size (≤ 4 rows) + 1 of the even share
      for (const c of counts) expect(Math.abs(c - total / k)).toBeLessThanOrEqual(4);
    }
  });

  it('is deterministic for a seed and varies with it', () => {
    const a = stratifiedGroupKFold(labels, groups, 5, 7), b = stratifiedGroupKFold(labels, groups, 5, 7);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(stratifiedGroupKFold(labels, groups, 5, 8))).not.toEqual(Array.from(a));
  });

  it('fills every fold even with one huge group, and refuses fewer groups than folds', () => {
    const lab = [0, 0, 0, 0, 0, 0, 1, 1, 1], grp = ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'c', 'd'];
    const fold = stratifiedGroupKFold(lab, grp, 4, 0);
    expect(new Set(fold).size).toBe(4);
    expect(() => stratifiedGroupKFold(lab, grp, 5, 0)).toThrow(/4 distinct groups cannot fill 5 folds/);
    expect(() => stratifiedGroupKFold([0, 1], ['a'], 2)).toThrow(/2 labels but 1 groups/);
  });
});

describe('stratifiedGroupSplit', () => {
  const { labels, groups } = hamLike(2);
  it('disjoint groups, ≈ the test fraction, every label with ≥ 2 groups on both sides', () => {
    for (const seed of [0, 1, 2]) {
      for (const frac of [0.2, 0.3]) {
        const { train, test } = stratifiedGroupSplit(labels, groups, frac, seed);
        expect(train.length + test.length).toBe(labels.length);
        const side = new Int32Array(labels.length);
        for (const i of test) side[i] = 1;
        for (const sides of groupSides(groups, side).values()) expect(sides.size).toBe(1);
        expect(Math.abs(test.length / labels.length - frac)).toBeLessThan(0.05);
        for (let l = 0; l < 7; l++) {
          expect(Array.from(train).some((i) => labels[i] === l)).toBe(true);
          expect(Array.from(test).some((i) => labels[i] === l)).toBe(true);
        }
        expect(Array.from(test)).toEqual(Array.from(test).sort((a, b) => a - b));
      }
    }
  });

  it('is deterministic for a seed; a label with one group stays on one side', () => {
    const a = stratifiedGroupSplit(labels, groups, 0.2, 5), b = stratifiedGroupSplit(labels, groups, 0.2, 5);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    const lab = [0, 0, 0, 0, 1, 1, 2, 2], grp = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'g'];
    const s = stratifiedGroupSplit(lab, grp, 0.25, 0);
    expect(s.test.length).toBeGreaterThan(0);
    expect(new Set(Array.from(s.test).map((i) => lab[i]))).toContain(1);
    expect(() => stratifiedGroupSplit(lab, grp, 1.5)).toThrow(/testFraction must be between 0 and 1/);
  });
});
