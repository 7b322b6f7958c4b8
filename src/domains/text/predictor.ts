/**
 * A loaded text classifier ready to serve: the model, its label names and its decision rule
 * (per-label thresholds or an abstain level stored with the model version), and the model file's bytes in a
 * SharedArrayBuffer that the scoring threads load from (shared memory: posting it to a thread copies nothing).
 */
import { TextClassifierModel } from '../../ml/index.ts';
import { FusedTextScorer } from '../../ml/text/fusedScorer.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { ModelVersion } from '../models/service.ts';
import { toResult, type ClassificationResult, type DecisionRule } from './comprehend.ts';

export interface TextPredictor {
  modelId: string;
  /** Changes whenever the model is loaded again (e.g. after its decision rule changed): threads reload on a new key. */
  key: string;
  rule: DecisionRule;
  classifier: TextClassifierModel;
  /** model.bin, shared with the scoring threads. */
  bytes: SharedArrayBuffer;
}

export function decisionRule(model: ModelVersion, classifier: TextClassifierModel): DecisionRule {
  const decision = (model.meta.decision ?? {}) as { thresholds?: number[] | null; abstainBelow?: number | null; offsets?: number[] | null };
  return {
    mode: classifier.mode,
    labels: [...classifier.labelNames],
    ...(decision.thresholds ? { thresholds: decision.thresholds } : {}),
    ...(decision.abstainBelow !== undefined && decision.abstainBelow !== null ? { abstainBelow: decision.abstainBelow } : {}),
    ...(decision.offsets ? { offsets: decision.offsets } : {}),
  };
}

let loads = 0;

export async function loadTextPredictor(model: ModelVersion, artifacts: ArtifactStore): Promise<TextPredictor> {
  const key = model.artifacts['model.bin'];
  if (!key) throw new Error(`model ${model.name}:${model.version} has no model.bin artifact`);
  const file = await artifacts.get(key);
  const bytes = new SharedArrayBuffer(file.byteLength);
  new Uint8Array(bytes).set(file);
  // views into the shared bytes (never written): the threads' models use the same memory
  const classifier = TextClassifierModel.deserialize(new Uint8Array(bytes), true);
  return { modelId: model.id, key: `${model.id}#${++loads}`, rule: decisionRule(model, classifier), classifier, bytes };
}

/** One fused scorer per loaded classifier on this thread (its scratch buffers are reused across calls). */
const scorers = new WeakMap<TextClassifierModel, FusedTextScorer>();

export function scorerOf(classifier: TextClassifierModel): FusedTextScorer {
  let s = scorers.get(classifier);
  if (!s) scorers.set(classifier, (s = new FusedTextScorer(classifier)));
  return s;
}

/** Comprehend-shaped results from scores (rows × labels). */
export function toResults(rule: DecisionRule, scores: Float32Array, count: number): ClassificationResult[] {
  const out: ClassificationResult[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = toResult(scores, i * rule.labels.length, rule);
  return out;
}

/** Scores texts on this thread with the fused path (no feature matrix is built, so any batch size is fine). */
export function classifyTexts(p: TextPredictor, texts: string[]): ClassificationResult[] {
  return toResults(p.rule, scorerOf(p.classifier).score(texts), texts.length);
}
