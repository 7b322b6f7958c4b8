import { afterAll, describe, expect, it } from 'vitest';
import { csrFromDense, type Csr } from '../sparse/csr.ts';
import { decisionFunction } from '../linear/logreg.ts';
import { mulberry32 } from '../split/prng.ts';
import { fitStackedModel, type StackOptions } from './stackFit.ts';
import { fitVectorizers, startTrainThreads, stopTrainThreads, trainThreadsReady } from './parallelTrain.ts';
import { TfidfVectorizer, type VectorizerConfig } from './vocabulary.ts';
import { trainTextClassifier } from './classifier.ts';

// A learnable two-block problem big enough that each fit task takes a few milliseconds.
function data(n: number, seed: number): { blocks: Csr[]; Y: Uint8Array } {
  const rng = mulberry32(seed), dw = 60, dc = 90, L = 3;
  const w = new Float32Array(n * dw), c = new Float32Array(n * dc), Y = new Uint8Array(n * L);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < dw; f++) if (rng.next() < 0.1) w[i * dw + f] = rng.next();
    for (let f = 0; f < dc; f++) if (rng.next() < 0.1) c[i * dc + f] = rng.next();
    Y[i * L] = w[i * dw] + c[i * dc] > 0.3 ? 1 : 0;
    Y[i * L + 1] = w[i * dw + 1] > 0.2 || rng.next() < 0.05 ? 1 : 0;
    Y[i * L + 2] = c[i * dc + 2] + c[i * dc + 3] > 0.5 ? 1 : 0;
  }
  return { blocks: [csrFromDense(w, n, dw), csrFromDense(c, n, dc)], Y };
}

const BASE: StackOptions = { C: 4, classWeight: 'none', maxEpochs: 10, tol: 0.01, seed: 1, nbBlock: 0, stackFolds: 3, stackC: 0.5, stackRefit: false };

describe('stacked training on worker threads', () => {
  afterAll(() => stopTrainThreads());
  const { blocks, Y } = data(1500, 7);

  for (const [name, o] of [
    ['NB + combiner, bagged', {}],
    ['NB + word/char blend + combiner, refitted', { splitBlocks: true, stackRefit: true, classWeight: 'balanced' as const }],
  ] as const) {
    it(`gives exactly the sequential model (${name}), with tasks run on a worker`, async () => {
      const seq = fitStackedModel(blocks, Y, 3, { ...BASE, ...o, threads: 1 });
      expect(new Set(seq.taskThreads)).toEqual(new Set([0]));
      startTrainThreads(2);
      await trainThreadsReady();
      const par = fitStackedModel(blocks, Y, 3, { ...BASE, ...o, threads: 2 });
      expect(par.taskThreads.some((t) => t !== 0)).toBe(true);
      expect(par.model.weights).toEqual(seq.model.weights);
      expect(par.info).toEqual(seq.info);
    });
  }

  it('the word/char blend scores as well as one model on a problem it can learn', () => {
    const test = data(600, 8);
    const m = fitStackedModel(blocks, Y, 3, { ...BASE, splitBlocks: true, threads: 1 }).model;
    const z = decisionFunction(m, test.blocks);
    let correct = 0;
    for (let k = 0; k < z.length; k++) if ((z[k]! > 0 ? 1 : 0) === test.Y[k]) correct++;
    expect(correct / z.length).toBeGreaterThan(0.85);
  });

  it('fits the word and char vectorizers side by side: a block fitted on the worker is the one fitted here', async () => {
    const texts = Array.from({ length: 400 }, (_, i) => `doc ${i % 37} has words like w${i % 11} and x${(i * 7) % 13}, then more ${'z'.repeat(i % 5)}`);
    const configs: VectorizerConfig[] = [
      { analyzer: 'word', ngramRange: [1, 2], minDf: 2, maxFeatures: null, lowercase: true, sublinearTf: true },
      { analyzer: 'char_wb', ngramRange: [2, 5], minDf: 2, maxFeatures: null, lowercase: true, sublinearTf: true },
    ];
    startTrainThreads(2);
    await trainThreadsReady();
    const local = new Set<number>();
    const par = fitVectorizers(texts, configs, 2, (b) => ({ onProgress: () => local.add(b) }));
    expect(local.size).toBeLessThan(2); // the worker fitted a block
    configs.forEach((c, b) => {
      const seq = TfidfVectorizer.fitTransform(texts, c);
      expect(par[b]!.matrix).toEqual(seq.matrix);
      expect(par[b]!.vectorizer.serialize()).toEqual(seq.vectorizer.serialize());
      expect(par[b]!.vectorizer.lookupTable.slots()).toEqual(seq.vectorizer.lookupTable.slots());
      expect(par[b]!.vectorizer.transform(['doc 3 has words w2'])).toEqual(seq.vectorizer.transform(['doc 3 has words w2']));
    });
  });

  it('trainTextClassifier: the same model file for 1 and 2 threads', async () => {
    const texts = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? `awful horrible text number ${i}` : i % 3 === 1 ? `lovely great words ${i}` : `plain neutral note ${i}`));
    const labels = texts.map((_, i) => [i % 3]);
    const options = { nbWords: true, stackFolds: 3, blendWordChar: true };
    startTrainThreads(2);
    await trainThreadsReady();
    const one = trainTextClassifier({ texts, labels, labelNames: ['bad', 'good', 'neutral'], mode: 'multi-class', options, threads: 1 });
    const two = trainTextClassifier({ texts, labels, labelNames: ['bad', 'good', 'neutral'], mode: 'multi-class', options, threads: 2 });
    expect(Buffer.compare(one.serialize(), two.serialize())).toBe(0);
    expect(() => trainTextClassifier({ texts, labels, labelNames: ['bad', 'good', 'neutral'], mode: 'multi-class', threads: 0 })).toThrow(/threads: expected an integer ≥ 1/);
  });
});
