import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trainTextClassifier } from '../../ml/index.ts';
import { labelSet, toArrays } from './data.ts';
import { startEvalThread, type EvalThread } from './evalThread.ts';
import { parseLabeledText } from './formats.ts';

const docs = parseLabeledText(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url), 'utf8'), { format: 'comprehend-csv', mode: 'multi-label', delimiter: '|' }).docs;
const labelNames = labelSet(docs);
const train = toArrays(docs.slice(0, 400), labelNames, 'multi-label');
const held = docs.slice(400, 700).map((d) => d.text);
const model = trainTextClassifier({ texts: train.texts, labels: train.labelIndices, labelNames, mode: 'multi-label', options: { maxEpochs: 2 } });
const multiClass = trainTextClassifier({ texts: train.texts, labels: train.labelIndices.map((l) => [l[0]!]), labelNames, mode: 'multi-class', options: { maxEpochs: 1, wordNgram: null } });
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function warmed(t: EvalThread): Promise<void> {
  for (let waited = 0; !t.ready; waited += 20) {
    if (waited > 90_000) throw new Error('the evaluation thread did not warm up');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('evaluation thread (text.train)', () => {
  it('once warm, scores on the thread — bit for bit model.predict — while `here` runs on this thread', async () => {
    const t = startEvalThread(2, 0);
    try {
      expect(t.ready).toBe(false); // not before its warm-up
      t.warm(train.texts, labelNames.length, 'multi-label');
      await warmed(t);
      for (const m of [model, multiClass]) {
        let busyDuringHere: boolean | undefined;
        const out = await t.score(m, held, () => { busyDuringHere = !t.ready; return 'serialised'; });
        expect(busyDuringHere).toBe(true); // the texts were with the thread while `here` ran
        expect(out.here).toBe('serialised');
        expect(bits(out.scores).equals(bits(m.predict(held)))).toBe(true);
        expect(t.ready).toBe(true);
      }
    } finally {
      t.close();
    }
  }, 120_000);

  it('scores here, after `here`, without a second core, on a busy machine, before the warm-up, and after the thread stopped', async () => {
    const expected = bits(model.predict(held));
    const one = startEvalThread(1, 0);
    one.warm(train.texts, labelNames.length, 'multi-label');
    const order: string[] = [];
    const a = await one.score(model, held, () => order.push('here'));
    expect(order).toEqual(['here']);
    expect(bits(a.scores).equals(expected)).toBe(true);
    one.close();

    const busy = startEvalThread(2, 2.5); // every core busy over the last minute: no thread
    busy.warm(train.texts, labelNames.length, 'multi-label');
    await new Promise((r) => setTimeout(r, 200));
    expect(busy.ready).toBe(false);
    expect(bits((await busy.score(model, held, () => 0)).scores).equals(expected)).toBe(true);
    busy.close();

    const cold = startEvalThread(2, 0);
    expect(bits((await cold.score(model, held, () => 0)).scores).equals(expected)).toBe(true); // never warmed
    cold.warm(train.texts, labelNames.length, 'multi-label');
    await warmed(cold);
    cold.close();
    expect(cold.ready).toBe(false);
    expect(bits((await cold.score(model, held, () => 0)).scores).equals(expected)).toBe(true);
  }, 120_000);
});
