/**
 * One measurement of our classifier for the text benchmark, in its own process so its peak RSS
 * (`process.resourceUsage().maxRSS`) is ours alone. Prints one JSON line.
 *   tsx bench/text.worker.ts train TRAIN.csv MODEL.bin
 *     parse as the `text.train` job does (Comprehend CSV, multi-label, `|`), then `trainTextClassifier` with the
 *     job's default options (only this call is timed, as the job's `train_seconds`), then write `model.bin`.
 *   tsx bench/text.worker.ts predict MODEL.bin TEST.csv [THREADS]
 *     the batch job's path: load model.bin, score chunks of documents (fused path) — inline, or with THREADS > 0 over
 *     that many scoring threads plus this one (the job's scoreLines: every thread claims chunks of one shared run,
 *     sharedChunks.ts; the threads load the model from the shared bytes inside the clock) — one JSON line per document, written as the JSON Lines output's bytes; timed from
 *     reading model.bin to those bytes. The threads are started before the clock, as Node itself is (a server
 *     starts them once). Quality is computed from the returned scores. A second, warm pass repeats the same loop.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { nanMean, perLabelRocAuc, precisionRecallFscore, trainTextClassifier } from '../src/ml/index.ts';
import { labelSet, toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';
import { predictorFromFile, scorerOf, type TextPredictor } from '../src/domains/text/predictor.ts';
import { scoreLines } from '../src/domains/text/batch.ts';
import { createScoringPool, type ScoringPool } from '../src/domains/text/scoringPool.ts';

const mb = (bytes: number) => bytes / 2 ** 20;
const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

function readDocs(file: string) {
  const parsed = parseLabeledText(readFileSync(file, 'utf8'), { format: 'comprehend-csv', mode: 'multi-label', delimiter: '|' });
  if (parsed.problems.length > 0) throw new Error(`${file}: ${parsed.problems[0]!.problem}`);
  return parsed.docs;
}

function train(trainFile: string, modelFile: string) {
  const t0 = process.hrtime.bigint();
  const docs = readDocs(trainFile);
  const labelNames = labelSet(docs);
  const arrays = toArrays(docs, labelNames, 'multi-label');
  const readSeconds = seconds(t0);
  const baselineRssMb = mb(process.memoryUsage().rss);
  const t1 = process.hrtime.bigint();
  const model = trainTextClassifier({ texts: arrays.texts, labels: arrays.labelIndices, labelNames, mode: 'multi-label', options: {} });
  const trainSeconds = seconds(t1);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const bytes = model.serialize();
  writeFileSync(modelFile, bytes);
  const { nWordFeatures, nCharFeatures, nDocuments } = model.info;
  return { trainSeconds, readSeconds, baselineRssMb, peakRssMb, modelMb: mb(bytes.length), nWordFeatures, nCharFeatures, nDocuments, info: model.info };
}

async function predict(modelFile: string, testFile: string, threads: number) {
  const docs = readDocs(testFile);
  const texts = docs.map((d) => d.text);
  const pool = threads > 0 ? createScoringPool(threads) : undefined;
  // the threaded path as a running server has it: pool threads started and their code warm, and this thread's scorer
  // and line writer too (it scores chunks and writes the lines) — all by the pool's own start(), as the product warms
  // them; the inline run stays fully cold: a fresh process's first batch
  if (pool) await pool.start();
  const baselineRssMb = mb(process.memoryUsage().rss);
  const t0 = process.hrtime.bigint();
  // the batch job's own load (loadTextPredictor's): model.bin read straight into shared memory, loaded as views into it
  const predictor = await predictorFromFile(modelFile, 'bench', (c) => ({ mode: c.mode, labels: [...c.labelNames] }));
  const classifier = predictor.classifier;
  const loadSeconds = seconds(t0);
  const t1 = process.hrtime.bigint();
  const { scores: raw, outputBytes } = await runBatch(predictor, texts, pool);
  const classifySeconds = seconds(t1);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const n = classifier.nLabels;
  // quality from the scores as served: rounded to 4 decimals; predicted at the default threshold 0.5 (toResult's rule)
  const scores = raw.map((x) => Math.round(x * 1e4) / 1e4);
  const pred = Uint8Array.from(raw, (x) => (x >= 0.5 ? 1 : 0));
  const truth = toArrays(docs, [...classifier.labelNames], 'multi-label').truth;
  const prf = precisionRecallFscore(truth, pred, n);
  const aucs = perLabelRocAuc(scores, truth, n);
  // a second pass over the same texts, model loaded and code warm (after the peak RSS was read)
  const t2 = process.hrtime.bigint();
  await runBatch(predictor, texts, pool);
  const warm = seconds(t2);
  await pool?.close();
  return {
    threads,
    nTest: texts.length, loadSeconds, classifySeconds, seconds: loadSeconds + classifySeconds, outputBytes, baselineRssMb, peakRssMb, meanAuc: nanMean(aucs), macroF1: prf.macro.f, microF1: prf.micro.f, warmClassifySeconds: warm,
    perLabel: Object.fromEntries(classifier.labelNames.map((l, j) => [l, { auc: aucs[j], f1: prf.perLabel.f[j], support: prf.perLabel.support[j] }])),
  };
}

/**
 * The batch job's loop (runBatchJob with scoreRaw/localRaw: scoreLines): with a pool, shared work claimed by the pool
 * thread and this one into one score array (sharedChunks.ts); inline, chunk by chunk (scoreInOrder); the Comprehend
 * JSON lines (ResultLineWriter) of the scored run written as it grows, into one buffer: the output's bytes, as the job
 * stores them.
 */
async function runBatch(predictor: TextPredictor, texts: string[], pool: ScoringPool | undefined): Promise<{ scores: Float32Array; outputBytes: number }> {
  const local = (p: TextPredictor, part: string[]) => scorerOf(p.classifier).score(part);
  const score = async (p: TextPredictor, part: string[]) => (pool ? pool.score(p, part) : local(p, part));
  const lines = { count: texts.length, head: (i: number) => `{"File":"test.txt","Line":${i},`, error: () => undefined };
  const { scores, jsonl } = await scoreLines({ score, threads: pool?.threads ?? 1, ...(pool ? { local } : {}) }, predictor, texts, lines, { throwIfAborted() {} });
  return { scores, outputBytes: jsonl.length };
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'train' && a && b) console.log(JSON.stringify(train(a, b)));
else if (mode === 'predict' && a && b) console.log(JSON.stringify(await predict(a, b, Number(c ?? 0))));
else {
  console.error('usage: text.worker.ts train TRAIN.csv MODEL.bin | predict MODEL.bin TEST.csv [THREADS]');
  process.exit(2);
}
