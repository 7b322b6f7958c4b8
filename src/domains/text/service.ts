/**
 * Text classification (Comprehend parity): training, evaluation and batch-analysis jobs, and the
 * real-time classification used by endpoints. Models are loaded once through a shared cache.
 */
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.ts';
import { parseWith } from '../../core/validate.ts';
import { newId } from '../../core/ids.ts';
import type { Job } from '../../jobs/types.ts';
import { createModelCache } from '../../runtimes/modelCache.ts';
import { requireReadyModel, type ModelVersion } from '../models/service.ts';
import type { ModelKindRuntime } from '../models/kinds.ts';
import { checkTrainingData, type TrainingCheck } from './check.ts';
import { toResult, type ClassificationResult, type DecisionRule } from './comprehend.ts';
import type { TextDeps } from './deps.ts';
import { loadTextPredictor, resultJson, scorerOf, type TextPredictor } from './predictor.ts';
import { scoreTexts } from '../../ml/text/fusedScorer.ts';
import { embedTexts, type EmbedOptions } from '../../ml/text/sentenceEncoder.ts';
import { embedShared } from './embedShared.ts';
import { createMicroBatcher, type CancelSignal, type MicroBatcher } from './batcher.ts';
import { createScoringPool, defaultScoringThreads, warmUpThisThread } from './scoringPool.ts';
import {
  evaluateRequestSchema,
  trainRequestSchema,
  trainingCheckRequestSchema,
  type BatchInputFormat,
  type BatchJobPayload,
  type EvaluateRequest,
  type TrainRequest,
  type TrainingCheckRequest,
} from './schema.ts';
import type { TrainResult } from './train.ts';
import { textJobs } from './jobs.ts';

export const TEXT_MODEL_KIND = 'text-classifier';

/** One real-time document's scores: its row (labels wide, from `offset`) of a batch's fresh score matrix. */
interface ScoredRow {
  rule: DecisionRule;
  scores: Float32Array;
  offset: number;
}

