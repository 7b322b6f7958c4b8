/**
 * Prediction with a trained image classifier: embed the test-time views (uncached; with the model's seeded augmented
 * copies when it was built with test-time augmentation), average, standardise,
 * softmax head with the fitted temperature (calibrated probabilities), the out-of-distribution flag from the
 * k-NN distance to the training images, and, on request, an explanation (nearest training images and an
 * occlusion saliency grid). A decision rule stored on the model (`meta.decision.abstainBelow`, per-label
 * `offsets`) applies: below the minimum confidence `predicted` is null and `decision.reason` says why.
 */
import { nearestNeighbors, oodScore } from '../../ml/neighbors.ts';
import { applyStandardizer } from '../../ml/preprocess/standardize.ts';
import type { ModelVersion } from '../models/service.ts';
import { decideClasses } from '../classifiers/evaluate.ts';
import type { Embedder } from './pixels/embedder.ts';
import { augmentedTensors } from './pixels/decode.ts';
import { occlusionSaliency } from './pixels/saliency.ts';
import { meanOf } from './fit.ts';
import type { StoredHead } from './store.ts';

export interface ImagePredictor {
  modelId: string;
  head: StoredHead;
  coef: Float64Array;
  intercept: Float64Array;
  standardizer: { mean: Float64Array; scale: Float64Array };
  embeddings: Float32Array;
  decision: { abstainBelow?: number; offsets?: number[] } | null;
}

export interface ImagePrediction {
  predicted: string | null;
  probabilities: Array<{ label: string; score: number }>;
  outOfDistribution: { flag: boolean; distance: number; threshold: number; percentile: number };
  explanation?: {
    neighbors: Array<{ index: number; path: string; label: string; similarity: number; thumbnailUrl: string }>;
    saliency: { grid: number; values: number[] };
  };
  decision?: { abstainBelow: number | null; offsets: Record<string, number> | null; reason: string | null };
}

export function toPredictor(model: ModelVersion, head: StoredHead, embeddings: Float32Array): ImagePredictor {
  const d = (model.meta.decision ?? null) as { abstainBelow?: number | null; offsets?: number[] | null } | null;
  const decision = d && (typeof d.abstainBelow === 'number' || Array.isArray(d.offsets)) ? { ...(typeof d.abstainBelow === 'number' ? { abstainBelow: d.abstainBelow } : {}), ...(Array.isArray(d.offsets) ? { offsets: d.offsets } : {}) } : null;
  return {
    modelId: model.id,
    head,
    coef: Float64Array.from(head.coef),
    intercept: Float64Array.from(head.intercept),
    standardizer: { mean: Float64Array.from(head.standardizer.mean), scale: Float64Array.from(head.standardizer.scale) },
    embeddings,
    decision,
  };
}

/** Calibrated probabilities of standardised feature rows (n × k). */
export function probabilities(p: ImagePredictor, Z: Float32Array, n: number): Float64Array {
  const k = p.head.labels.length;
  const d = p.head.nFeatures;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let z = p.intercept[c]!;
      for (let j = 0; j < d; j++) z += p.coef[c * d + j]! * Z[i * d + j]!;
      z /= p.head.temperature;
      out[i * k + c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += (out[i * k + c] = Math.exp(out[i * k + c]! - max));
    for (let c = 0; c < k; c++) out[i * k + c]! /= sum;
  }
  return out;
}

export function thumbnailUrl(head: StoredHead, index: number): string {
  return `/api/v1/images/datasets/${encodeURIComponent(head.dataset.id)}/versions/${head.dataset.version}/images/${index}/thumbnail`;
}

export async function predictImage(p: ImagePredictor, embedder: Embedder, bytes: Buffer, options: { explain?: boolean } = {}): Promise<ImagePrediction> {
  const { head } = p;
  const k = head.labels.length;
  const d = head.nFeatures;
  const views = await embedder.embedOne(bytes, head.views);
  // the same seeded copies the build averaged into its test rows (decode.ts augmentParams depends on seed and copy only)
  const copies = head.testAugment ? await embedder.embedTensors(await augmentedTensors(bytes, head.testAugment.copies, head.testAugment.seed)) : [];
  const Z = applyStandardizer(p.standardizer, meanOf([...views, ...copies], d), 1);
  const proba = probabilities(p, Z, 1);
  const nTrain = p.embeddings.length / d;
  const ood = oodScore(head.ood, Z, p.embeddings, nTrain, d);
  const order = [...head.labels.keys()].sort((a, b) => proba[b]! - proba[a]!);
  const out: ImagePrediction = {
    predicted: head.labels[order[0]!]!,
    probabilities: order.map((c) => ({ label: head.labels[c]!, score: Math.round(proba[c]! * 1e6) / 1e6 })),
    outOfDistribution: { flag: ood.outOfDistribution, distance: Math.round(ood.distance * 1e6) / 1e6, threshold: Math.round(ood.threshold * 1e6) / 1e6, percentile: Math.round(ood.percentile * 10) / 10 },
  };
  if (p.decision) {
    const chosen = decideClasses(proba, k, { abstainBelow: p.decision.abstainBelow ?? null, offsets: p.decision.offsets })[0]!;
    const top = proba[order[0]!]!;
    out.predicted = chosen >= 0 ? head.labels[chosen]! : null;
    out.decision = {
      abstainBelow: p.decision.abstainBelow ?? null,
      offsets: p.decision.offsets ? Object.fromEntries(head.labels.map((l, j) => [l, p.decision!.offsets![j] ?? 0])) : null,
      reason: chosen < 0 ? `the top probability ${top.toFixed(3)} (${head.labels[order[0]!]}) is below the minimum confidence ${p.decision.abstainBelow}; review this image by hand` : null,
    };
  }
  if (options.explain) {
    const neighbors = nearestNeighbors(Z, p.embeddings, nTrain, d, Math.min(5, nTrain)).map((nb) => {
      const t = head.train[nb.index]!;
      return { index: t.index, path: t.path, label: t.label, similarity: Math.round(nb.similarity * 1e4) / 1e4, thumbnailUrl: thumbnailUrl(head, t.index) };
    });
    const target = order[0]!;
    // Occlusion uses the centre view only (a saliency map of one picture, not of the averaged views).
    const saliency = await occlusionSaliency(bytes, async (tensors) => {
      const feats = await embedder.embedTensors(tensors);
      const X = new Float32Array(feats.length * d);
      feats.forEach((f, i) => X.set(f, i * d));
      const pr = probabilities(p, applyStandardizer(p.standardizer, X, feats.length), feats.length);
      return Float64Array.from(feats, (_, i) => pr[i * k + target]!);
    });
    out.explanation = { neighbors, saliency: { grid: saliency.grid, values: saliency.values.map((v) => Math.round(v * 1e4) / 1e4) } };
  }
  return out;
}
