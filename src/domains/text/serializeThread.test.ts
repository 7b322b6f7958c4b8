import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TextClassifierModel, trainTextClassifier } from '../../ml/index.ts';
import { labelSet, toArrays } from './data.ts';
import { parseLabeledText } from './formats.ts';
import { startModelSerializer, type ModelSerializer } from './serializeThread.ts';

const docs = parseLabeledText(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url), 'utf8'), { format: 'comprehend-csv', mode: 'multi-label', delimiter: '|' }).docs;
const labelNames = labelSet(docs);
const arrays = toArrays(docs.slice(0, 400), labelNames, 'multi-label');
// word + char_wb blocks (so the file has word columns too), and a char_wb-only model
const both = trainTextClassifier({ texts: arrays.texts, labels: arrays.labelIndices, labelNames, mode: 'multi-label', options: { maxEpochs: 2 } });
const charOnly = trainTextClassifier({ texts: arrays.texts, labels: arrays.labelIndices, labelNames, mode: 'multi-label', options: { maxEpochs: 1, wordNgram: null } });

async function loaded(s: ModelSerializer): Promise<void> {
  for (let t = 0; !s.ready; t += 20) {
    if (t > 60_000) throw new Error('the serialisation thread did not load');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('model serialisation thread (text.train)', () => {
  it('gives the bytes model.serialize() gives here, model after model, and they load as the same model', async () => {
    const s = startModelSerializer(2);
    try {
      await loaded(s);
      for (const model of [both, charOnly]) {
        const pending = s.serialize(model);
        expect(s.ready).toBe(false); // the thread has the model (one at a time)
        const bytes = await pending;
        expect(bytes.equals(model.serialize())).toBe(true);
        expect(s.ready).toBe(true);
        const held = docs.slice(400, 420).map((d) => d.text);
        expect(Array.from(TextClassifierModel.deserialize(bytes).predict(held))).toEqual(Array.from(model.predict(held)));
      }
    } finally {
      s.close();
    }
  }, 120_000);

  it('without a second core there is no thread, and the model is serialised here', async () => {
    const s = startModelSerializer(1);
    expect(s.ready).toBe(false);
    expect((await s.serialize(both)).equals(both.serialize())).toBe(true);
    s.close();
  });

  it('a thread that has stopped leaves the work to this thread: same bytes', async () => {
    const s = startModelSerializer(2);
    await loaded(s);
    s.close();
    expect(s.ready).toBe(false);
    expect((await s.serialize(both)).equals(both.serialize())).toBe(true);
  }, 120_000);
});
