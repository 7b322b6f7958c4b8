import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TextClassifierModel, trainTextClassifier } from '../../ml/index.ts';
import type { JobContext } from '../../jobs/types.ts';
import { labelSet, toArrays } from './data.ts';
import { parseLabeledText } from './formats.ts';
import { chunkSize, runBatchJob, scoreInOrder, scoreLines, type BatchScoring } from './batch.ts';
import { ResultLineWriter } from './resultLines.ts';
import { claimChunk, markDone, POOL_MAX } from './sharedChunks.ts';
import type { TextDeps } from './deps.ts';
import { classifyTexts, scorerOf, type TextPredictor } from './predictor.ts';
import type { BatchJobPayload } from './schema.ts';

// real data: the bundled jigsaw sample (examples/text, Comprehend CSV)
const docs = parseLabeledText(readFileSync(new URL('../../../examples/text/jigsaw-toxic-1k.csv', import.meta.url), 'utf8'), { format: 'comprehend-csv', mode: 'multi-label', delimiter: '|' }).docs;
const labelNames = labelSet(docs);
const arrays = toArrays(docs.slice(0, 400), labelNames, 'multi-label');

async function run(scoring: Omit<BatchScoring, 'predictor'>, p: TextPredictor, input: string): Promise<{ jsonl: string; errors: number }> {
  const store = new Map<string, Buffer>([['in', Buffer.from(input)]]);
  const artifacts = { get: async (k: string) => store.get(k)!, put: async (k: string, b: Buffer | string) => void store.set(k, Buffer.from(b)) };
  const deps = { artifacts, predictor: async () => p, ...scoring } as unknown as TextDeps & BatchScoring;
  const payload: BatchJobPayload = { modelId: 'm', inputKey: 'in', inputFileName: 'in.txt', inputFormat: 'one-doc-per-line', outputPrefix: 'out/' };
  const ctx = { job: { payload }, signal: new AbortController().signal, progress: async () => {}, log: async () => {} } as unknown as JobContext<BatchJobPayload>;
  const r = await runBatchJob(deps, ctx);
  return { jsonl: store.get(r.outputKey)!.toString('utf8'), errors: r.errors };
}

describe('text.batch job', () => {
  it('writes the same JSON Lines from raw scores (scoreRaw/localRaw) as from result objects, error lines included', async () => {
    for (const mode of ['multi-label', 'multi-class'] as const) {
      const labels = mode === 'multi-label' ? arrays.labelIndices : arrays.labelIndices.map((ls) => [ls.length ? 1 : 0]);
      const names = mode === 'multi-label' ? labelNames : ['clean', 'flagged'];
      const model = TextClassifierModel.deserialize(trainTextClassifier({ texts: arrays.texts, labels, labelNames: names, mode, options: { maxEpochs: 1 } }).serialize());
      const p: TextPredictor = { modelId: 'm', key: 'm#1', rule: { mode, labels: names }, classifier: model, bytes: new SharedArrayBuffer(0) };
      // 700 documents (two chunks and local ones), an empty line (an error line) and a non-ASCII one
      const input = [...docs.slice(400, 1000).map((d) => d.text.replace(/[\r\n\u2028]+/g, ' ')), '', 'ünïcödé 😀 text', ...docs.slice(0, 100).map((d) => d.text.replace(/[\r\n\u2028]+/g, ' '))].join('\n');
      const objects = await run({ score: async (q, t) => classifyTexts(q, t), local: classifyTexts, threads: 1 }, p, input);
      const raw = await run({ score: async (q, t) => classifyTexts(q, t), threads: 1, scoreRaw: async (q, t) => scorerOf(q.classifier).score(t), localRaw: (q, t) => scorerOf(q.classifier).score(t) }, p, input);
      expect(objects.errors).toBe(1);
      expect(raw.errors).toBe(1);
      expect(raw.jsonl.split('\n').length).toBe(703);
      expect(raw.jsonl).toBe(objects.jsonl);
    }
  }, 60_000);
});

