import { describe, expect, it, vi } from 'vitest';
import { analysesOf, cpuSample, heldOutScoring, secondCoreIdle } from './heldOut.ts';
import { trainTextClassifier, type TextClassifierModel } from './classifier.ts';
import type { TfidfVectorizer } from './vocabulary.ts';

// two topics and noise, with made-up words so that the test documents hold n-grams the training ones lack
const WORDS = ['goal', 'team', 'match', 'coach', 'pasta', 'bread', 'recipe', 'chef', 'tomato', 'weather', 'phone', 'traffic', 'music', 'café', 'naïve', '😀'];
function corpus(n: number, seed: number): { texts: string[]; labels: number[][] } {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
  const texts: string[] = [], labels: number[][] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 4 + Math.floor(rnd() * 12) }, () => WORDS[Math.floor(rnd() * WORDS.length)]! + (rnd() < 0.3 ? `x${Math.floor(rnd() * 40)}` : ''));
    texts.push(words.join(' '));
    labels.push([...(words.some((w) => w.startsWith('goal') || w.startsWith('team')) ? [0] : []), ...(words.some((w) => w.startsWith('pasta')) ? [1] : [])]);
  }
  return { texts, labels };
}

const train = corpus(400, 1), test = corpus(600, 2);
const labelNames = ['sport', 'food'];

function trainWith(hook?: (v: readonly TfidfVectorizer[]) => void): TextClassifierModel {
  return trainTextClassifier({ texts: train.texts, labels: train.labels, labelNames, mode: 'multi-label', ...(hook ? { onVectorizers: hook } : {}) });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('heldOutScoring', () => {
  it('transforms the test texts on the worker and scores them exactly as model.predict does', async () => {
    const h = heldOutScoring(test.texts, { thread: true });
    const model = trainWith((v) => h.onVectorizers(v));
    await until(() => h.delivered() === 2);
    expect(h.delivered()).toBe(2); // both blocks (word, char_wb) came from the thread
    const here = model.vectorizers.map((v) => vi.spyOn(v, 'transform'));
    const scores = h.predict(model);
    for (const spy of here) expect(spy).not.toHaveBeenCalled();
    for (const spy of here) spy.mockRestore();
    expect(scores).toEqual(model.predict(test.texts));
  }, 30_000);

  it('gives the same matrices when the n-grams it hashed ahead are for other settings (it transforms from the texts)', async () => {
    const h = heldOutScoring(test.texts, { thread: true, train: { charNgram: [1, 3], lowercase: false } });
    const model = trainWith((v) => h.onVectorizers(v));
    await until(() => h.delivered() === 2);
    expect(h.delivered()).toBe(2);
    expect(h.predict(model)).toEqual(model.predict(test.texts));
  }, 30_000);

  it('starts the thread only where a second core looks idle: measured over the job\'s start, else the load average', () => {
    const at = (ms: number, idleMs: number) => ({ at: ms, idleMs });
    // 2 cores over 100 ms: 70 ms idle (the other core mostly free) / 20 ms idle (another process on it)
    expect(secondCoreIdle({}, at(0, 1000), at(100, 1070), 2, 5)).toBe(true); // the lagging load average is not asked
    expect(secondCoreIdle({}, at(0, 1000), at(100, 1020), 2, 0)).toBe(false);
    expect(secondCoreIdle({}, at(0, 1000), at(100, 1200), 4, 9)).toBe(true); // 2 of the other 3 cores idle
    expect(secondCoreIdle({}, at(0, 1000), at(100, 1100), 4, 0)).toBe(false);
    // no window, or too short for 10 ms ticks: the 1-minute load average
    for (const since of [undefined, at(90, 1000)]) {
      expect(secondCoreIdle({}, since, at(100, 1000), 2, 0.9)).toBe(true);
      expect(secondCoreIdle({}, since, at(100, 1000), 2, 1.0)).toBe(true);
      expect(secondCoreIdle({}, since, at(100, 1000), 2, 1.6)).toBe(false);
    }
    expect(secondCoreIdle({}, at(0, 0), at(100, 100), 1, 0)).toBe(false); // one core
    expect(secondCoreIdle({ nbWords: true }, at(0, 0), at(100, 200), 2, 0)).toBe(false); // the stacked fits use both cores
    expect(secondCoreIdle({ stackFolds: 3 }, undefined, at(0, 0), 8, 0)).toBe(false);
    const sample = cpuSample();
    expect(sample.idleMs).toBeGreaterThanOrEqual(0);
    expect(sample.at).toBeGreaterThan(0);
  });

  it('hashes ahead for the analyses the options give', () => {
    expect(analysesOf({})).toEqual([{ analyzer: 'word', lowercase: true, ngramRange: [1, 2] }, { analyzer: 'char_wb', lowercase: true, ngramRange: [2, 5] }]);
    expect(analysesOf({ wordNgram: null, charNgram: [3, 4], lowercase: false })).toEqual([{ analyzer: 'char_wb', lowercase: false, ngramRange: [3, 4] }]);
  });

  it('transforms here whatever the worker has not delivered: no thread, no vectorizers, a stopped thread', () => {
    const expected = trainWith().predict(test.texts);
    const inline = heldOutScoring(test.texts, { thread: false });
    const m1 = trainWith((v) => inline.onVectorizers(v));
    expect(inline.predict(m1)).toEqual(expected);
    expect(inline.delivered()).toBe(0);

    const neverTold = heldOutScoring(test.texts, { thread: true });
    expect(neverTold.predict(trainWith())).toEqual(expected);

    // asked right after it was given the blocks: it has delivered nothing yet, and is not waited for
    const early = heldOutScoring(test.texts, { thread: true });
    const m3 = trainWith((v) => early.onVectorizers(v));
    expect(early.predict(m3)).toEqual(expected);

    const stopped = heldOutScoring(test.texts, { thread: true });
    const m4 = trainWith((v) => stopped.onVectorizers(v));
    stopped.close();
    expect(stopped.predict(m4)).toEqual(expected);
  }, 30_000);

  it('uses a thread by default only for enough texts', async () => {
    const few = heldOutScoring(test.texts.slice(0, 10));
    const model = trainWith((v) => few.onVectorizers(v));
    await new Promise((r) => setTimeout(r, 300));
    expect(few.delivered()).toBe(0);
    expect(few.predict(model)).toEqual(model.predict(test.texts.slice(0, 10)));
  }, 30_000);
});
