/**
 * An image classifier's artifacts in the model registry: `head.json` (labels, softmax coef/intercept,
 * standardiser, temperature, test-time views, backbone id, OOD model, training images for neighbours),
 * `train-embeddings.f32` (standardised training features, little-endian float32, rows × nFeatures),
 * `metrics.json` and `report.json`. `model.onnx` is added on first export.
 */
import type { OodModel } from '../../ml/neighbors.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { ModelVersion } from '../models/service.ts';
import type { ImagesDeps } from './deps.ts';
import type { ViewName } from './pixels/decode.ts';
import type { ImageFeatureKind } from './schema.ts';

export interface StoredHead {
  format: 'sagebrush-image-head/1';
  labels: string[];
  nFeatures: number;
  /** labels × nFeatures, row-major. */
  coef: number[];
  intercept: number[];
  standardizer: { mean: number[]; scale: number[] };
  temperature: number;
  views: ViewName[];
  /** Seeded augmented copies averaged with the views at prediction (issue 18); absent: the views only. */
  testAugment?: { copies: number; seed: number };
  backboneId: string;
  /** The backbone layer(s) the head was trained on; absent on heads trained before issue 18 (= 'logits'). */
  features?: ImageFeatureKind;
  ood: OodModel;
  dataset: { id: string; name: string; version: number };
  /** Training images, in the row order of train-embeddings.f32 (`index` = position in the dataset's image index). */
  train: Array<{ index: number; path: string; label: string }>;
}

/** The layer a head predicts with: its recorded `features`, else the backboneId's suffix, else (older heads) logits. */
export function featuresOf(head: Pick<StoredHead, 'features' | 'backboneId'>): ImageFeatureKind {
  if (head.features) return head.features;
  if (head.backboneId.endsWith('-multilayer')) return 'multilayer';
  return head.backboneId.endsWith('-pooled') ? 'pooled' : 'logits';
}

export async function saveImageModel(
  deps: Pick<ImagesDeps, 'artifacts' | 'models'>,
  modelId: string,
  input: { head: StoredHead; embeddings: Float32Array; metrics: object; report: object },
): Promise<{ id: string; name: string; version: number }> {
  const prefix = `models/${modelId}/`;
  const artifacts = {
    'head.json': `${prefix}head.json`,
    'train-embeddings.f32': `${prefix}train-embeddings.f32`,
    'metrics.json': `${prefix}metrics.json`,
    'report.json': `${prefix}report.json`,
  };
  await deps.artifacts.put(artifacts['head.json'], JSON.stringify(input.head));
  await deps.artifacts.put(artifacts['train-embeddings.f32'], Buffer.from(input.embeddings.buffer, input.embeddings.byteOffset, input.embeddings.byteLength));
  await deps.artifacts.put(artifacts['metrics.json'], JSON.stringify(input.metrics, null, 2));
  await deps.artifacts.put(artifacts['report.json'], JSON.stringify(input.report, null, 2));
  const { per_fold: _pf, ...cv } = (input.metrics as { cv: Record<string, unknown> }).cv;
  const model = await deps.models.markReady(modelId, {
    metrics: { ...(input.metrics as Record<string, unknown>), cv },
    artifacts,
    meta: { labels: input.head.labels, features: featuresOf(input.head), warnings: (input.report as { warnings?: unknown }).warnings ?? [] },
  });
  return { id: model.id, name: model.name, version: model.version };
}

export async function loadHead(model: ModelVersion, artifacts: ArtifactStore): Promise<{ head: StoredHead; embeddings: Float32Array }> {
  const headKey = model.artifacts['head.json'];
  const embKey = model.artifacts['train-embeddings.f32'];
  if (!headKey || !embKey) throw new Error(`model ${model.name}:${model.version} has no head.json / train-embeddings.f32`);
  const head = JSON.parse((await artifacts.get(headKey)).toString('utf8')) as StoredHead;
  const raw = await artifacts.get(embKey);
  const embeddings = new Float32Array(raw.byteLength / 4);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = raw.readFloatLE(i * 4);
  return { head, embeddings };
}
