/**
 * The `text.batch` job (Comprehend's StartDocumentClassificationJob): classify every document of the
 * input and write JSON Lines in input order — `{"File","Line","Classes"|"Labels"}` — plus
 * Comprehend's `output.tar.gz` wrapping. A bad document becomes a line with `ErrorCode`/`ErrorMessage`
 * instead of failing the job. Chunks of documents are scored on the scoring threads, `threads` chunks at a time
 * (all cores busy); lines are written in input order whatever order the chunks finish in.
 */
import type { JobContext } from '../../jobs/types.ts';
import { buildOutputTarGz, type ClassificationResult } from './comprehend.ts';
import type { TextDeps } from './deps.ts';
import { readBatchInput, type BatchDocument } from './batchInput.ts';
import { resultJson, type TextPredictor } from './predictor.ts';
import type { BatchJobPayload } from './schema.ts';
import { unzipTextFiles } from './unzip.ts';

export interface BatchResult {
  modelId: string;
  documents: number;
  errors: number;
  outputKey: string;
  outputTarKey: string;
}

/** How chunks are scored: `R` is a chunk's result (ClassificationResult[], or the raw scores, texts × labels). */
export interface ChunkScoring<R> {
  score(p: TextPredictor, texts: string[]): Promise<R>;
  threads: number;
  /** Scores on this thread too (the job's own thread is a core as well), in smaller chunks between the pool's. */
  local?(p: TextPredictor, texts: string[]): R;
}

export interface BatchScoring extends ChunkScoring<ClassificationResult[]> {
  predictor(modelId: string): Promise<TextPredictor>;
  /**
   * Optional raw path: probabilities (texts × labels) from the pool, and on this thread. With them the job writes
   * its lines straight from the scores (resultJson: the same bytes, no result objects).
   */
  scoreRaw?(p: TextPredictor, texts: string[]): Promise<Float32Array>;
  localRaw?(p: TextPredictor, texts: string[]): Float32Array;
}

const CHUNK = 500;
const LOCAL_CHUNK = 125;

/**
 * Scores `texts` in chunks — threads + 1 chunks queued on the pool (a thread never waits for the next one), and with
 * `local`, a smaller chunk on this thread while they run — and calls `emit` with each chunk's results in input order.
 */
export async function scoreInOrder<R>(s: ChunkScoring<R>, p: TextPredictor, texts: string[], signal: { throwIfAborted(): void }, emit: (start: number, results: R) => Promise<void>): Promise<void> {
  interface Chunk { start: number; pooled: boolean; done: boolean; results: Promise<R> }
  const inFlight: Chunk[] = [];
  let next = 0, pooled = 0;
  for (;;) {
    while (next < texts.length && pooled < Math.max(1, s.threads) + 1) {
      signal.throwIfAborted();
      const c: Chunk = { start: next, pooled: true, done: false, results: s.score(p, texts.slice(next, next + CHUNK)) };
      c.results.then(() => (c.done = true), () => (c.done = true));
      inFlight.push(c);
      pooled++;
      next += CHUNK;
    }
    const head = inFlight[0];
    if (!head) return;
    if (!head.done && s.local && next < texts.length) {
      // while the threads work: a small chunk here, then a turn of the event loop for their answers
      signal.throwIfAborted();
      inFlight.push({ start: next, pooled: false, done: true, results: Promise.resolve(s.local(p, texts.slice(next, next + LOCAL_CHUNK))) });
      next += LOCAL_CHUNK;
      await new Promise((r) => setImmediate(r));
      continue;
    }
    inFlight.shift();
    if (head.pooled) pooled--;
    try {
      await emit(head.start, await head.results);
    } catch (err) {
      await Promise.allSettled(inFlight.map((f) => f.results)); // no chunk left running unobserved
      throw err;
    }
  }
}

export async function runBatchJob(deps: TextDeps & BatchScoring, ctx: JobContext<BatchJobPayload>): Promise<BatchResult> {
  const p = ctx.job.payload;
  await ctx.progress(0.01, 'reading input');
  const body = await deps.artifacts.get(p.inputKey);
  const docs: BatchDocument[] = await readBatchInput(p.inputFormat, p.inputFileName, body, { column: p.column, unzip: unzipTextFiles });
  const predictor = await deps.predictor(p.modelId);
  const key = predictor.rule.mode === 'multi-class' ? 'Classes' : 'Labels';
  const ok = docs.filter((d) => d.text !== undefined);
  const texts = ok.map((d) => d.text!);
  const progress = async (done: number) => ctx.progress(0.05 + (0.9 * done) / Math.max(1, ok.length), `${done} of ${ok.length} documents`);
  // one line per scored document, by its index among the scored ones
  let line: (i: number, head: Record<string, unknown>) => string;
  if (deps.scoreRaw) {
    const L = predictor.rule.labels.length, scores = new Float32Array(texts.length * L);
    await scoreInOrder({ score: deps.scoreRaw, threads: deps.threads, ...(deps.localRaw ? { local: deps.localRaw } : {}) }, predictor, texts, ctx.signal, async (start, part) => {
      scores.set(part, start * L);
      await progress(start + part.length / L);
    });
    line = (i, head) => resultJson(predictor.rule, scores, i * L, `${JSON.stringify(head).slice(0, -1)},`);
  } else {
    const results: ClassificationResult[] = new Array(ok.length);
    await scoreInOrder(deps, predictor, texts, ctx.signal, async (start, part) => {
      for (let i = 0; i < part.length; i++) results[start + i] = part[i]!;
      await progress(start + part.length);
    });
    line = (i, head) => JSON.stringify({ ...head, [key]: results[i]![key], Predicted: results[i]!.Predicted });
  }
  const lines: string[] = [];
  let errors = 0, k = 0;
  for (const d of docs) {
    const head = { File: d.file, ...(d.line !== undefined ? { Line: d.line } : {}) };
    if (d.error) {
      errors++;
      lines.push(JSON.stringify({ ...head, ErrorCode: d.error.code, ErrorMessage: d.error.message }));
    } else lines.push(line(k++, head));
  }
  const jsonl = lines.length ? `${lines.join('\n')}\n` : '';
  const outputKey = `${p.outputPrefix}predictions.jsonl`;
  const outputTarKey = `${p.outputPrefix}output.tar.gz`;
  await deps.artifacts.put(outputKey, jsonl);
  await deps.artifacts.put(outputTarKey, await buildOutputTarGz({ 'predictions.jsonl': jsonl }));
  await ctx.log(`classified ${docs.length - errors} documents, ${errors} errors`);
  await ctx.progress(1, 'done');
  return { modelId: p.modelId, documents: docs.length, errors, outputKey, outputTarKey };
}
