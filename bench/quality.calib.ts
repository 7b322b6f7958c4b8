/**
 * Exploration for issue 18 (not part of `npm run bench`): does the mismatch between fold models (trained on
 * (k−1)/k of the rows) and the final model (all rows) move the thresholds? TRAIN only, nested: part A = 4/5 of
 * train, part B = the rest. Thresholds come from 5-fold out-of-fold scores of A; the final model is fitted on all
 * of A at C (as now) or at C·(k−1)/k (the fold models' regularisation per row); macro F1 on B compares them.
 * Features are fitted once on all of train (unsupervised). Usage: npx tsx bench/quality.calib.ts goemotions|jigsaw C[,C…]
 */
import { join } from 'node:path';
import { decisionFunction, fitLogisticRegression, iterativeTrainTestSplit, labelMatrix, sliceRows, TfidfVectorizer, type Csr } from '../src/ml/index.ts';
import { kFoldAssignment } from '../src/ml/diagnostics/index.ts';
import { chooseThresholdBy, f1AtThreshold } from '../src/domains/quality/thresholdRules.ts';
import { readGoEmotions, readJigsaw, SPLIT_SEED, type Doc } from './text.data.ts';
import { REPO_ROOT } from './text.peers.ts';

const [which = 'goemotions', cs = '1,4'] = process.argv.slice(2);
const dataDir = join(REPO_ROOT, '..', 'shared', 'data');
let docs: Doc[];
if (which === 'jigsaw') {
  const all = readJigsaw(dataDir)!;
  const names0 = [...new Set(all.flatMap((d) => d.labels))].sort();
  const split = iterativeTrainTestSplit(all.map((d) => d.labels.map((l) => names0.indexOf(l))), { testSize: 0.2, seed: SPLIT_SEED });
  docs = Array.from(split.train, (i) => all[i]!);
} else docs = readGoEmotions(dataDir, 'train')!;
const names = [...new Set(docs.flatMap((d) => d.labels))].sort();
const labels = docs.map((d) => d.labels.map((l) => names.indexOf(l)));
const texts = docs.map((d) => d.text), L = names.length;
const word = TfidfVectorizer.fitTransform(texts, { analyzer: 'word', ngramRange: [1, 2], minDf: 2, maxFeatures: 50000, lowercase: true, sublinearTf: true });
const char = TfidfVectorizer.fitTransform(texts, { analyzer: 'char_wb', ngramRange: [2, 5], minDf: 2, maxFeatures: 100000, lowercase: true, sublinearTf: true });
const Y = labelMatrix(labels, L);
const outer = kFoldAssignment(labels, 'multi-label', 5, 1);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const rowsOf = (pred: (i: number) => boolean, from: ArrayLike<number>) => Array.from(from).filter((_, j) => pred(j));

function fitScore(tr: number[], te: number[], C: number): Float32Array {
  const blocks: Csr[] = [sliceRows(word.matrix, tr), sliceRows(char.matrix, tr)];
  const Ytr = new Uint8Array(tr.length * L);
  tr.forEach((i, r) => { for (let l = 0; l < L; l++) Ytr[r * L + l] = Y[i * L + l]!; });
  const { model } = fitLogisticRegression(blocks, Ytr, L, { C, maxEpochs: 3, tol: 0.1, seed: 0 });
  return decisionFunction(model, [sliceRows(word.matrix, te), sliceRows(char.matrix, te)]);
}

const macroF1 = (z: Float32Array, rows: number[], th: Float64Array) => {
  let s = 0;
  for (let l = 0; l < L; l++) {
    const sc = rows.map((_, r) => sigmoid(z[r * L + l]!)), y = rows.map((i) => Y[i * L + l]!);
    s += f1AtThreshold(sc, y, th[l]!);
  }
  return s / L;
};

for (const outerFold of [0, 1]) {
  const all = Array.from({ length: texts.length }, (_, i) => i);
  const A = all.filter((i) => outer[i] !== outerFold), B = all.filter((i) => outer[i] === outerFold);
  const inner = kFoldAssignment(A.map((i) => labels[i]!), 'multi-label', 5, 0);
  for (const C of cs.split(',').map(Number)) {
    const oof = new Float32Array(A.length * L);
    for (let f = 0; f < 5; f++) {
      const trPos = rowsOf((j) => inner[j] !== f, A.keys() as unknown as ArrayLike<number>), tePos = rowsOf((j) => inner[j] === f, A.keys() as unknown as ArrayLike<number>);
      const z = fitScore(trPos.map((j) => A[j]!), tePos.map((j) => A[j]!), C);
      tePos.forEach((j, r) => oof.set(z.subarray(r * L, (r + 1) * L), j * L));
    }
    const th = new Float64Array(L);
    for (let l = 0; l < L; l++) {
      th[l] = chooseThresholdBy(A.map((_, j) => sigmoid(oof[j * L + l]!)), A.map((i) => Y[i * L + l]!), { kind: 'best' }).threshold;
    }
    const full = macroF1(fitScore(A, B, C), B, th), scaled = macroF1(fitScore(A, B, C * 0.8), B, th);
    console.log(`${which} outer ${outerFold} C=${C}: final at C ${full.toFixed(4)} | final at 0.8·C ${scaled.toFixed(4)} (Δ ${(scaled - full).toFixed(4)})`);
  }
}
