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
import type { ClassificationResult } from './comprehend.ts';
import type { TextDeps } from './deps.ts';
import { classifyTexts, loadTextPredictor, type TextPredictor } from './predictor.ts';
import { createMicroBatcher, type MicroBatcher } from './batcher.ts';
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

export function createTextService(deps: TextDeps) {
  const cache = createModelCache<TextPredictor>({
    load: async (id) => loadTextPredictor(await deps.models.getById(id), deps.artifacts),
  });
  /** One micro-batcher per served model: concurrent real-time requests share one predict call. */
  const batchers = new Map<string, MicroBatcher<ClassificationResult>>();

  async function requireTextModel(ref: string): Promise<ModelVersion> {
    return requireReadyModel(await deps.models.resolve(ref), TEXT_MODEL_KIND, 'a text classifier');
  }

  for (const job of textJobs(deps, { predictor: (id) => cache.get(id), requireTextModel })) deps.queue.register(job);

  /** Endpoint loading for the model-kind table (classify.ts `textClassifierKind`): the shared model cache. */
  const runtime: ModelKindRuntime = {
    async warm(model) {
      await cache.get(model.id);
    },
    async evict(model) {
      await cache.evict(model.id);
    },
  };

  return {
    runtime,
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
    async classify(model: ModelVersion, texts: string[]): Promise<ClassificationResult[]> {
      if (texts.length === 0) return [];
      let batcher = batchers.get(model.id);
      if (!batcher) {
        batcher = createMicroBatcher(async (all: string[]) => classifyTexts(await cache.get(model.id), all));
        batchers.set(model.id, batcher);
      }
      return batcher.run(texts);
    },
    /** The loaded model (shared cache) for jobs that score with it. */
    predictor: (modelId: string): Promise<TextPredictor> => cache.get(modelId),
    /** A ready text-classifier version by NAME, NAME:VERSION or id. */
    requireTextModel,
    /** Forgets a loaded model (e.g. after its thresholds change) so the next request reloads it. */
    async reload(modelId: string): Promise<void> {
      await cache.evict(modelId);
    },
    close: () => cache.clear(),
  };
}

export type TextService = ReturnType<typeof createTextService>;
export type { TrainResult };
