import { describe, expect, it } from 'vitest';
import { column, precisionRecallCurve, precisionRecallFscore, thresholdScores } from '../metrics/index.ts';
import { curveAveragePrecision, curveIndexAt, downsampleCurve } from './curves.ts';
import { rankLabelIssues } from './noisy.ts';
import { kFoldAssignment, outOfFoldScores } from './oof.ts';
import { nestedFractions, resamplePositives } from './sampling.ts';
import { pointAt, selectiveCurve, tuneAbstain, tuneThresholds } from './tune.ts';

/** MINSTD, exact in doubles: the same stream as quality_reference.py's Minstd. */
function minstd(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647);
}
const RATES = [400, 200, 80, 30], SHIFT = [300, 300, 250, 200];
function multilabel(rows: number, seed: number): { Y: Uint8Array; S: Float64Array } {
  const g = minstd(seed), Y = new Uint8Array(rows * 4), S = new Float64Array(rows * 4);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 4; j++) {
      const y = g() % 1000 < RATES[j] ? 1 : 0;
      Y[i * 4 + j] = y;
      S[i * 4 + j] = (g() % 700 + (y ? SHIFT[j] : 0)) / 1000;
    }
  }
  return { Y, S };
}
function multiclass(rows: number, seed: number): { Y: Uint8Array; S: Float64Array } {
  const g = minstd(seed), Y = new Uint8Array(rows * 3), S = new Float64Array(rows * 3);
  for (let i = 0; i < rows; i++) {
    const c = g() % 3;
    Y[i * 3 + c] = 1;
    const raw = [0, 1, 2].map((k) => (g() % 100) + (k === c ? 30 : 0) + 1);
    const sum = raw[0] + raw[1] + raw[2];
    raw.forEach((v, k) => (S[i * 3 + k] = v / sum));
  }
  return { Y, S };
}

// Printed by src/ml/diagnostics/__reference__/quality_reference.py with scikit-learn 1.2.1 (Debian python3-sklearn), NumPy for the rest.
const REF = {"sklearn": "1.2.1", "labels": [{"positives": 130, "nThresholds": 262, "p10": [0.4333333333, 0.4362416107, 0.4377104377, 0.4391891892, 0.4406779661, 0.4421768707, 0.4436860068, 0.4452054795, 0.4467353952, 0.4482758621], "r10": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "t10": [0.001, 0.004, 0.013, 0.015, 0.016, 0.022, 0.023, 0.028, 0.029, 0.031], "f1": [0.306, 0.5803571429, 1.0, 0.7344632768], "f05": [0.702, 1.0, 0.4307692308, 0.790960452], "f2": [0.306, 0.5803571429, 1.0, 0.873655914], "p80": [0.661, 0.8378378378, 0.4769230769, 0.6078431373], "r90": [0.377, 0.6020408163, 0.9076923077, 0.7239263804], "p999": [0.702, 1.0, 0.4307692308, 0.6021505376], "ap": 0.8123665019}, {"positives": 54, "nThresholds": 249, "p10": [0.18, 0.1806020067, 0.1812080537, 0.1818181818, 0.1824324324, 0.1830508475, 0.1843003413, 0.1849315068, 0.1855670103, 0.1862068966], "r10": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "t10": [0.001, 0.008, 0.02, 0.024, 0.027, 0.03, 0.031, 0.032, 0.033, 0.034], "f1": [0.667, 0.7272727273, 0.4444444444, 0.5517241379], "f05": [0.706, 1.0, 0.3703703704, 0.7462686567], "f2": [0.355, 0.3076923077, 0.962962963, 0.6753246753], "p80": [0.683, 0.8148148148, 0.4074074074, 0.5432098765], "r90": [0.355, 0.3076923077, 0.962962963, 0.466367713], "p999": [0.706, 1.0, 0.3703703704, 0.5405405405], "ap": 0.6507295341}, {"positives": 20, "nThresholds": 245, "p10": [0.0666666667, 0.0668896321, 0.0673400673, 0.0675675676, 0.0677966102, 0.0680272109, 0.0684931507, 0.0687285223, 0.0689655172, 0.0692041522], "r10": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "t10": [0.002, 0.003, 0.007, 0.01, 0.011, 0.013, 0.019, 0.02, 0.022, 0.024], "f1": [0.707, 1.0, 0.5, 0.6666666667], "f05": [0.707, 1.0, 0.5, 0.8333333333], "f2": [0.707, 1.0, 0.5, 0.5555555556], "p80": [0.707, 1.0, 0.5, 0.6666666667], "r90": [0.355, 0.12, 0.9, 0.2117647059], "p999": [0.707, 1.0, 0.5, 0.6666666667], "ap": 0.6003226033}, {"positives": 10, "nThresholds": 244, "p10": [0.0333333333, 0.0334448161, 0.033557047, 0.0336700337, 0.0337837838, 0.0338983051, 0.0340136054, 0.0343642612, 0.0346020761, 0.0347222222], "r10": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "t10": [0.009, 0.012, 0.013, 0.015, 0.016, 0.019, 0.02, 0.023, 0.024, 0.025], "f1": [0.851, 1.0, 0.1, 0.1818181818], "f05": [0.851, 1.0, 0.1, 0.3571428571], "f2": [0.378, 0.0559006211, 0.9, 0.223880597], "p80": [0.851, 1.0, 0.1, 0.1818181818], "r90": [0.378, 0.0559006211, 0.9, 0.1052631579], "p999": [0.851, 1.0, 0.1, 0.1818181818], "ap": 0.1418908959}], "heldOut": {"macroF1At05": 0.3690671671, "macroF1Tuned": 0.4582224227, "perLabelTuned": [0.6580645161, 0.5384615385, 0.6363636364, 0.0]}, "selective": {"nThresholds": 189, "p5": [0.63, 0.6281407035, 0.6262626263, 0.6294416244, 0.6275510204], "r5": [0.63, 0.625, 0.62, 0.62, 0.615], "t5": [0.3459915612, 0.3511111111, 0.3515151515, 0.3583333333, 0.3616236162], "p90": [0.5734265734, 0.9069767442, 0.195, 0.3209876543], "f1": [0.3959183673, 0.6954022989, 0.605, 0.6470588235]}, "noisyTop10": [[165, 1.0060877342], [239, 0.9349463232], [205, 0.8679687534], [185, 0.7993545481], [282, 0.7801891561], [129, 0.7579318449], [179, 0.6394713306], [281, 0.6315667815], [57, 0.612446959], [9, 0.6110068846]]};