describe('chunkSize and scoreInOrder (guided chunks: every thread ends at about the same time)', () => {
  it('gives a share of what is left: ~4 chunks per thread, at most 500 (125 on this thread), at least 32', () => {
    expect(chunkSize(2000, 1)).toBe(250);
    expect(chunkSize(100_000, 1)).toBe(500);
    expect(chunkSize(5426, 1)).toBe(500);
    expect(chunkSize(2000, 1, true)).toBe(125);
    expect(chunkSize(300, 1, true)).toBe(38);
    expect(chunkSize(100, 1)).toBe(32);
    expect(chunkSize(10, 3, true)).toBe(32);
  });

  it('ends a batch with small pool chunks, so this thread never waits long on the last one; every document once, in order', async () => {
    const texts = Array.from({ length: 1996 }, (_, i) => `doc ${i}`), sizes: number[] = [], seen: number[] = [];
    const p = { modelId: 'm' } as TextPredictor;
    // the pool answers a turn later; this thread scores its own chunks at once
    const score = async (_p: TextPredictor, t: string[]) => { sizes.push(t.length); await new Promise((r) => setImmediate(r)); return t; };
    await scoreInOrder({ score, local: (_p, t) => t, threads: 1 }, p, texts, { throwIfAborted() {} }, async (start, part) => {
      expect(start).toBe(seen.length);
      for (const t of part) seen.push(Number(t.slice(4)));
    });
    expect(seen).toEqual(texts.map((_, i) => i));
    expect(sizes[0]).toBe(250);
    // the last pool chunks: what this thread may wait for at the end (it was a 250-document chunk)
    expect(Math.max(...sizes.slice(-2))).toBeLessThanOrEqual(64);
  });
});

describe('scoreInOrder keeps the pool busy', () => {
  it('sends the pool its next chunk as soon as one finishes, before this thread emits (writes) the finished one', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `doc ${i}`), events: string[] = [];
    const score = async (_p: TextPredictor, t: string[]) => { events.push('score'); await new Promise((r) => setImmediate(r)); return t; };
    await scoreInOrder({ score, local: (_p, t) => t, threads: 1 }, { modelId: 'm' } as TextPredictor, texts, { throwIfAborted() {} }, async () => {
      events.push('emit');
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); // a long write
    });
    // three chunks at the start (one running, two queued); the fourth goes out before the first chunk is emitted
    expect(events.slice(0, events.indexOf('emit')).filter((e) => e === 'score').length).toBeGreaterThanOrEqual(4);
  });

  it('queues three chunks per pool thread before this thread scores its first own chunk (the thread has work while this one is busy)', async () => {
    const texts = Array.from({ length: 5426 }, (_, i) => `doc ${i}`), events: string[] = [];
    const score = async (_p: TextPredictor, t: string[]) => { events.push('score'); await new Promise((r) => setImmediate(r)); return t; };
    const local = (_p: TextPredictor, t: string[]) => { events.push('local'); return t; };
    await scoreInOrder({ score, local, threads: 1 }, { modelId: 'm' } as TextPredictor, texts, { throwIfAborted() {} }, async () => {});
    expect(events.indexOf('local')).toBe(3);
  });
});

