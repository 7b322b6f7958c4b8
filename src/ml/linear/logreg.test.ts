import { describe, expect, it } from 'vitest';
import { coefficients, decisionFunction, deserializeLinearModel, fitLogisticRegression, predictProba, serializeLinearModel } from './logreg.ts';
import { csrFromDense } from '../sparse/csr.ts';

// Same formula as src/ml/__reference__/logreg_reference.py
const n = 40, d = 8;
const dense = new Float64Array(n * d);
for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) if ((i + 2 * j) % 3 !== 0) dense[i * d + j] = ((i * 7 + j * 13 + i * j) % 11) / 10;
const x = (i: number, j: number) => dense[i * d + j];
const Y = new Uint8Array(n * 3);
for (let i = 0; i < n; i++) {
  Y[i * 3] = x(i, 0) + x(i, 1) > x(i, 2) + 0.3 ? 1 : 0;
  Y[i * 3 + 1] = (x(i, 3) > 0.5) !== (i % 7 === 0) ? 1 : 0;
  Y[i * 3 + 2] = i % 5 === 0 ? 1 : 0;
}
const X = csrFromDense(dense, n, d);
const ROWS = [0, 1, 5, 17, 39];

// Printed by src/ml/__reference__/logreg_reference.py, scikit-learn 1.2.1:
// LogisticRegression(solver='liblinear', tol=1e-8), one binary model per label.
const REF = {
  c4: [
    { coef: [2.833947, 2.680856, -2.797385, 0.35308, -0.357725, -1.715131, -0.441199, 0.199091], intercept: -0.499504, proba: [0.046359, 0.724913, 0.914397, 0.970236, 0.337409] },
    { coef: [-0.068304, -0.201931, -1.095022, 2.305939, 1.233965, 1.65651, 1.01439, -1.356356], intercept: -1.99421, proba: [0.441314, 0.309226, 0.127718, 0.087612, 0.120808] },
    { coef: [0.113358, -0.666727, 0.829667, -0.26978, 0.293498, 0.180615, 0.647075, 1.143973], intercept: -2.175894, proba: [0.228153, 0.133382, 0.14872, 0.275734, 0.297768] },
  ],
  c05: [
    { coef: [0.809394, 0.760333, -1.144849, 0.17502, 0.054184, -0.975106, 0.042549, 0.295411], intercept: -0.206808, proba: [0.204921, 0.557512, 0.712387, 0.790031, 0.439582] },
    { coef: [-0.084941, -0.283063, -0.435707, 0.832753, 0.031615, 0.34118, 0.409662, -0.523004], intercept: -0.58221, proba: [0.353535, 0.452758, 0.247593, 0.223693, 0.229722] },
    { coef: [-0.157943, -0.254179, 0.06852, -0.254013, -0.172216, -0.088091, 0.003251, 0.127546], intercept: -0.869179, proba: [0.253467, 0.251229, 0.230867, 0.236239, 0.258189] },
  ],
  balanced: [
    { coef: [2.852762, 2.690927, -2.803929, 0.389804, -0.355183, -1.695879, -0.447346, 0.215071], intercept: -0.385304, proba: [0.05294, 0.752417, 0.925011, 0.974374, 0.370764] },
    { coef: [0.145283, -0.234106, -1.287203, 2.417008, 1.279405, 1.920966, 0.968373, -1.373173], intercept: -1.609134, proba: [0.589452, 0.433924, 0.184407, 0.144944, 0.178738] },
    { coef: [0.345436, -0.530501, 1.160867, -0.276057, 0.562242, 0.47935, 0.965078, 1.649493], intercept: -1.698764, proba: [0.520856, 0.254778, 0.370448, 0.642477, 0.661538] },
  ],
  // LogisticRegression(solver='liblinear', multi_class='ovr', C=4); class = first positive label, else 3
  multiclassProba: [[0.045389, 0.415031, 0.084499, 0.455081], [0.6934, 0.096208, 0.083963, 0.126429], [0.803055, 0.019356, 0.01798, 0.159609], [0.871853, 0.003829, 0.038868, 0.08545], [0.399388, 0.08609, 0.06636, 0.448162]],
};