type Choice = [number, number, number, number] | null;
const close = (got: ArrayLike<number>, want: number[], tol = 1e-9) => {
  expect(got.length).toBeGreaterThanOrEqual(want.length);
  want.forEach((w, k) => expect(Math.abs(got[k] - w), `index ${k}`).toBeLessThan(tol));
};
const sameChoice = (got: { threshold: number; precision: number; recall: number; f: number } | null, want: Choice) => {
  if (want === null) return expect(got).toBeNull();
  expect(got).not.toBeNull();
  close([got!.threshold, got!.precision, got!.recall, got!.f], want);
};

const { Y, S } = multilabel(300, 7);
const held = multilabel(150, 8);

describe('threshold tuning (vs scikit-learn)', () => {
  it('PR curves match precision_recall_curve', () => {
    REF.labels.forEach((ref: { positives: number; nThresholds: number; p10: number[]; r10: number[]; t10: number[]; ap: number }, j: number) => {
      const curve = precisionRecallCurve(column(Y, 4, j), column(S, 4, j));
      expect(Array.from(column(Y, 4, j)).reduce((a, b) => a + b, 0)).toBe(ref.positives);
      expect(curve.thresholds.length).toBe(ref.nThresholds);
      close(curve.precision, ref.p10);
      close(curve.recall, ref.r10);
      close(curve.thresholds, ref.t10);
      expect(curveAveragePrecision(curve)).toBeCloseTo(ref.ap, 9);
    });
  });

  it('chooses the F1, F0.5, F2, target-precision and target-recall thresholds', () => {
    const runs = { f1: { kind: 'f-beta', beta: 1 }, f05: { kind: 'f-beta', beta: 0.5 }, f2: { kind: 'f-beta', beta: 2 }, p80: { kind: 'target-precision', target: 0.8 }, r90: { kind: 'target-recall', target: 0.9 }, p999: { kind: 'target-precision', target: 0.999 } } as const;
    for (const [key, objective] of Object.entries(runs)) {
      const t = tuneThresholds(S, Y, 4, objective);
      t.labels.forEach((l, j) => sameChoice(l.choice, (REF.labels[j] as Record<string, unknown>)[key] as Choice));
    }
    const t = tuneThresholds(S, Y, 4, { kind: 'f-beta' });
    close(t.thresholds, REF.labels.map((l: { f1: number[] }) => l.f1[0]));
    // an unreachable target keeps the fallback
    const never = tuneThresholds(S, Y, 4, { kind: 'target-precision', target: 1 }, { fallback: 0.42 });
    expect(never.labels.every((l) => l.choice === null || l.choice.precision === 1)).toBe(true);
  });

  it('tuned thresholds on held-out rows give scikit-learn\'s macro F1', () => {
    const t = tuneThresholds(S, Y, 4, { kind: 'f-beta' }).thresholds;
    expect(precisionRecallFscore(held.Y, thresholdScores(held.S, 4, 0.5), 4).macro.f).toBeCloseTo(REF.heldOut.macroF1At05, 9);
    const tuned = precisionRecallFscore(held.Y, thresholdScores(held.S, 4, t), 4);
    expect(tuned.macro.f).toBeCloseTo(REF.heldOut.macroF1Tuned, 9);
    close(tuned.perLabel.f, REF.heldOut.perLabelTuned);
    const p = pointAt(column(held.Y, 4, 0), column(held.S, 4, 0), t[0]);
    expect(p.f1).toBeCloseTo(REF.heldOut.perLabelTuned[0], 9);
  });

  it('multi-class: the selective curve and the abstain level', () => {
    const { Y: yc, S: sc } = multiclass(200, 9);
    const curve = selectiveCurve(sc, yc, 3);
    expect(curve.thresholds.length).toBe(REF.selective.nThresholds);
    close(curve.precision, REF.selective.p5);
    close(curve.recall, REF.selective.r5);
    close(curve.thresholds, REF.selective.t5);
    const a = tuneAbstain(sc, yc, 3, { kind: 'target-precision', target: 0.9 });
    sameChoice(a.choice, REF.selective.p90 as Choice);
    expect(a.abstainBelow).toBeCloseTo(REF.selective.p90[0], 9);
    sameChoice(tuneAbstain(sc, yc, 3, { kind: 'f-beta' }).choice, REF.selective.f1 as Choice);
  });
});

