/**
 * Image classification (SageMaker Canvas parity, C3): dataset summaries and thumbnails, quick/standard builds
 * as `images.train` jobs, model details, single-image prediction (also behind real-time endpoints), batch
 * prediction jobs (`images.batch` → CSV) and the one-file ONNX export. Trained heads are loaded once through
 * a shared cache; the backbone session is shared process-wide by the embedder.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from '../../core/logger.ts';
import { AppError, ERROR_CODES, type ErrorCode, type Problem } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Job, JobQueue } from '../../jobs/types.ts';
import { createModelCache } from '../../runtimes/modelCache.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { DatasetService } from '../datasets/service.ts';
import type { ModelKindRuntime } from '../models/kinds.ts';
import { requireReadyModel, type ModelService, type ModelVersion } from '../models/service.ts';
import { parseWith } from '../../core/validate.ts';
import { resolveBackbonePath } from './backbone.ts';
import { loadImageDataset, readImageBytes } from './data.ts';
import type { ImagesDeps } from './deps.ts';
import { createEmbedder, type Embedder } from './pixels/embedder.ts';
import { exportImageClassifier } from './pixels/exportOnnx.ts';
import { thumbnail as makeThumbnail } from './pixels/decode.ts';
import { predictImage, toPredictor, type ImagePrediction, type ImagePredictor } from './predict.ts';
import { batchRequestSchema, buildRequestSchema, IMAGE_MODEL_KIND, type BatchJobPayload, type BuildRequest, type ImageFeatureKind } from './schema.ts';
import { featuresOf, loadHead } from './store.ts';
import type { TrainResult } from './train.ts';
import { imageJobs } from './jobs.ts';
import { checkLabels } from './validate.ts';

export { IMAGE_MODEL_KIND };

export interface ImagesServiceDeps {
  logger: Logger;
  artifacts: ArtifactStore;
  queue: JobQueue;
  datasets: DatasetService;
  models: ModelService;
  /** Overrides (tests); default: SAGEBRUSH_IMAGE_BACKBONE or the shared data folder. */
  backbonePath?: string;
  /** onnxruntime threads for the backbone (default: min(2, cores)). */
  threads?: number;
}

type ColumnQuery = { labelColumn?: string; groupColumn?: string; minImagesPerLabel?: number };

