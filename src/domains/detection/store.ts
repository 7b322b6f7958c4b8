/**
 * A trained detector on its model version: the ONNX file (the version's artifact `model.onnx`, with its sha256 in
 * meta so edge agents can check a download) and the held-out metrics (`metrics.json` and the version's metrics:
 * map50, map75, map50_95, per-class AP, the PR curve at IoU 0.5).
 */
import { createHash } from 'node:crypto';
import type { ModelVersion } from '../models/service.ts';
import type { DetectionServiceDeps } from './deps.ts';
import type { TrainedDetector } from './trainer.ts';

export const ONNX_ARTIFACT = 'model.onnx';

export async function saveDetector(deps: Pick<DetectionServiceDeps, 'artifacts' | 'models'>, modelId: string, t: TrainedDetector, source: Record<string, unknown>): Promise<ModelVersion> {
  const prefix = `models/${modelId}/`;
  const artifacts = { [ONNX_ARTIFACT]: `${prefix}${ONNX_ARTIFACT}`, 'metrics.json': `${prefix}metrics.json` };
  const bytes = Buffer.from(t.onnx.buffer, t.onnx.byteOffset, t.onnx.byteLength);
  await deps.artifacts.put(artifacts[ONNX_ARTIFACT], bytes, { contentType: 'application/octet-stream' });
  await deps.artifacts.put(artifacts['metrics.json'], JSON.stringify(t.metrics, null, 2), { contentType: 'application/json' });
  return deps.models.markReady(modelId, {
    metrics: { ...t.metrics, train_seconds: t.train_seconds, n_train: t.n_train, n_test: t.n_test },
    artifacts,
    meta: {
      classes: t.classes,
      onnxSha256: createHash('sha256').update(bytes).digest('hex'),
      onnxBytes: bytes.length,
      split: { seed: t.seed, testFraction: 0.2, n_train: t.n_train, n_test: t.n_test, testRefs: t.testRefs },
      epochs: t.epochs,
      source,
    },
  });
}
