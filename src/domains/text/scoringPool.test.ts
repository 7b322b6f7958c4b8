import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { TextClassifierModel, trainTextClassifier } from '../../ml/index.ts';
import { parseLabeledText } from './formats.ts';
import { labelSet, toArrays } from './data.ts';
import { scorerOf, type TextPredictor } from './predictor.ts';
import { createScoringPool } from './scoringPool.ts';
import { scoreLines } from './batch.ts';
import { ResultLineWriter } from './resultLines.ts';
import type { SharedChunks } from './sharedChunks.ts';

// real data: the bundled jigsaw sample (examples/text, Comprehend CSV)
const docs = parseLabeledText(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url), 'utf8'), { format: 'comprehend-csv', mode: 'multi-label', delimiter: '|' }).docs;
const labelNames = labelSet(docs);
const arrays = toArrays(docs.slice(0, 600), labelNames, 'multi-label');
const held = docs.slice(600).map((d) => d.text);

function predictorOf(model: TextClassifierModel, key: string): TextPredictor {
  const file = model.serialize(), bytes = new SharedArrayBuffer(file.byteLength);
  new Uint8Array(bytes).set(file);
  const classifier = TextClassifierModel.deserialize(file);
  return { modelId: 'm1', key, rule: { mode: classifier.mode, labels: [...classifier.labelNames] }, classifier, bytes };
}

describe('text scoring pool (piscina worker threads)', () => {
  const pool = createScoringPool(2);
  afterAll(() => pool.close());
  const model = trainTextClassifier({ texts: arrays.texts, labels: arrays.labelIndices, labelNames, mode: 'multi-label', options: { maxEpochs: 2 } });
  const p = predictorOf(model, 'm1#1');

  it('scores on the threads exactly as inline does (real documents), and reloads a model whose key changed', async () => {
    await pool.warm(p);
    const pooled = await pool.score(p, held);
    expect(Array.from(pooled)).toEqual(Array.from(model.predict(held)));
    // same model id, new key (e.g. retrained / thresholds changed): the threads load the new bytes
    const other = trainTextClassifier({ texts: arrays.texts, labels: arrays.labelIndices.map((ls) => ls.filter((l) => l !== 0)), labelNames, mode: 'multi-label', options: { maxEpochs: 1 } });
    const p2 = predictorOf(other, 'm1#2');
    expect(Array.from(await pool.score(p2, held.slice(0, 50)))).toEqual(Array.from(other.predict(held.slice(0, 50))));
  }, 120_000);

  it('batch lines: the pool threads claim their own chunks, so they go on scoring while this thread is busy; same bytes as one pass', async () => {
    const texts = [...held, ...held, ...held].slice(0, 1100), L = labelNames.length;
    let chunks: SharedChunks | undefined, localCalls = 0;
    const local = (q: TextPredictor, t: string[]) => {
      // the first time, this thread stalls (as when it is descheduled or writing) until the pool threads took every chunk
      if (localCalls++ === 0) {
        const nap = new Int32Array(new SharedArrayBuffer(4)), until = Date.now() + 20_000;
        while (Date.now() < until && !(chunks && Atomics.load(chunks.ctl, 0) >= texts.length)) Atomics.wait(nap, 0, 0, 10);
      }
      return scorerOf(q.classifier).score(t);
    };
    const score = (q: TextPredictor, t: string[]) => { chunks ??= q.chunks; return pool.score(q, t); };
    const lines = { count: texts.length, head: (i: number) => `{"File":"f","Line":${i},`, error: () => undefined };
    const got = await scoreLines({ score, local, threads: 2 }, p, texts, lines, { throwIfAborted() {} });
    expect(localCalls).toBe(1);
    const scores = model.predict(texts), w = new ResultLineWriter(p.rule);
    texts.forEach((_, i) => w.line(scores, i * L, lines.head(i)));
    expect(Array.from(got.scores)).toEqual(Array.from(scores));
    expect(got.jsonl.toString('utf8')).toBe(w.bytes().toString('utf8'));
    // a document the scorer refuses fails the batch (no thread left claiming forever)
    await expect(scoreLines({ score, local: (q, t) => scorerOf(q.classifier).score(t), threads: 2 }, p, [...texts, 42 as unknown as string], { ...lines, count: texts.length + 1 }, { throwIfAborted() {} })).rejects.toThrow(/expected a string/);
  }, 120_000);
});
