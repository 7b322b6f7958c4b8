/**
 * The detection service: training requests (a model version of kind `detector` + a `detection.train` job),
 * detectors by reference (id, name, name:version, name@alias; anything else is DETECTION_MODEL_NOT_FOUND), held-out
 * metrics, prediction with NMS (single and batch), images with boxes drawn, and the loaded-session cache that the
 * model-kind table warms and evicts for endpoints.
 */
import { AppError, ERROR_CODES, type ErrorCode, type Problem } from '../../core/errors.ts';
import type { Job } from '../../jobs/types.ts';
import { createModelCache } from '../../runtimes/modelCache.ts';
import type { ModelKindRuntime } from '../models/kinds.ts';
import type { ModelVersion } from '../models/service.ts';
import type { DetectionServiceDeps } from './deps.ts';
import { drawDetections, type DrawFormat } from './draw.ts';
import type { Detection } from './formats/types.ts';
import { detectionJobs, type DetectionTrainResult } from './jobs.ts';
import { DETECTOR_KIND, openDetector, type Detector } from './onnxDetector.ts';
import { decodeRgb } from './pixels.ts';
import { ONNX_ARTIFACT } from './store.ts';

export interface TrainRequest {
  name?: string;
  dataset: string;
  epochs?: number;
  seed?: number;
}

export interface DetectionOut extends Detection { class: string }
export interface PredictResult {
  model: { id: string; name: string; version: number };
  width: number;
  height: number;
  detections: DetectionOut[];
}
export interface PredictOptions { minScore?: number; name?: string }