export function createTextService(deps: TextDeps) {
  const cache = createModelCache<TextPredictor>({
    load: async (id) => loadTextPredictor(await deps.models.getById(id), deps.artifacts),
  });
  const threads = deps.config?.scoringThreads ?? defaultScoringThreads();
  /** Scoring threads (none: score on the event loop). */
  const pool = threads > 0 ? createScoringPool(threads, (err) => deps.logger.warn({ err }, 'scoring thread pool error (outside any task)')) : undefined;
  /**
   * One micro-batcher per served model: concurrent real-time requests share one batch, one per thread at a time. It
   * yields each document's row of scores; the caller shapes it (an object, or JSON written straight from the scores).
   */
  const batchers = new Map<string, MicroBatcher<ScoredRow>>();
  /** Drops a model here; the threads replace it when a reloaded copy (a new key) reaches them. */
  async function forget(modelId: string): Promise<void> {
    batchers.delete(modelId);
    await cache.evict(modelId);
  }

  /** Scores real-time documents through the model's micro-batcher (one batch per scoring thread at a time). */
  async function scoreRows(model: ModelVersion, texts: string[], signal?: CancelSignal): Promise<ScoredRow[]> {
    if (texts.length === 0) return [];
    let batcher = batchers.get(model.id);
    if (!batcher) {
      batcher = createMicroBatcher(async (all: string[]) => {
        const p = await cache.get(model.id);
        const scores = pool ? await pool.score(p, all) : await scoreTexts(scorerOf(p.classifier), all);
        const n = p.rule.labels.length;
        return all.map((_, i): ScoredRow => ({ rule: p.rule, scores, offset: i * n }));
      }, { maxInFlight: Math.max(1, threads), maxQueued: deps.config?.scoringQueue ?? 4096 });
      batchers.set(model.id, batcher);
    }
    return batcher.run(texts, signal);
  }

  async function requireTextModel(ref: string): Promise<ModelVersion> {
    return requireReadyModel(await deps.models.resolve(ref), TEXT_MODEL_KIND, 'a text classifier');
  }

  const scoreRaw = async (p: TextPredictor, texts: string[]): Promise<Float32Array> => (pool ? pool.score(p, texts) : scoreTexts(scorerOf(p.classifier), texts));
  const localRaw = (p: TextPredictor, texts: string[]): Float32Array => scorerOf(p.classifier).score(texts);
  const jobModels = { predictor: (id: string) => cache.get(id), requireTextModel, threads: Math.max(1, threads), scoreRaw, ...(pool ? { localRaw } : {}) };
  for (const job of textJobs(deps, jobModels)) deps.queue.register(job);

  /** Endpoint loading for the model-kind table (classify.ts `textClassifierKind`): the shared model cache. */
  const runtime: ModelKindRuntime = {
    async warm(model) {
      const p = await cache.get(model.id);
      await pool?.warm(p);
    },
    async evict(model) {
      await forget(model.id);
    },
  };

  return {
    runtime,
    /**
     * Starts the scoring threads and warms their scorer and this thread's scorer and line writer (ScoringPool.start),
     * so the first batch job is scored by optimised code; the job thread calls it once it is ready (app/jobThread.ts).
     */
    async startScoring(): Promise<void> {
      if (pool) await pool.start();
      else warmUpThisThread();
    },
    async train(input: unknown): Promise<{ job: Job }> {
      const req = parseWith<TrainRequest>(trainRequestSchema, input);
      await deps.datasets.getVersion(req.dataset, req.datasetVersion ?? 'latest');
      if (req.testDataset) await deps.datasets.getVersion(req.testDataset, req.testDatasetVersion ?? 'latest');
      return { job: await deps.queue.enqueue('text.train', req) };
    },
    /** Applies training's data checks to a dataset version without training (a dry run; 200 with the problems). */
    async checkTraining(input: unknown): Promise<TrainingCheck> {
      return checkTrainingData(deps, parseWith<TrainingCheckRequest>(trainingCheckRequestSchema, input));
    },
    async evaluate(input: unknown): Promise<{ job: Job }> {
      const req = parseWith<EvaluateRequest>(evaluateRequestSchema, input);
      await requireTextModel(req.model);
      await deps.datasets.getVersion(req.dataset, req.datasetVersion ?? 'latest');
      return { job: await deps.queue.enqueue('text.evaluate', req) };
    },
    async startBatch(input: { model: string; fileName: string; stream: Readable; inputFormat: BatchInputFormat; column?: string }): Promise<{ job: Job }> {
      const model = await requireTextModel(input.model);
      const id = newId('bat');
      const safeName = input.fileName.replace(/[^\w.-]+/g, '_').slice(-100) || 'input';
      const inputKey = `batch/${id}/input/${safeName}`;
      await deps.artifacts.put(inputKey, input.stream);
      const info = await deps.artifacts.stat(inputKey);
      if (!info || info.size === 0) {
        await deps.artifacts.deletePrefix(`batch/${id}/`);
        throw new AppError('FILE_EMPTY', 'The batch input file is empty.', { problems: [{ field: 'file', problem: 'empty file', fix: 'Upload a file with one document per line, a zip of documents, or a CSV.' }] });
      }
      const payload: BatchJobPayload = { modelId: model.id, inputKey, inputFileName: input.fileName, inputFormat: input.inputFormat, column: input.column, outputPrefix: `batch/${id}/output/` };
      return { job: await deps.queue.enqueue('text.batch', payload) };
    },
    async batchOutput(jobId: string, format: 'jsonl' | 'tar.gz'): Promise<{ body: Buffer; fileName: string }> {
      const result = await deps.queue.result(jobId, 'text.batch');
      const key = format === 'jsonl' ? result.outputKey : result.outputTarKey;
      return { body: await deps.artifacts.get(key), fileName: format === 'jsonl' ? 'predictions.jsonl' : 'output.tar.gz' };
    },
    /** Real-time classification; `signal` (the client went away) takes a waiting request out of the queue. */
    async classify(model: ModelVersion, texts: string[], signal?: CancelSignal): Promise<ClassificationResult[]> {
      return (await scoreRows(model, texts, signal)).map((r) => toResult(r.scores, r.offset, r.rule));
    },
    /**
     * Real-time classification answered as JSON: each document's result as `JSON.stringify` of `classify`'s object
     * would give it, byte for byte, written straight from the scores (predictor.ts `resultJson`) — no result objects
     * and no serialisation on the event loop (issue 17).
     */
    async classifyJson(model: ModelVersion, texts: string[], signal?: CancelSignal): Promise<string[]> {
      return (await scoreRows(model, texts, signal)).map((r) => resultJson(r.rule, r.scores, r.offset, '{'));
    },
    /** The loaded model (shared cache) for jobs that score with it. */
    predictor: (modelId: string): Promise<TextPredictor> => cache.get(modelId),
    /** A ready text-classifier version by NAME, NAME:VERSION or id. */
    requireTextModel,
    /** Forgets a loaded model (e.g. after its thresholds change) so the next request reloads it. */
    async reload(modelId: string): Promise<void> {
      await forget(modelId);
    },
    /**
     * Sentence embeddings (texts × ENCODER_DIM) on this thread and every scoring thread (embedShared.ts); inline
     * without a pool. Every row lands in this thread's encoder cache too.
     */
    embed(texts: readonly string[], o: EmbedOptions = {}): Promise<Float32Array> {
      return pool ? embedShared(texts, [(t) => embedTexts(t), ...Array.from({ length: threads }, () => (t: string[]) => pool.embed(t))], o) : embedTexts(texts, o);
    },
    /** Scoring threads in use (0: inline). */
    scoringThreads: threads,
    /** Documents of a model's real-time requests waiting for a scorer. */
    queuedDocuments: (modelId: string): number => batchers.get(modelId)?.queued ?? 0,
    async close() {
      batchers.clear();
      await pool?.close();
      await cache.clear();
    },
  };
}

export type TextService = ReturnType<typeof createTextService>;
export type { TrainResult };