describe('scoreLines (each chunk\'s lines written as it comes in)', () => {
  it('writes the lines of a sequential pass byte for byte, error lines first, between and last included', async () => {
    const model = TextClassifierModel.deserialize(trainTextClassifier({ texts: arrays.texts, labels: arrays.labelIndices, labelNames, mode: 'multi-label', options: { maxEpochs: 1 } }).serialize());
    const p: TextPredictor = { modelId: 'm', key: 'm#1', rule: { mode: 'multi-label', labels: labelNames }, classifier: model, bytes: new SharedArrayBuffer(0) };
    const all = docs.slice(0, 900).map((d) => d.text);
    const bad = new Set([0, 1, 250, 251, 899]);
    const texts = all.filter((_, i) => !bad.has(i));
    const lines = { count: all.length, head: (i: number) => `{"File":"f","Line":${i},`, error: (i: number) => (bad.has(i) ? `{"File":"f","Line":${i},"ErrorCode":"X"}` : undefined) };
    const local = (q: TextPredictor, t: string[]) => scorerOf(q.classifier).score(t);
    const got = await scoreLines({ score: async (q, t) => local(q, t), local, threads: 1 }, p, texts, lines, { throwIfAborted() {} });
    const scores = local(p, texts), w = new ResultLineWriter(p.rule);
    for (let i = 0, k = 0; i < all.length; i++) {
      const e = lines.error(i);
      if (e !== undefined) w.raw(e);
      else w.line(scores, labelNames.length * k++, lines.head(i));
    }
    expect(got.scores).toEqual(scores);
    expect(Buffer.isBuffer(got.jsonl)).toBe(true); // the bytes the job stores, not a decoded string
    expect(got.jsonl.toString('utf8')).toBe(w.bytes().toString('utf8'));
    expect(got.jsonl.toString('utf8').split('\n').length).toBe(901);
  }, 60_000);
});

describe('scoreLines as shared work (the pool threads and this one claim chunks from one counter)', () => {
  const p = { modelId: 'm', key: 'm#1', rule: { mode: 'multi-label', labels: ['a'] } } as unknown as TextPredictor;
  const lines = (n: number) => ({ count: n, head: (i: number) => `{"Line":${i},`, error: () => undefined });
  /** A pool thread that takes part in the claims: one chunk per turn of the event loop, scores = the document's number. */
  const claimingPool = (log: number[]) => async (q: TextPredictor, t: string[]) => {
    const c = q.chunks!;
    for (let k = claimChunk(c, POOL_MAX); k; k = claimChunk(c, POOL_MAX)) {
      await new Promise((r) => setImmediate(r));
      for (let i = k[0]; i < k[1]; i++) c.scores[i] = Number(t[i]!.slice(4));
      markDone(c, k[0], k[1]);
      log.push(k[1] - k[0]);
    }
    return new Float32Array(0);
  };

  it('writes every document once, in order, whoever scored it; the pool is sent the whole run once per thread', async () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `doc ${i}`), poolChunks: number[] = [];
    let calls = 0;
    const pool = claimingPool(poolChunks);
    const got = await scoreLines({ score: (q, t) => { calls++; expect(t.length).toBe(3000); return pool(q, t); }, local: (_q, t) => Float32Array.from(t, (x) => Number(x.slice(4))), threads: 2 }, p, texts, lines(3000), { throwIfAborted() {} });
    expect(calls).toBe(2);
    expect(Array.from(got.scores)).toEqual(texts.map((_, i) => i));
    expect(got.jsonl.toString('utf8').split('\n').slice(0, 2)).toEqual(['{"Line":0,"Labels":[{"Name":"a","Score":0}],"Predicted":[]}', '{"Line":1,"Labels":[{"Name":"a","Score":1}],"Predicted":["a"]}']);
    expect(poolChunks.length).toBeGreaterThan(0);
  });

  it('a cancellation stops the claims: the pool threads finish the chunk they hold and stop, and the batch rejects', async () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `doc ${i}`), poolChunks: number[] = [];
    let local = 0;
    const signal = { throwIfAborted() { if (local >= 2) throw new Error('cancelled'); } };
    await expect(scoreLines({ score: claimingPool(poolChunks), local: (_q, t) => { local++; return new Float32Array(t.length); }, threads: 1 }, p, texts, lines(3000), signal)).rejects.toThrow('cancelled');
    expect(poolChunks.reduce((a, b) => a + b, 0) + 2 * 125).toBeLessThan(3000);
  });
});
