import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TextClassifierModel, trainTextClassifier } from '../../ml/index.ts';
import { parseLabeledText } from './formats.ts';
import { labelSet, toArrays } from './data.ts';
import type { TextPredictor } from './predictor.ts';
import { createScoringPool, thisThreadWarmed } from './scoringPool.ts';

// its own file: `thisThreadWarmed` is per module instance, and the other pool tests warm it
const docs = parseLabeledText(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url), 'utf8'), { format: 'comprehend-csv', mode: 'multi-label', delimiter: '|' }).docs;
const labelNames = labelSet(docs);
const arrays = toArrays(docs.slice(0, 300), labelNames, 'multi-label');
const held = docs.slice(300, 330).map((d) => d.text);

describe('scoring pool start-up (what a server warms before its first batch)', () => {
  it('starts once — later start() and warm() calls share it — and warms this thread\'s scorer and line writer too', async () => {
    const pool = createScoringPool(1);
    try {
      expect(thisThreadWarmed()).toBe(false);
      const first = pool.start();
      expect(pool.start()).toBe(first);
      expect(thisThreadWarmed()).toBe(true); // synchronously, while the thread warms up
      await first;
      const model = trainTextClassifier({ texts: arrays.texts, labels: arrays.labelIndices, labelNames, mode: 'multi-label', options: { maxEpochs: 1 } });
      const file = model.serialize(), bytes = new SharedArrayBuffer(file.byteLength);
      new Uint8Array(bytes).set(file);
      const p: TextPredictor = { modelId: 'm1', key: 'm1#1', rule: { mode: 'multi-label', labels: labelNames }, classifier: TextClassifierModel.deserialize(file), bytes };
      await pool.warm(p);
      expect(Array.from(await pool.score(p, held))).toEqual(Array.from(model.predict(held)));
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('a fresh pool (e.g. after close) starts again', async () => {
    const pool = createScoringPool(1);
    const first = pool.start();
    await first;
    await pool.close();
    const again = pool.start();
    expect(again).not.toBe(first);
    await again;
    await pool.close();
  }, 60_000);
});