describe('curves, noisy labels, out-of-fold scores and resampling', () => {
  it('downsamples to at most maxPoints, keeping the ends and marked thresholds', () => {
    const curve = precisionRecallCurve(column(Y, 4, 0), column(S, 4, 0));
    const t = REF.labels[0].f1[0];
    const d = downsampleCurve(curve, 50, [t, 0.5]);
    expect(d.recall.length).toBeLessThanOrEqual(50);
    expect(d.thresholds[0]).toBe(curve.thresholds[0]);
    expect(d.thresholds.at(-1)).toBe(curve.thresholds.at(-1));
    expect(d.thresholds).toContain(t);
    expect(d.thresholds).toContain(curve.thresholds[curveIndexAt(curve, 0.5)]);
    expect([...d.thresholds].sort((a, b) => a - b)).toEqual(d.thresholds);
    expect(downsampleCurve(curve, 1000).thresholds.length).toBe(curve.thresholds.length);
  });

  it('ranks label issues like the NumPy reference', () => {
    const t = tuneThresholds(S, Y, 4, { kind: 'f-beta' }).thresholds;
    const top = rankLabelIssues(S, Y, 4, 'multi-label', { top: 10, thresholds: t });
    expect(top.map((r) => r.index)).toEqual(REF.noisyTop10.map((r: number[]) => r[0]));
    close(top.map((r) => r.score), REF.noisyTop10.map((r: number[]) => r[1]));
    // multi-class self-confidence: the row whose given class gets the lowest probability comes first
    const mc = rankLabelIssues(Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]), Uint8Array.from([1, 0, 1, 0, 1, 0]), 2, 'multi-class');
    expect(mc.map((r) => r.index)).toEqual([1, 2, 0]);
    expect(mc[0]).toMatchObject({ suggested: [1], given: [0] });
  });

  it('out-of-fold scores: every row scored once by a model that did not see it', async () => {
    const labels = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? [0, 1] : [i % 2]));
    const folds = kFoldAssignment(labels, 'multi-label', 5, 3);
    const seen: number[] = [];
    const oof = await outOfFoldScores({
      nRows: 40, nLabels: 2, folds, k: 5,
      fitPredict: (train, test) => {
        for (const i of test) expect(Array.from(train)).not.toContain(i);
        seen.push(...test);
        return Float32Array.from(Array.from(test).flatMap((i) => [i / 100, folds[i]]));
      },
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (let i = 0; i < 40; i++) {
      expect(oof[i * 2]).toBeCloseTo(i / 100, 6);
      expect(oof[i * 2 + 1]).toBe(folds[i]);
    }
    expect(() => kFoldAssignment([[0]], 'multi-class', 5)).toThrow(/cannot make 5 folds/);
    const ac = new AbortController();
    ac.abort();
    await expect(outOfFoldScores({ nRows: 40, nLabels: 2, folds, k: 5, signal: ac.signal, fitPredict: () => new Float32Array(0) })).rejects.toThrow();
  });

  it('resamples one label\'s positives (nested subsamples, duplicates) and makes nested fractions', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i < 30 ? [1] : [0]));
    const all = Int32Array.from(labels.keys());
    const ten = resamplePositives(all, labels, 1, 10, { duplicate: true, seed: 1 });
    expect(ten).toMatchObject({ uniquePositives: 10, positives: 10, available: 30 });
    expect(ten.rows.length).toBe(80);
    const twenty = resamplePositives(all, labels, 1, 20, { duplicate: true, seed: 1 });
    for (const r of ten.rows) expect(Array.from(twenty.rows)).toContain(r);
    const up = resamplePositives(all, labels, 1, 75, { duplicate: true, seed: 1 });
    expect(up).toMatchObject({ uniquePositives: 30, positives: 75 });
    expect(up.rows.length).toBe(145);
    expect(resamplePositives(all, labels, 1, 75, { duplicate: false }).rows.length).toBe(100);
    const fr = nestedFractions(labels, 'multi-class', [0.1, 0.5, 1], 2);
    expect(fr.map((f) => f.length)).toEqual([10, 50, 100]);
    for (const r of fr[0]) expect(Array.from(fr[1])).toContain(r);
    const pos = (rows: Int32Array) => Array.from(rows).filter((i) => i < 30).length;
    expect(pos(fr[1])).toBe(15);
  });
});