describe('fitLogisticRegression (vs scikit-learn liblinear)', () => {
  const variants = [['c4', 4, 'none'], ['c05', 0.5, 'none'], ['balanced', 4, 'balanced']] as const;
  for (const [key, C, classWeight] of variants) {
    it(`C=${C} classWeight=${classWeight}: coefficients and probabilities`, () => {
      const { model, info } = fitLogisticRegression(X, Y, 3, { C, classWeight, maxEpochs: 3000, tol: 1e-6 });
      expect(info.converged).toBe(true);
      const { coef, intercept } = coefficients(model);
      const P = predictProba(model, X, 'multi-label');
      REF[key].forEach((want, l) => {
        want.coef.forEach((w, j) => expect(Math.abs(coef[l][j] - w)).toBeLessThan(2e-3));
        expect(Math.abs(intercept[l] - want.intercept)).toBeLessThan(2e-3);
        ROWS.forEach((r, k) => expect(Math.abs(P[r * 3 + l] - want.proba[k])).toBeLessThan(1e-3));
      });
    });
  }

  it('labelC / labelClassWeight: each label fitted at its own C / weights equals sklearn fitted per label so', () => {
    // reference: the scikit-learn values above (REF.c4 / REF.c05), one binary problem per label
    const { model } = fitLogisticRegression(X, Y, 3, { labelC: [4, 0.5, 4], maxEpochs: 3000, tol: 1e-6 });
    const { coef, intercept } = coefficients(model);
    [REF.c4[0]!, REF.c05[1]!, REF.c4[2]!].forEach((want, l) => {
      want.coef.forEach((w, j) => expect(Math.abs(coef[l][j] - w)).toBeLessThan(2e-3));
      expect(Math.abs(intercept[l] - want.intercept)).toBeLessThan(2e-3);
    });
    expect(() => fitLogisticRegression(X, Y, 3, { labelC: [4, 0.5] })).toThrow(/labelC has 2 values/);
    // labelClassWeight: labels 0 and 2 balanced, label 1 not = sklearn's balanced / plain fits at C = 4 (REF above)
    const w = coefficients(fitLogisticRegression(X, Y, 3, { labelClassWeight: ['balanced', 'none', 'balanced'], maxEpochs: 3000, tol: 1e-6 }).model);
    [REF.balanced[0]!, REF.c4[1]!, REF.balanced[2]!].forEach((want, l) => {
      want.coef.forEach((x, j) => expect(Math.abs(w.coef[l][j] - x)).toBeLessThan(2e-3));
      expect(Math.abs(w.intercept[l] - want.intercept)).toBeLessThan(2e-3);
    });
    expect(() => fitLogisticRegression(X, Y, 3, { labelC: [4, 0, 1] })).toThrow(/labelC\[1\] must be a positive number/);
  });

  it('multi-class: one-vs-rest probabilities normalised per row', () => {
    const Yc = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const c = Y[i * 3] ? 0 : Y[i * 3 + 1] ? 1 : Y[i * 3 + 2] ? 2 : 3;
      Yc[i * 4 + c] = 1;
    }
    const { model } = fitLogisticRegression(X, Yc, 4, { C: 4, maxEpochs: 3000, tol: 1e-6 });
    const P = predictProba(model, X, 'multi-class');
    ROWS.forEach((r, k) => REF.multiclassProba[k].forEach((p, c) => expect(Math.abs(P[r * 4 + c] - p)).toBeLessThan(1e-3)));
    for (let i = 0; i < n; i++) expect(P[i * 4] + P[i * 4 + 1] + P[i * 4 + 2] + P[i * 4 + 3]).toBeCloseTo(1, 5);
  });

  it('handles 1, 2, 5 and 11 labels alike (padded label strides)', () => {
    for (const L of [1, 2, 5, 11]) {
      const YL = new Uint8Array(n * L);
      for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) YL[i * L + l] = Y[i * 3 + (l % 3)];
      const { model } = fitLogisticRegression(X, YL, L, { maxEpochs: 3000, tol: 1e-6 });
      const P = predictProba(model, X, 'multi-label');
      for (let l = 0; l < L; l++) expect(Math.abs(P[5 * L + l] - REF.c4[l % 3].proba[2])).toBeLessThan(1e-3);
    }
  });

  it('is deterministic for a seed, reports progress, and fits no intercept when asked', () => {
    const a = fitLogisticRegression(X, Y, 3, { maxEpochs: 3, seed: 7 }).model.weights;
    const b = fitLogisticRegression(X, Y, 3, { maxEpochs: 3, seed: 7 }).model.weights;
    expect(b).toEqual(a);
    const seen: number[] = [];
    fitLogisticRegression(X, Y, 3, { maxEpochs: 4, tol: 1e-12, onProgress: (f) => seen.push(f) });
    expect(seen).toEqual([0.25, 0.5, 0.75, 1]);
    const { model } = fitLogisticRegression(X, Y, 3, { interceptScaling: 0, maxEpochs: 50 });
    expect(coefficients(model).intercept).toEqual(new Float64Array(3));
    expect(decisionFunction(model, csrFromDense(new Float64Array(d), 1, d))).toEqual(new Float32Array(3));
  });

  it('fits column blocks in place like their hstack', () => {
    const left = new Float64Array(n * 3), right = new Float64Array(n * 5);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) (j < 3 ? left : right)[i * (j < 3 ? 3 : 5) + (j < 3 ? j : j - 3)] = dense[i * d + j];
    const blocks = [csrFromDense(left, n, 3), csrFromDense(right, n, 5)];
    const a = fitLogisticRegression(X, Y, 3, { maxEpochs: 20 }).model;
    const b = fitLogisticRegression(blocks, Y, 3, { maxEpochs: 20 }).model;
    expect(b.nFeatures).toBe(8);
    b.weights.forEach((w, k) => expect(Math.abs(w - a.weights[k])).toBeLessThan(1e-5));
    const pa = predictProba(a, X, 'multi-label'), pb = predictProba(b, blocks, 'multi-label');
    pb.forEach((p, k) => expect(Math.abs(p - pa[k])).toBeLessThan(1e-5));
    expect(() => predictProba(b, [blocks[0]], 'multi-label')).toThrow(/columns/);
  });

  it('serialises and restores weights', () => {
    const { model } = fitLogisticRegression(X, Y, 3, { maxEpochs: 5 });
    const back = deserializeLinearModel(serializeLinearModel(model));
    expect(back).toEqual(model);
    expect(predictProba(back, X, 'multi-label')).toEqual(predictProba(model, X, 'multi-label'));
    const truncated = Buffer.alloc(12);
    truncated.write('SGML', 0, 'latin1');
    truncated.writeUInt32LE(1, 4);
    truncated.writeUInt32LE(1000, 8);
    expect(() => deserializeLinearModel(truncated)).toThrow(/truncated/);
    expect(() => deserializeLinearModel(Buffer.from('nope'))).toThrow(/not a Sagebrush model/);
  });

  it('throws an AbortError when the signal is aborted', () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => fitLogisticRegression(X, Y, 3, { signal: ac.signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('rejects bad input', () => {
    expect(() => fitLogisticRegression(X, Y, 2)).toThrow(/Y has 120 entries/);
    expect(() => fitLogisticRegression(X, Y, 3, { C: 0 })).toThrow(/C must be a positive/);
  });
});
