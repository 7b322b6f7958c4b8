import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { trainTextClassifier, TextClassifierModel } from './classifier.ts';
import { FusedTextScorer } from './fusedScorer.ts';

// real data: the bundled jigsaw sample (examples/text, 1,000 comments, Comprehend CSV `label|label,text`)
const rows = parse(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url)), { relax_column_count: true }) as string[][];
const labelNames = [...new Set(rows.flatMap((r) => r[0]!.split('|')))].sort();
const texts = rows.map((r) => r[1]!);
const labels = rows.map((r) => r[0]!.split('|').map((l) => labelNames.indexOf(l)));

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('FusedTextScorer', () => {
  const train = texts.slice(0, 700), held = texts.slice(700);
  const model = trainTextClassifier({ texts: train, labels: labels.slice(0, 700), labelNames, mode: 'multi-label', options: { maxEpochs: 2 } });

  it('scores real documents as model.predict does (to 1e-6), for unseen and training texts, after a model file round trip', () => {
    const restored = TextClassifierModel.deserialize(model.serialize());
    const scorer = new FusedTextScorer(restored);
    for (const part of [held, train.slice(0, 200), ['', '!!!', 'a', held[0]!.repeat(30)]]) {
      const expected = model.predict(part), got = scorer.score(part);
      expect(got.length).toBe(expected.length);
      expect(maxDiff(got, expected)).toBeLessThan(1e-6);
    }
  });

  it('multi-class (sum-normalised) and word-only / char-only models agree too; repeated calls are independent', () => {
    const mc = labels.slice(0, 700).map((ls) => [ls.length === 0 ? 0 : 1]);
    for (const options of [{ maxEpochs: 2 }, { maxEpochs: 2, charNgram: null }, { maxEpochs: 2, wordNgram: null, sublinearTf: false }]) {
      const m = trainTextClassifier({ texts: train, labels: mc, labelNames: ['clean', 'toxic'], mode: 'multi-class', options });
      const scorer = new FusedTextScorer(m);
      const first = scorer.score(held);
      expect(maxDiff(first, m.predict(held))).toBeLessThan(1e-6);
      expect(maxDiff(scorer.score(held), first)).toBe(0);
      for (let i = 0; i < held.length; i++) expect(first[2 * i]! + first[2 * i + 1]!).toBeCloseTo(1, 5);
    }
  });

  it('rejects a non-string document, naming its index', () => {
    expect(() => new FusedTextScorer(model).score(['ok', 3 as unknown as string])).toThrow(/texts\[1\]/);
  });
});
