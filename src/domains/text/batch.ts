/**
 * The `text.batch` job (Comprehend's StartDocumentClassificationJob): classify every document of the
 * input and write JSON Lines in input order — `{"File","Line","Classes"|"Labels"}` — plus
 * Comprehend's `output.tar.gz` wrapping. A bad document becomes a line with `ErrorCode`/`ErrorMessage`
 * instead of failing the job. The documents are scored on the scoring threads and on the job's own thread as shared
 * work (sharedChunks.ts); lines are written in input order, each run as soon as it is scored.
 */
import type { JobContext } from '../../jobs/types.ts';
import { buildOutputTarGz } from './comprehend.ts';
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

/** How chunks are scored: `R` is a chunk's result (the raw scores, texts × labels). */
export interface ChunkScoring<R> {
  score(p: TextPredictor, texts: string[]): Promise<R>;
  threads: number;
  /** Scores on this thread too (the job's own thread is a core as well): the documents become shared work. */
  local?(p: TextPredictor, texts: string[]): R;
  /** Documents per chunk of the in-order path (default CHUNK). */
  chunk?: number;
}

/** What the batch job scores with: probabilities (texts × labels) from the pool, and on this thread when it has one. */
export interface BatchScoring {
  predictor(modelId: string): Promise<TextPredictor>;
  /** Scoring threads (at least 1: with none, `scoreRaw` scores inline). */
  threads: number;
  scoreRaw(p: TextPredictor, texts: string[]): Promise<Float32Array>;
  /** Set when there is a pool: this thread claims chunks of the shared work too (scoreShared). */
  localRaw?(p: TextPredictor, texts: string[]): Float32Array;
}

const CHUNK = 500;
/** A model with a sentence-encoder block embeds every text (~50–60 ms each): smaller chunks keep progress and cancellation going. */
const ENCODER_CHUNK = 50;

/**
 * Without a pool (`score` runs inline) the documents are scored here in chunks of CHUNK, each emitted before the
 * next is scored: progress and cancellation get through between chunks.
 */
export async function scoreInOrder<R>(s: Pick<ChunkScoring<R>, 'score' | 'chunk'>, p: TextPredictor, texts: string[], signal: { throwIfAborted(): void }, emit: (start: number, results: R) => Promise<void>): Promise<void> {
  const chunk = s.chunk ?? CHUNK;
  for (let start = 0; start < texts.length; start += chunk) {
    signal.throwIfAborted();
    await emit(start, await s.score(p, texts.slice(start, start + chunk)));
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
  const ok = docs.filter((d) => d.text !== undefined);
  const texts = ok.map((d) => d.text!);
  const progress = async (done: number) => ctx.progress(0.05 + (0.9 * done) / Math.max(1, ok.length), `${done} of ${ok.length} documents`);
  const heads = docs.map((d) => ({ File: d.file, ...(d.line !== undefined ? { Line: d.line } : {}) }));
  const errorLine = (i: number) => JSON.stringify({ ...heads[i], ErrorCode: docs[i]!.error!.code, ErrorMessage: docs[i]!.error!.message });
  // the scores into one array, the lines written as bytes from them (resultLines.ts)
  const lines = { count: docs.length, head: (i: number) => `${JSON.stringify(heads[i]).slice(0, -1)},`, error: (i: number) => (docs[i]!.error ? errorLine(i) : undefined) };
  // a model with an encoder block is scored on the pool's threads only, in order (this thread's scorer is synchronous)
  const local = predictor.classifier.encoder ? { chunk: ENCODER_CHUNK } : deps.localRaw ? { local: deps.localRaw } : {};
  const { jsonl } = await scoreLines({ score: deps.scoreRaw, threads: deps.threads, ...local }, predictor, texts, lines, ctx.signal, progress);
  const errors = docs.length - ok.length;
  const outputKey = `${p.outputPrefix}predictions.jsonl`;
  const outputTarKey = `${p.outputPrefix}output.tar.gz`;
  await deps.artifacts.put(outputKey, jsonl);
  await deps.artifacts.put(outputTarKey, await buildOutputTarGz({ 'predictions.jsonl': jsonl.toString('utf8') }));
  await ctx.log(`classified ${docs.length - errors} documents, ${errors} errors`);
  await ctx.progress(1, 'done');
  return { modelId: p.modelId, documents: docs.length, errors, outputKey, outputTarKey };
}
