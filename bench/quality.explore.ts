/**
 * Exploration for issue 18 (not part of `npm run bench`): out-of-fold logits of the TRAIN part only at several C,
 * saved to a cache file, so threshold rules and per-label C can be compared by nested splits of train without
 * refitting. The vectorizers are fitted once on all of train (unsupervised; the same for every variant compared).
 * Usage: node --experimental-strip-types bench/quality.explore.ts goemotions|jigsaw OUT.bin [C,...]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decisionFunction, fitLogisticRegression, labelMatrix, sliceRows, TfidfVectorizer } from '../src/ml/index.ts';
import { kFoldAssignment } from '../src/ml/diagnostics/index.ts';
import { iterativeTrainTestSplit } from '../src/ml/index.ts';
import { readGoEmotions, readJigsaw, SPLIT_SEED, type Doc } from './text.data.ts';
import { REPO_ROOT } from './text.peers.ts';

const [which = 'goemotions', out = '/tmp/oof.bin', cs = '1,2,4,8'] = process.argv.slice(2);
const dataDir = join(REPO_ROOT, '..', 'shared', 'data');
let docs: Doc[];
if (which === 'jigsaw') {
  const all = readJigsaw(dataDir)!;
  const names0 = [...new Set(all.flatMap((d) => d.labels))].sort();
  const idx = all.map((d) => d.labels.map((l) => names0.indexOf(l)));
  const split = iterativeTrainTestSplit(idx, { testSize: 0.2, seed: SPLIT_SEED });
  docs = Array.from(split.train, (i) => all[i]!);
} else docs = readGoEmotions(dataDir, 'train')!;
const names = [...new Set(docs.flatMap((d) => d.labels))].sort();
const labels = docs.map((d) => d.labels.map((l) => names.indexOf(l)));
const texts = docs.map((d) => d.text);
const L = names.length, n = texts.length;
const t0 = performance.now();
const word = TfidfVectorizer.fitTransform(texts, { analyzer: 'word', ngramRange: [1, 2], minDf: 2, maxFeatures: 50000, lowercase: true, sublinearTf: true });
const char = TfidfVectorizer.fitTransform(texts, { analyzer: 'char_wb', ngramRange: [2, 5], minDf: 2, maxFeatures: 100000, lowercase: true, sublinearTf: true });
console.error(`features ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const Y = labelMatrix(labels, L);
const k = 5, folds = kFoldAssignment(labels, 'multi-label', k, 0);
const Cs = cs.split(',').map(Number);
const variants: { name: string; C: number; classWeight: 'none' | 'balanced' }[] = Cs.map((C) => ({ name: `C=${C}`, C, classWeight: 'none' }));
// BAL=1,4: balanced class weights at those C too
for (const c of process.env.BAL?.split(',') ?? []) variants.push({ name: `C=${c} balanced`, C: Number(c), classWeight: 'balanced' });
const logits = variants.map(() => new Float32Array(n * L));
for (let f = 0; f < k; f++) {
  const tr: number[] = [], te: number[] = [];
  for (let i = 0; i < n; i++) (folds[i] === f ? te : tr).push(i);
  const blocks = [sliceRows(word.matrix, tr), sliceRows(char.matrix, tr)], test = [sliceRows(word.matrix, te), sliceRows(char.matrix, te)];
  const Ytr = new Uint8Array(tr.length * L);
  tr.forEach((i, r) => { for (let l = 0; l < L; l++) Ytr[r * L + l] = Y[i * L + l]!; });
  variants.forEach((v, vi) => {
    const t = performance.now();
    const { model } = fitLogisticRegression(blocks, Ytr, L, { C: v.C, classWeight: v.classWeight, maxEpochs: 3, tol: 0.1, seed: 0 });
    const z = decisionFunction(model, test);
    te.forEach((i, r) => { for (let l = 0; l < L; l++) logits[vi]![i * L + l] = z[r * L + l]!; });
    console.error(`fold ${f} ${v.name} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  });
}
const header = JSON.stringify({ n, L, names, variants: variants.map((v) => v.name), folds: Array.from(folds) });
const hb = Buffer.from(header);
const lenBuf = Buffer.alloc(4);
lenBuf.writeUInt32LE(hb.length);
writeFileSync(out, Buffer.concat([lenBuf, hb, Buffer.from(Y.buffer, Y.byteOffset, Y.byteLength), ...logits.map((z) => Buffer.from(z.buffer))]));
console.error(`wrote ${out}`);
