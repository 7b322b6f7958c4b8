import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TextClassifierModel, trainTextClassifier } from '../../ml/index.ts';
import type { JobContext } from '../../jobs/types.ts';
import { labelSet, toArrays } from './data.ts';
import { parseLabeledText } from './formats.ts';
import { runBatchJob, scoreInOrder, scoreLines, type BatchScoring } from './batch.ts';
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

/** The lines the job must write, built the plain way: a result object per document (predictor.ts), JSON.stringify'd. */
function objectLines(p: TextPredictor, input: string): string {
  const lines = input.split('\n').map((text, i) => {
    const head = { File: 'in.txt', Line: String(i) };
    if (text.trim() === '') return JSON.stringify({ ...head, ErrorCode: 'EMPTY_DOCUMENT', ErrorMessage: 'the document is empty' });
    const r = classifyTexts(p, [text])[0]!;
    const key = p.rule.mode === 'multi-class' ? 'Classes' : 'Labels';
    return JSON.stringify({ ...head, [key]: r[key], Predicted: r.Predicted });
  });
  return `${lines.join('\n')}\n`;
}

describe('text.batch job', () => {
  it('writes, with and without this thread scoring too, the lines of one result object per document, error lines included', async () => {
    for (const mode of ['multi-label', 'multi-class'] as const) {
      const labels = mode === 'multi-label' ? arrays.labelIndices : arrays.labelIndices.map((ls) => [ls.length ? 1 : 0]);
      const names = mode === 'multi-label' ? labelNames : ['clean', 'flagged'];
      const model = TextClassifierModel.deserialize(trainTextClassifier({ texts: arrays.texts, labels, labelNames: names, mode, options: { maxEpochs: 1 } }).serialize());
      const p: TextPredictor = { modelId: 'm', key: 'm#1', rule: { mode, labels: names }, classifier: model, bytes: new SharedArrayBuffer(0) };
      // 702 documents (several chunks), an empty line (an error line) and a non-ASCII one
      const input = [...docs.slice(400, 1000).map((d) => d.text.replace(/[\r\n\u2028]+/g, ' ')), '', 'ünïcödé 😀 text', ...docs.slice(0, 100).map((d) => d.text.replace(/[\r\n\u2028]+/g, ' '))].join('\n');
      const raw = (q: TextPredictor, t: string[]) => scorerOf(q.classifier).score(t);
      const shared = await run({ threads: 1, scoreRaw: async (q, t) => raw(q, t), localRaw: raw }, p, input);
      const pooledOnly = await run({ threads: 1, scoreRaw: async (q, t) => raw(q, t) }, p, input);
      expect(shared.errors).toBe(1);
      expect(shared.jsonl.split('\n').length).toBe(703);
      const expected = objectLines(p, input);
      expect(expected).toContain('"ErrorCode"');
      expect(shared.jsonl).toBe(expected);
      expect(pooledOnly.jsonl).toBe(expected);
    }
  }, 60_000);
});

describe('scoreInOrder (no pool: scored inline, chunk by chunk)', () => {
  it('emits every document once, in input order, and stops between chunks when cancelled', async () => {
    const texts = Array.from({ length: 1996 }, (_, i) => `doc ${i}`), seen: number[] = [];
    await scoreInOrder({ score: async (_p, t) => t }, { modelId: 'm' } as TextPredictor, texts, { throwIfAborted() {} }, async (start, part) => {
      expect(start).toBe(seen.length);
      for (const t of part) seen.push(Number(t.slice(4)));
    });
    expect(seen).toEqual(texts.map((_, i) => i));
    let scored = 0;
    const signal = { throwIfAborted() { if (scored >= 1000) throw new Error('cancelled'); } };
    await expect(scoreInOrder({ score: async (_p, t) => { scored += t.length; return t; } }, { modelId: 'm' } as TextPredictor, texts, signal, async () => {})).rejects.toThrow('cancelled');
    expect(scored).toBe(1000);
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
