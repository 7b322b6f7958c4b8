import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXT_CLASSIFIER_OPTIONS, resolveTextClassifierOptions } from './options.ts';
import { TextClassifierModel, trainTextClassifier } from './classifier.ts';
import { labelMatrix } from '../metrics/classification.ts';
import { nanMean, perLabelRocAuc } from '../metrics/ranking.ts';
import { iterativeTrainTestSplit } from '../split/iterative.ts';
import { loadJigsaw10k } from '../__reference__/sharedData.ts';

// a tiny corpus: "sport" and "food" topics (multi-label: both, either or none)
const SPORT = ['football match tonight', 'the team scored a goal', 'tennis final at the stadium', 'goal in the last minute', 'the coach praised the team'];
const FOOD = ['pasta with tomato sauce', 'a recipe for fresh bread', 'the chef cooked pasta', 'tomato soup recipe', 'bread and cheese for lunch'];
const OTHER = ['the weather is mild today', 'a new phone was released', 'traffic on the highway', 'the library opens at nine', 'music playing softly'];
const texts: string[] = [], labels: number[][] = [];
for (let r = 0; r < 4; r++) {
  SPORT.forEach((t) => { texts.push(`${t} ${r}`); labels.push([0]); });
  FOOD.forEach((t) => { texts.push(`${t} ${r}`); labels.push([1]); });
  OTHER.forEach((t) => { texts.push(`${t} ${r}`); labels.push([]); });
  texts.push(`the team ate pasta after the match ${r}`); labels.push([0, 1]);
}
const labelNames = ['sport', 'food'];