export function createImagesService(base: ImagesServiceDeps) {
  const embedders = new Map<ImageFeatureKind, Embedder>();
  let backbone: string | undefined;
  const deps: ImagesDeps = {
    ...base,
    backbonePath: () => (backbone ??= base.backbonePath ?? resolveBackbonePath()),
    embedder: (features = 'logits') => {
      let e = embedders.get(features);
      if (!e) embedders.set(features, (e = createEmbedder({ artifacts: base.artifacts, backbonePath: deps.backbonePath(), threads: base.threads ?? Math.min(2, availableParallelism()), features })));
      return e;
    },
  };
  const cache = createModelCache<ImagePredictor>({
    load: async (id) => {
      const model = await base.models.getById(id);
      const { head, embeddings } = await loadHead(model, base.artifacts);
      return toPredictor(model, head, embeddings);
    },
  });

  async function requireImageModel(ref: string | { name: string; version: number }): Promise<ModelVersion> {
    const model = typeof ref === 'string' ? await base.models.resolve(ref) : await base.models.get(ref.name, ref.version);
    return requireReadyModel(model, IMAGE_MODEL_KIND, 'an image classifier');
  }

  for (const job of imageJobs(deps, (id) => cache.get(id))) base.queue.register(job);

  const runtime: ModelKindRuntime = {
    async warm(model) {
      await cache.get(model.id);
      deps.backbonePath();
    },
    async evict(model) {
      await cache.evict(model.id);
    },
  };

  /** A version whose build was cancelled while still queued (its job never ran) is marked cancelled when read; a lost job, failed. */
  async function reconcile(model: ModelVersion): Promise<ModelVersion> {
    const jobId = model.meta.jobId;
    if (model.status !== 'training' || typeof jobId !== 'string') return model;
    const job = await base.queue.get(jobId).catch(() => undefined);
    if (job && job.status !== 'cancelled' && job.status !== 'failed') return model;
    await (job?.status === 'cancelled' ? base.models.markCancelled(model.id) : base.models.markFailed(model.id));
    return base.models.getById(model.id);
  }

  async function jobOutcome(job: Job): Promise<never> {
    if (job.status === 'cancelled') throw new AppError('CONFLICT', `The build job ${job.id} was cancelled.`, { extra: { jobId: job.id } });
    const error = (job.error ?? { code: 'INTERNAL', message: 'The build failed' }) as { code: string; message: string; problems?: Problem[] };
    const code: ErrorCode = error.code in ERROR_CODES ? (error.code as ErrorCode) : 'INTERNAL';
    throw new AppError(code, error.message, { problems: error.problems, extra: { jobId: job.id } });
  }

  return {
    /** Endpoint loading for the model-kind table (kind.ts `imageClassifierKind`): the model cache. */
    runtime,
    requireImageModel,

    async summary(idOrName: string, version: number | 'latest', q: ColumnQuery) {
      const ds = await loadImageDataset(deps, { idOrName, version }, q);
      const check = checkLabels(ds.records, { minImagesPerLabel: q.minImagesPerLabel ?? 25, groupColumn: q.groupColumn, labelColumn: q.labelColumn });
      return {
        dataset: { id: ds.datasetId, name: ds.datasetName, version: ds.version },
        imageCount: ds.records.length,
        labels: check.labels,
        columns: ds.columns,
        problems: [...check.errors, ...check.warnings],
      };
    },

    async listImages(idOrName: string, version: number | 'latest', q: ColumnQuery & { label?: string; limit: number; cursor?: string }) {
      const ds = await loadImageDataset(deps, { idOrName, version }, q);
      const from = q.cursor ? Number(q.cursor) : 0;
      if (!Number.isInteger(from) || from < 0) throw new AppError('BAD_REQUEST', `Bad cursor "${q.cursor}"; use the nextCursor of the previous page.`);
      const matching = ds.records.filter((r) => r.index >= from && (q.label === undefined || q.label === '' || r.label === q.label));
      const page = matching.slice(0, q.limit);
      const next = matching[q.limit];
      return { items: page.map((r) => ({ index: r.index, path: r.path, label: r.label, group: r.group, bytes: r.bytes })), nextCursor: next ? String(next.index) : null };
    },

    async thumbnail(idOrName: string, version: number | 'latest', index: number): Promise<Buffer> {
      const ds = await loadImageDataset(deps, { idOrName, version });
      const record = ds.records[index];
      if (!record) throw new AppError('NOT_FOUND', `Dataset "${idOrName}" v${ds.version} has no image ${index} (it has ${ds.records.length}).`);
      const key = `datasets/${ds.datasetId}/v${ds.version}/_meta/thumbnails/${index}.webp`;
      if (await base.artifacts.exists(key)) return base.artifacts.get(key);
      const bytes = (await readImageBytes(deps, ds, [record.path])).get(record.path);
      if (!bytes) throw new AppError('NOT_FOUND', `Image ${record.path} is missing from the archive.`);
      const thumb = await makeThumbnail(bytes, 128, record.path);
      await base.artifacts.put(key, thumb, { contentType: 'image/webp' });
      return thumb;
    },

    /** Creates the model version (status training) and enqueues its build. */
    async build(input: unknown): Promise<{ job: Job; model: { id: string; name: string; version: number } }> {
      const req = parseWith<BuildRequest>(buildRequestSchema, input);
      const ds = await loadImageDataset(deps, req.dataset, { labelColumn: req.labelColumn, groupColumn: req.groupColumn });
      deps.backbonePath();
      const model = await base.models.create({
        name: req.name,
        kind: IMAGE_MODEL_KIND,
        datasetVersionId: ds.versionId,
        params: { build: req.build, features: req.features, dataset: { ref: req.dataset, id: ds.datasetId, name: ds.datasetName, version: ds.version }, labelColumn: req.labelColumn ?? null, groupColumn: req.groupColumn ?? null, testFraction: req.testFraction, folds: req.folds, seed: req.seed, minImagesPerLabel: req.minImagesPerLabel },
      });
      try {
        const job = await base.queue.enqueue('images.train', { ...req, dataset: `${ds.datasetId}:${ds.version}`, modelId: model.id });
        await base.models.update(model.id, { meta: { jobId: job.id } });
        return { job, model: { id: model.id, name: model.name, version: model.version } };
      } catch (err) {
        await base.models.markFailed(model.id);
        throw err;
      }
    },

    /** Waits for a build; returns the ready model version or throws the job's error. */
    async waitForBuild(jobId: string, options: { signal?: AbortSignal } = {}): Promise<{ model: ModelVersion; result: TrainResult }> {
      const job = await base.queue.wait(jobId, options);
      if (job.status !== 'succeeded') return jobOutcome(job);
      const result = await base.queue.result(jobId, 'images.train');
      return { model: await base.models.getById(result.model.id), result };
    },

    async listModels(q: { limit?: number; cursor?: string; name?: string }) {
      const page = await base.models.list({ ...q, kind: IMAGE_MODEL_KIND });
      return { ...page, items: await Promise.all(page.items.map(reconcile)) };
    },

    async getModel(name: string, version: number) {
      const model = await reconcile(await base.models.get(name, version));
      if (model.kind !== IMAGE_MODEL_KIND) throw new AppError('MODEL_NOT_FOUND', `Model ${name}:${version} is a ${model.kind}, not an image classifier.`);
      const read = async (artifact: string) => {
        const key = model.artifacts[artifact];
        return key ? (JSON.parse((await base.artifacts.get(key)).toString('utf8')) as Record<string, unknown>) : null;
      };
      return { model, metrics: model.status === 'ready' ? ((await read('metrics.json')) ?? model.metrics) : null, report: await read('report.json') };
    },

    async predictWithModel(model: ModelVersion, bytes: Buffer, options: { explain?: boolean } = {}): Promise<ImagePrediction> {
      if (bytes.length === 0) throw new AppError('IMAGE_UNREADABLE', 'The image is empty (0 bytes).', { problems: [{ field: 'file', problem: 'empty', fix: 'Send a JPEG, PNG or WebP image.' }] });
      const predictor = await cache.get(model.id);
      return predictImage(predictor, deps.embedder(featuresOf(predictor.head)), bytes, options);
    },

    async predict(name: string, version: number, bytes: Buffer, options: { explain?: boolean } = {}): Promise<ImagePrediction> {
      const model = await requireImageModel({ name, version });
      if (bytes.length === 0) throw new AppError('IMAGE_UNREADABLE', 'The image is empty (0 bytes).', { problems: [{ field: 'file', problem: 'empty', fix: 'Send a JPEG, PNG or WebP image.' }] });
      const predictor = await cache.get(model.id);
      return predictImage(predictor, deps.embedder(featuresOf(predictor.head)), bytes, options);
    },

    async startBatch(name: string, version: number, input: unknown): Promise<{ job: Job }> {
      const body = parseWith(batchRequestSchema, input);
      const model = await requireImageModel({ name, version });
      const ds = await loadImageDataset(deps, body.dataset);
      const payload: BatchJobPayload = { modelId: model.id, dataset: `${ds.datasetId}:${ds.version}`, outputKey: `images/batch/${newId('bat')}/predictions.csv` };
      return { job: await base.queue.enqueue('images.batch', payload) };
    },

    async batchCsv(jobId: string): Promise<Buffer> {
      return base.artifacts.get((await base.queue.result(jobId, 'images.batch')).outputKey);
    },

    async exportOnnx(name: string, version: number): Promise<{ body: Buffer; fileName: string }> {
      const model = await requireImageModel({ name, version });
      const fileName = `${model.name}-v${model.version}.onnx`;
      const key = `models/${model.id}/model.onnx`;
      if (await base.artifacts.exists(key)) return { body: await base.artifacts.get(key), fileName };
      const { head } = await loadHead(model, base.artifacts);
      let bytes: Uint8Array;
      try {
        bytes = await exportImageClassifier(deps.backbonePath(), {
          labels: head.labels,
          coef: Float64Array.from(head.coef),
          intercept: Float64Array.from(head.intercept),
          nFeatures: head.nFeatures,
          standardizer: { mean: Float64Array.from(head.standardizer.mean), scale: Float64Array.from(head.standardizer.scale) },
          temperature: head.temperature,
          features: featuresOf(head),
        });
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new AppError('IMAGE_EXPORT_FAILED', `Exporting ${model.name}:${model.version} to ONNX failed: ${(err as Error).message}`, { cause: err });
      }
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      await base.artifacts.put(key, body, { contentType: 'application/octet-stream' });
      return { body, fileName };
    },

    /** Forgets a loaded model (e.g. after its decision rule changed) so the next request reloads it. */
    reload: (modelId: string) => cache.evict(modelId),
    close: () => cache.clear(),
  };
}

export type ImagesService = ReturnType<typeof createImagesService>;
