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
import type { TextPredictor } from './predictor.ts';
import { ResultLineWriter } from './resultLines.ts';
import { claimChunk, createSharedChunks, LOCAL_MAX, markDone, scoredUntil, stopClaims } from './sharedChunks.ts';
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
/**
 * Pool chunks in flight per thread: one running, two waiting in its port (scoringPool's concurrentTasksPerWorker).
 * A thread's next chunk is sent only when this thread turns its event loop, between its own chunks and writes; with
 * one chunk waiting, the pool thread ran dry every second chunk (measured on GoEmotions under a shared machine's
 * load: 40–70 ms of gaps in a 0.25 s batch; with two waiting, 27–48 ms).
 */
const IN_FLIGHT = 3;
const LOCAL_CHUNK = 125;
/** The smallest chunk (~5–10 ms of scoring): a task's hand-off to a thread costs well under a millisecond. */
const MIN_CHUNK = 32;

/**
 * Size of the next chunk when this thread scores too: a share of what is left (guided self-scheduling), at most
 * CHUNK (LOCAL_CHUNK on this thread), at least MIN_CHUNK. Chunks shrink as the batch ends, so every thread finishes
 * at about the same time: with fixed sizes the last pool chunk (250 documents of jigsaw-10k's 1,996) was still
 * running when this thread ran out of work, and it waited ~0.1 s, a third of the batch, for that one chunk.
 */
export function chunkSize(remaining: number, threads: number, local = false): number {
  const share = Math.ceil(remaining / ((Math.max(1, threads) + 1) * 4));
  return Math.max(MIN_CHUNK, Math.min(local ? LOCAL_CHUNK : CHUNK, share));
}

/**
 * Scores `texts` in chunks — IN_FLIGHT chunks per thread queued on the pool (a thread never waits for the next one), and with
 * `local`, a smaller chunk on this thread while they run — and calls `emit` with each chunk's results in input order.
 */
export async function scoreInOrder<R>(s: ChunkScoring<R> & Partial<Pick<BatchScoring, 'predictor'>>, p: TextPredictor, texts: string[], signal: { throwIfAborted(): void }, emit: (start: number, results: R) => Promise<void>): Promise<void> {
  interface Chunk { start: number; done: boolean; results: Promise<R> }
  const inFlight: Chunk[] = [];
  // pool chunks not finished yet: the pool is topped up as soon as one finishes (not when its results are emitted,
  // which waits for the chunks before it and for this thread's own chunk: the pool thread sat idle meanwhile)
  let next = 0, running = 0;
  const size = (local: boolean) => (s.local ? chunkSize(texts.length - next, s.threads, local) : CHUNK);
  for (;;) {
    while (next < texts.length && running < Math.max(1, s.threads) * IN_FLIGHT) {
      signal.throwIfAborted();
      const n = size(false);
      const c: Chunk = { start: next, done: false, results: s.score(p, texts.slice(next, next + n)) };
      const finished = () => { c.done = true; running--; };
      c.results.then(finished, finished);
      inFlight.push(c);
      running++;
      next += n;
    }
    const head = inFlight[0];
    if (!head) return;
    if (!head.done && s.local && next < texts.length) {
      // while the threads work: a small chunk here, then a turn of the event loop for their answers
      signal.throwIfAborted();
      const n = size(true);
      inFlight.push({ start: next, done: true, results: Promise.resolve(s.local(p, texts.slice(next, next + n))) });
      next += n;
      await new Promise((r) => setImmediate(r));
      continue;
    }
    inFlight.shift();
    try {
      await emit(head.start, await head.results);
    } catch (err) {
      await Promise.allSettled(inFlight.map((f) => f.results)); // no chunk left running unobserved
      throw err;
    }
  }
}

/** The documents of a batch's output, in input order: those with text (scored, in order) and those with an error line. */
export interface OutputLines {
  count: number;
  /** Document i's leading members with their comma, e.g. `{"File":"a.txt","Line":3,`. */
  head(i: number): string;
  /** Document i's whole error line, or undefined when it has text to score. */
  error(i: number): string | undefined;
}

/**
 * The raw path's loop: `texts` (the documents without an error, in order) scored in chunks into one score array,
 * and each chunk's JSON lines written as soon as it is in, in input order (error lines in their place), while the
 * threads score later chunks — writing (~0.03 s for jigsaw-10k's 1,996 lines, more with 28 labels) then shares the
 * batch's time with them instead of following it. The lines come back as their UTF-8 bytes (what the job stores):
 * decoding GoEmotions' 5.6 MB into a string only to encode it again for the file cost ~5 ms after the last chunk.
 * With `local` (this thread scores too) the documents are shared work (sharedChunks.ts): every thread claims its
 * own chunks, so no pool thread waits for this one to send it the next.
 */