describe('trainTextClassifier', () => {
  it('learns a small multi-label corpus and scores unseen texts', () => {
    const progress: number[] = [];
    const model = trainTextClassifier({ texts, labels, labelNames, mode: 'multi-label', onProgress: (f) => progress.push(f) });
    const P = model.predict(['a goal for the team', 'fresh pasta recipe', 'the highway traffic', 'team pasta match']);
    expect(P.length).toBe(8);
    expect(P[0]).toBeGreaterThan(0.5); expect(P[1]).toBeLessThan(0.5);
    expect(P[2]).toBeLessThan(0.5); expect(P[3]).toBeGreaterThan(0.5);
    expect(P[4]).toBeLessThan(0.5); expect(P[5]).toBeLessThan(0.5);
    expect(P[6]).toBeGreaterThan(0.5); expect(P[7]).toBeGreaterThan(0.5);
    expect(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1]))).toBe(true);
    expect(progress[progress.length - 1]).toBe(1);
    expect(model.info.nDocuments).toBe(texts.length);
    expect(model.info.nWordFeatures).toBeGreaterThan(10);
    expect(model.info.nCharFeatures).toBeGreaterThan(100);
  });

  it('multi-class probabilities sum to 1 and pick the right class', () => {
    const mc = labels.map((ls) => [ls.length === 0 ? 2 : ls[0]]);
    const model = trainTextClassifier({ texts, labels: mc, labelNames: ['sport', 'food', 'other'], mode: 'multi-class', options: { classWeight: 'balanced' } });
    const P = model.predict(['the coach and the team', 'cheese bread', 'phone music']);
    for (let i = 0; i < 3; i++) {
      expect(P[i * 3] + P[i * 3 + 1] + P[i * 3 + 2]).toBeCloseTo(1, 5);
      const best = [0, 1, 2].reduce((b, c) => (P[i * 3 + c] > P[i * 3 + b] ? c : b), 0);
      expect(best).toBe(i);
    }
  });

  it('serialises to a compact buffer and restores identical predictions', () => {
    const model = trainTextClassifier({ texts, labels, labelNames, mode: 'multi-label', options: { charNgram: [3, 4], maxWordFeatures: 20 } });
    const buf = model.serialize();
    const back = TextClassifierModel.deserialize(buf);
    const probe = ['goal and pasta', 'nothing here', ''];
    expect(back.predict(probe)).toEqual(model.predict(probe));
    expect(back.labelNames).toEqual(labelNames);
    expect(back.options).toEqual(model.options);
    expect(back.info).toEqual(model.info);
    expect(() => TextClassifierModel.deserialize(Buffer.from('nope'))).toThrow(/not a Sagebrush model/);
    expect(() => TextClassifierModel.deserialize(buf.subarray(0, buf.length - 8))).toThrow(/truncated/);
  });

  it('works with only word or only character features', () => {
    for (const options of [{ charNgram: null }, { wordNgram: null }] as const) {
      const model = trainTextClassifier({ texts, labels, labelNames, mode: 'multi-label', options });
      expect(model.vectorizers.length).toBe(1);
      expect(model.predict(['tennis goal'])[0]).toBeGreaterThan(0.5);
      expect(TextClassifierModel.deserialize(model.serialize()).predict(['tennis goal'])).toEqual(model.predict(['tennis goal']));
    }
  });

  it('validates input and options with clear messages', () => {
    const base = { texts, labels, labelNames, mode: 'multi-label' as const };
    expect(() => trainTextClassifier({ ...base, texts: [] , labels: [] })).toThrow(/at least one document/);
    expect(() => trainTextClassifier({ ...base, labels: labels.slice(1) })).toThrow(/one label list per text/);
    expect(() => trainTextClassifier({ ...base, labels: labels.map(() => [2]) })).toThrow(/labels\[0\]: label index 2/);
    expect(() => trainTextClassifier({ ...base, mode: 'multi-class' })).toThrow(/exactly one label/);
    expect(() => trainTextClassifier({ ...base, labelNames: ['a', 'a'] })).toThrow(/unique/);
    expect(() => trainTextClassifier({ ...base, texts: ['a', 'b'], labels: [[0], [1]] })).toThrow(/minDf/);
    expect(() => resolveTextClassifierOptions({ C: -1 })).toThrow(/option C/);
    expect(() => resolveTextClassifierOptions({ wordNgram: [2, 1] })).toThrow(/option wordNgram/);
    expect(() => resolveTextClassifierOptions({ wordNgram: null, charNgram: null })).toThrow(/at least one feature type/);
    expect(() => resolveTextClassifierOptions({ minDf: 0 })).toThrow(/option minDf/);
    expect(() => resolveTextClassifierOptions({ maxCharFeatures: 1.5 })).toThrow(/option maxCharFeatures/);
    expect(() => resolveTextClassifierOptions({ classWeight: 'auto' as never })).toThrow(/option classWeight/);
    expect(() => resolveTextClassifierOptions({ maxEpochs: 0 })).toThrow(/option maxEpochs/);
    expect(() => resolveTextClassifierOptions({ colour: 1 } as never)).toThrow(/unknown option/);
    expect(resolveTextClassifierOptions()).toEqual(DEFAULT_TEXT_CLASSIFIER_OPTIONS);
  });

  it('stops with an AbortError', () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => trainTextClassifier({ texts, labels, labelNames, mode: 'multi-label', signal: ac.signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });
});

describe('quality on jigsaw-toxic-balanced-10k', () => {
  const data = loadJigsaw10k();
  it.skipIf(!data)('80/20 seeded split: mean ROC AUC ≥ 0.94 (scikit-learn peer: 0.948)', () => {
    const d = data!;
    const { train, test } = iterativeTrainTestSplit(d.labels, { testSize: 0.2, seed: 42 });
    const pick = <T,>(a: T[], idx: Int32Array) => Array.from(idx, (i) => a[i]);
    const model = trainTextClassifier({ texts: pick(d.texts, train), labels: pick(d.labels, train), labelNames: d.labelNames, mode: 'multi-label' });
    const P = model.predict(pick(d.texts, test));
    const auc = nanMean(perLabelRocAuc(P, labelMatrix(pick(d.labels, test), d.labelNames.length), d.labelNames.length));
    expect(auc).toBeGreaterThanOrEqual(0.94);
  }, 240_000); // a loaded shared machine needs the room
  if (!data) it.skip('jigsaw quality test skipped: /work/shared/data/jigsaw-toxic-balanced-10k is absent (set SAGEBRUSH_SHARED_DATA)', () => {});
});