const DEFAULT_MIN_SCORE = 0.25;
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export function createDetectionService(deps: DetectionServiceDeps) {
  const cache = createModelCache<Detector>({
    async load(id) {
      const model = await deps.models.getById(id);
      const key = model.artifacts[ONNX_ARTIFACT];
      if (!key) throw new AppError('DETECTION_MODEL_INVALID', `Model ${model.name}:${model.version} has no ${ONNX_ARTIFACT} artifact.`);
      return openDetector(await deps.artifacts.get(key), { threads: 1 });
    },
    dispose: (d) => d.dispose(),
    maxEntries: 4,
  });
  for (const job of detectionJobs(deps)) deps.queue.register(job);

  async function resolveDetector(ref: string): Promise<ModelVersion> {
    let model: ModelVersion;
    try {
      model = await deps.models.resolve(ref);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'MODEL_NOT_FOUND' || err.code === 'MODEL_ALIAS_NOT_FOUND' || err.code === 'BAD_REQUEST')) throw notFound(ref);
      throw err;
    }
    if (model.kind !== DETECTOR_KIND) throw notFound(ref, `it is a ${model.kind}`);
    if (model.status !== 'ready') throw new AppError('CONFLICT', `Detector ${model.name}:${model.version} is ${model.status}; wait for its training job to finish (or retrain it).`);
    return model;
  }

  function notFound(ref: string, why = 'no such model'): AppError {
    return new AppError('DETECTION_MODEL_NOT_FOUND', `No detector "${ref}" (${why}).`, {
      problems: [{ field: 'model', problem: why, fix: 'Use a detector id or NAME[:VERSION] from GET /api/v1/detection/models (CLI: sagebrush models list).' }],
    });
  }

  async function detect(model: ModelVersion, bytes: Buffer, options: PredictOptions) {
    const image = await decodeRgb(bytes, options.name ?? 'image');
    const detector = await cache.get(model.id);
    const found = await detector.detect(image, { minScore: options.minScore ?? DEFAULT_MIN_SCORE });
    return { image, detector, found };
  }

  const toOut = (d: Detection, classes: string[]): DetectionOut => ({
    class: classes[d.classId] ?? String(d.classId), classId: d.classId, score: round(d.score, 4),
    x1: round(d.x1), y1: round(d.y1), x2: round(d.x2), y2: round(d.y2),
  });

  async function predictWith(model: ModelVersion, bytes: Buffer, options: PredictOptions = {}): Promise<PredictResult> {
    const { image, detector, found } = await detect(model, bytes, options);
    return { model: { id: model.id, name: model.name, version: model.version }, width: image.width, height: image.height, detections: found.map((d) => toOut(d, detector.classes)) };
  }

  const runtime: ModelKindRuntime = {
    async warm(model) {
      await cache.get(model.id);
    },
    async evict(model) {
      await cache.evict(model.id);
    },
  };

  async function jobOutcome(job: Job): Promise<never> {
    if (job.status === 'cancelled') throw new AppError('CONFLICT', `The training job ${job.id} was cancelled.`, { extra: { jobId: job.id } });
    const error = (job.error ?? { code: 'INTERNAL', message: 'Training failed' }) as { code: string; message: string; problems?: Problem[] };
    const code: ErrorCode = error.code in ERROR_CODES ? (error.code as ErrorCode) : 'INTERNAL';
    throw new AppError(code, error.message, { problems: error.problems, extra: { jobId: job.id } });
  }

  return {
    runtime,
    resolveDetector,

    /** Creates the model version (status training) and enqueues its training job. */
    async train(req: TrainRequest): Promise<{ job: Job; model: { id: string; name: string; version: number } }> {
      const name = req.name ?? 'detector';
      const model = await deps.models.create({ name, kind: DETECTOR_KIND, params: { dataset: req.dataset, epochs: req.epochs ?? null, seed: req.seed ?? 42 } });
      try {
        const job = await deps.queue.enqueue('detection.train', { modelId: model.id, dataset: req.dataset, epochs: req.epochs, seed: req.seed });
        await deps.models.update(model.id, { meta: { jobId: job.id } });
        return { job, model: { id: model.id, name: model.name, version: model.version } };
      } catch (err) {
        await deps.models.markFailed(model.id);
        throw err;
      }
    },

    async waitForTraining(jobId: string, options: { signal?: AbortSignal } = {}): Promise<DetectionTrainResult> {
      const job = await deps.queue.wait(jobId, options);
      if (job.status !== 'succeeded') return jobOutcome(job);
      return deps.queue.result(jobId, 'detection.train');
    },

    async listModels(q: { limit?: number; cursor?: string } = {}) {
      return deps.models.list({ ...q, kind: DETECTOR_KIND });
    },

    async getModel(ref: string): Promise<ModelVersion> {
      return resolveDetector(ref);
    },

    async onnx(ref: string): Promise<{ model: ModelVersion; bytes: Buffer }> {
      const model = await resolveDetector(ref);
      return { model, bytes: await deps.artifacts.get(model.artifacts[ONNX_ARTIFACT]!) };
    },

    predictWith,

    async predict(ref: string, bytes: Buffer, options: PredictOptions = {}): Promise<PredictResult> {
      return predictWith(await resolveDetector(ref), bytes, options);
    },

    /** Each image on its own: a bad image is an error item, the others are still predicted. */
    async predictBatch(ref: string, files: ReadonlyArray<{ name: string; bytes: Buffer }>, options: PredictOptions = {}) {
      const model = await resolveDetector(ref);
      const items = [];
      for (const f of files) {
        try {
          const r = await predictWith(model, f.bytes, { ...options, name: f.name });
          items.push({ name: f.name, width: r.width, height: r.height, detections: r.detections });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          items.push({ name: f.name, error: { code: err.code, message: err.message } });
        }
      }
      return { model: { id: model.id, name: model.name, version: model.version }, items };
    },

    async draw(ref: string, bytes: Buffer, options: PredictOptions & { format?: DrawFormat } = {}): Promise<{ body: Buffer; contentType: string; detections: number }> {
      const model = await resolveDetector(ref);
      const { image, detector, found } = await detect(model, bytes, options);
      const format = options.format ?? 'png';
      return { body: await drawDetections(image, found, detector.classes, format), contentType: format === 'jpeg' ? 'image/jpeg' : 'image/png', detections: found.length };
    },

    async close(): Promise<void> {
      await cache.clear();
    },
  };
}

export type DetectionService = ReturnType<typeof createDetectionService>;