export async function scoreLines(s: ChunkScoring<Float32Array>, p: TextPredictor, texts: string[], lines: OutputLines, signal: { throwIfAborted(): void }, progress?: (done: number) => Promise<void>): Promise<{ scores: Float32Array; jsonl: Buffer }> {
  const L = p.rule.labels.length, scores = new Float32Array(texts.length * L), w = new ResultLineWriter(p.rule, lines.count);
  let doc = 0, written = 0;
  /** Writes the lines of documents up to the `scored`-th one with text, and the error lines before the next. */
  const writeUntil = (scored: number) => {
    for (; doc < lines.count; doc++) {
      const error = lines.error(doc);
      if (error !== undefined) w.raw(error);
      else if (written === scored) break;
      else w.line(scores, L * written++, lines.head(doc));
    }
  };
  if (s.local) {
    for (let from = 0; from < texts.length; from += ROUND) {
      const run = texts.slice(from, from + ROUND);
      await scoreShared(s, s.local, p, run, signal, async (done, runScores) => {
        scores.set(runScores.subarray(0, done * L), from * L);
        writeUntil(from + done);
        await progress?.(from + done);
      });
    }
  } else {
    await scoreInOrder(s, p, texts, signal, async (start, part) => {
      scores.set(part, start * L);
      writeUntil(start + part.length / L);
      await progress?.(start + part.length / L);
    });
  }
  writeUntil(texts.length);
  return { scores, jsonl: w.bytes() };
}

/**
 * Documents per run of shared work: each pool thread is sent a run's texts at once (a copy per thread), so a run is
 * bounded; a big batch is several runs, one after the other.
 */
const ROUND = 16384;

/**
 * Scores `texts` as shared work (sharedChunks.ts) of the pool's threads (one task each, with `p.chunks`) and this
 * one (`local`, chunks of at most LOCAL_MAX), and calls `emit(done, scores)` whenever the scored run from the first
 * document grew (`done` documents; `scores` the run's scores). A scorer that does not take part in the claims (its
 * answer is every document's scores) is fine too: its answer is used as it is.
 */
async function scoreShared(s: ChunkScoring<Float32Array>, local: (p: TextPredictor, texts: string[]) => Float32Array, p: TextPredictor, texts: string[], signal: { throwIfAborted(): void }, emit: (done: number, scores: Float32Array) => Promise<void>): Promise<void> {
  const L = p.rule.labels.length, n = texts.length, threads = Math.max(1, s.threads);
  const chunks = createSharedChunks(n, L, threads + 1), shared = { ...p, chunks };
  let failed: { err: unknown } | undefined;
  const pool = Promise.all(Array.from({ length: threads }, () => s.score(shared, texts).then((r) => {
    if (r.length === n * L && n > 0) { chunks.scores.set(r); markDone(chunks, 0, n); } // it scored everything itself
  }))).catch((err: unknown) => { failed ??= { err }; stopClaims(chunks); });
  let done = 0;
  try {
    for (let c = claimChunk(chunks, LOCAL_MAX); c && !failed; c = claimChunk(chunks, LOCAL_MAX)) {
      signal.throwIfAborted();
      const [start, end] = c;
      chunks.scores.set(local(p, texts.slice(start, end)), start * L);
      markDone(chunks, start, end);
      const now = scoredUntil(chunks, done);
      if (now > done) await emit((done = now), chunks.scores);
      // a turn of the event loop: a cancellation, the pool's answers and progress writes get through
      await new Promise((r) => setImmediate(r));
    }
  } catch (err) {
    failed ??= { err };
    stopClaims(chunks);
  }
  await pool;
  if (failed) throw failed.err;
  signal.throwIfAborted();
  const all = scoredUntil(chunks, done);
  if (all !== n) throw new Error(`text batch: ${n - all} documents were not scored`);
  if (all > done) await emit(all, chunks.scores);
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
  const heads = docs.map((d) => ({ File: d.file, ...(d.line !== undefined ? { Line: d.line } : {}) }));
  const errorLine = (i: number) => JSON.stringify({ ...heads[i], ErrorCode: docs[i]!.error!.code, ErrorMessage: docs[i]!.error!.message });
  let jsonl: string | Buffer;
  if (deps.scoreRaw) {
    // raw path: the scores into one array, the lines written as bytes from them (resultLines.ts: the same bytes)
    const lines = { count: docs.length, head: (i: number) => `${JSON.stringify(heads[i]).slice(0, -1)},`, error: (i: number) => (docs[i]!.error ? errorLine(i) : undefined) };
    jsonl = (await scoreLines({ score: deps.scoreRaw, threads: deps.threads, ...(deps.localRaw ? { local: deps.localRaw } : {}) }, predictor, texts, lines, ctx.signal, progress)).jsonl;
  } else {
    const results: ClassificationResult[] = new Array(ok.length);
    await scoreInOrder(deps, predictor, texts, ctx.signal, async (start, part) => {
      for (let i = 0; i < part.length; i++) results[start + i] = part[i]!;
      await progress(start + part.length);
    });
    const lines: string[] = [];
    for (let i = 0, k = 0; i < docs.length; i++) {
      if (docs[i]!.error) lines.push(errorLine(i));
      else lines.push(JSON.stringify({ ...heads[i], [key]: results[k]![key], Predicted: results[k++]!.Predicted }));
    }
    jsonl = lines.length ? `${lines.join('\n')}\n` : '';
  }
  const errors = docs.length - ok.length;
  const outputKey = `${p.outputPrefix}predictions.jsonl`;
  const outputTarKey = `${p.outputPrefix}output.tar.gz`;
  await deps.artifacts.put(outputKey, jsonl);
  await deps.artifacts.put(outputTarKey, await buildOutputTarGz({ 'predictions.jsonl': typeof jsonl === 'string' ? jsonl : jsonl.toString('utf8') }));
  await ctx.log(`classified ${docs.length - errors} documents, ${errors} errors`);
  await ctx.progress(1, 'done');
  return { modelId: p.modelId, documents: docs.length, errors, outputKey, outputTarKey };
}
