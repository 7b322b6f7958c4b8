/**
 * A loaded text classifier ready to serve: the model, its label names and its decision rule
 * (per-label thresholds or an abstain level stored with the model version).
 */
import { TextClassifierModel } from '../../ml/index.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { ModelVersion } from '../models/service.ts';
import { toResult, type ClassificationResult, type DecisionRule } from './comprehend.ts';

export interface TextPredictor {
  modelId: string;
  rule: DecisionRule;
  classifier: TextClassifierModel;
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

export async function loadTextPredictor(model: ModelVersion, artifacts: ArtifactStore): Promise<TextPredictor> {
  const key = model.artifacts['model.bin'];
  if (!key) throw new Error(`model ${model.name}:${model.version} has no model.bin artifact`);
  const classifier = TextClassifierModel.deserialize(await artifacts.get(key));
  return { modelId: model.id, rule: decisionRule(model, classifier), classifier };
}

/** Scores texts in chunks so a huge batch never builds one enormous feature matrix. */
export function classifyTexts(p: TextPredictor, texts: string[], chunk = 2048): ClassificationResult[] {
  const out: ClassificationResult[] = [];
  const n = p.rule.labels.length;
  for (let start = 0; start < texts.length; start += chunk) {
    const part = texts.slice(start, start + chunk);
    const scores = p.classifier.predict(part);
    for (let i = 0; i < part.length; i++) out.push(toResult(scores, i * n, p.rule));
  }
  return out;
}
