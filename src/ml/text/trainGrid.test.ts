/**
 * The C-grid trainer and the per-label options. References: each grid model must equal trainTextClassifier at
 * that (C, class weight); a labelC / labelClassWeight model must equal, label by label, separate fits at each
 * label's own setting (one-vs-rest labels are independent binary problems — logreg.test.ts checks the same
 * against scikit-learn on its fixture).
 */
import { describe, expect, it } from 'vitest';
import { trainTextClassifier } from './classifier.ts';
import { resolveTextClassifierOptions } from './options.ts';
import { trainTextClassifierGrid } from './trainGrid.ts';
import { fitNbModel } from './stack.ts';
import { decisionFunction } from '../linear/logreg.ts';
import { labelMatrix } from '../metrics/classification.ts';

const SPORT = ['football match tonight', 'the team scored a goal', 'tennis final at the stadium', 'goal in the last minute', 'the coach praised the team'];
const FOOD = ['pasta with tomato sauce', 'a recipe for fresh bread', 'the chef cooked pasta', 'tomato soup recipe', 'bread and cheese for lunch'];
const OTHER = ['the weather is mild today', 'a new phone was released', 'traffic on the highway', 'the library opens at nine', 'music playing softly'];
const texts: string[] = [], labels: number[][] = [];
for (let r = 0; r < 4; r++) {
  SPORT.forEach((t) => { texts.push(`${t} ${r}`); labels.push([0]); });
  FOOD.forEach((t) => { texts.push(`${t} ${r}`); labels.push([1]); });
  OTHER.forEach((t) => { texts.push(`${t} ${r}`); labels.push(r === 0 && t.startsWith('music') ? [1] : []); });
}
const labelNames = ['sport', 'food'];
const input = { texts, labels, labelNames, mode: 'multi-label' as const, threads: 1 };
const probe = ['a goal for the team', 'fresh pasta recipe', 'music on the highway'];

describe('trainTextClassifierGrid', () => {
  it('each model equals trainTextClassifier at its C and class weight', () => {
    const grid = [{ C: 0.5, classWeight: 'none' as const }, { C: 4, classWeight: 'balanced' as const }];
    const models = trainTextClassifierGrid(input, grid);
    grid.forEach((s, g) => {
      const want = trainTextClassifier({ ...input, options: s }).predict(probe);
      Array.from(models[g]!.predict(probe)).forEach((p, k) => expect(p).toBeCloseTo(want[k]!, 6));
      expect(models[g]!.options).toMatchObject(s);
    });
  });
  it('with nbWords and nbChars, the last two models are NB-LR on the word block and on the char block alone', () => {
    const models = trainTextClassifierGrid(input, [{ C: 4, classWeight: 'none' }], { nbWords: true, nbChars: true });
    expect(models).toHaveLength(3);
    const clf = models[0]!, o = clf.options, L = labelNames.length, Y = labelMatrix(labels, L);
    const fit = { C: o.C, classWeight: o.classWeight, maxEpochs: o.maxEpochs, tol: o.tol, seed: o.seed };
    const blocks = clf.vectorizers.map((v) => v.transform(probe));
    [0, 1].forEach((b) => {
      // the reference: NB-LR fitted on that block's training matrix, scoring only that block of the probes
      const nb = fitNbModel(clf.vectorizers[b]!.transform(texts), Y, L, fit);
      const want = decisionFunction(nb, [blocks[b]!]).map((z) => 1 / (1 + Math.exp(-z)));
      Array.from(models[1 + b]!.predict(probe)).forEach((p, k) => expect(p).toBeCloseTo(want[k]!, 5));
    });
    expect(() => trainTextClassifierGrid({ ...input, options: { charNgram: null } }, [{ C: 1, classWeight: 'none' }], { nbChars: true })).toThrow(/nbChars needs the char block/);
  });
  it('refuses the stacked model and per-label settings', () => {
    expect(() => trainTextClassifierGrid({ ...input, options: { nbWords: true } }, [{ C: 1, classWeight: 'none' }])).toThrow(/plain word\+char model only/);
    expect(() => trainTextClassifierGrid(input, [{ C: 0, classWeight: 'none' }])).toThrow(/positive finite/);
  });
});

describe('labelC / labelClassWeight options', () => {
  it('equal separate fits at each label\'s own setting, label by label', () => {
    const mixed = trainTextClassifier({ ...input, options: { labelC: { sport: 0.5 }, labelClassWeight: { food: 'balanced' } } }).predict(probe);
    const sport = trainTextClassifier({ ...input, options: { C: 0.5 } }).predict(probe);
    const food = trainTextClassifier({ ...input, options: { classWeight: 'balanced' } }).predict(probe);
    for (let i = 0; i < probe.length; i++) {
      expect(mixed[i * 2]!).toBeCloseTo(sport[i * 2]!, 6);
      expect(mixed[i * 2 + 1]!).toBeCloseTo(food[i * 2 + 1]!, 6);
    }
  });
  it('validate values, labels and the model kind with messages that name the option', () => {
    expect(() => resolveTextClassifierOptions({ labelC: { sport: -1 } })).toThrow(/option labelC: C of label "sport" must be a positive finite number/);
    expect(() => resolveTextClassifierOptions({ labelClassWeight: { sport: 'heavy' as never } })).toThrow(/option labelClassWeight: label "sport" must be 'none' or 'balanced'/);
    expect(() => resolveTextClassifierOptions({ labelC: { sport: 1 }, stackFolds: 2 })).toThrow(/option labelC: works with the plain word\+char model only/);
    expect(() => trainTextClassifier({ ...input, options: { labelC: { tennis: 1 } } })).toThrow(/option labelC: label "tennis" is not among the training labels/);
  });
});
