/**
 * A loaded text classifier ready to serve: the model, its label names and its decision rule
 * (per-label thresholds or an abstain level stored with the model version), and the model file's bytes in a
 * SharedArrayBuffer that the scoring threads load from (shared memory: posting it to a thread copies nothing).
 */
import { TextClassifierModel } from '../../ml/index.ts';
import { FusedTextScorer } from '../../ml/text/fusedScorer.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import { readFileShared } from '../../storage/artifacts/readShared.ts';
import { isNotFound, notFound } from '../../storage/artifacts/keys.ts';
import type { ModelVersion } from '../models/service.ts';
import type { SharedChunks } from './sharedChunks.ts';
import { toResult, type ClassificationResult, type DecisionRule } from './comprehend.ts';

export interface TextPredictor {
  modelId: string;
  /** Changes whenever the model is loaded again (e.g. after its decision rule changed): threads reload on a new key. */
  key: string;
  rule: DecisionRule;
  classifier: TextClassifierModel;
  /** model.bin, shared with the scoring threads. */
  bytes: SharedArrayBuffer;
  /**
   * Set only on the copy a batch hands its scoring threads (batch.ts `scoreLines`): the batch's shared work, which a
   * thread given it claims and scores chunk by chunk (sharedChunks.ts) instead of scoring the texts it was sent.
   */
  chunks?: SharedChunks;
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
  // the store's local file (a remote store's cached download), read straight into shared memory
  const path = await artifacts.localPath(key);
  try {
    return await predictorFromFile(path, model.id, (classifier) => decisionRule(model, classifier));
  } catch (err) {
    // deleted between localPath and the read: the store's own error (as its get answers), not a path of this machine
    if (isNotFound(err)) throw notFound(key);
    throw err;
  }
}

/** A predictor from a model.bin file: read into shared memory (one copy, off the event loop; readShared.ts) and loaded as views into it. */
export async function predictorFromFile(path: string, modelId: string, rule: (classifier: TextClassifierModel) => DecisionRule): Promise<TextPredictor> {
  const bytes = await readFileShared(path);
  // views into the shared bytes (never written): the threads' models use the same memory
  const classifier = TextClassifierModel.deserialize(new Uint8Array(bytes), true);
  return { modelId, key: `${modelId}#${++loads}`, rule: rule(classifier), classifier, bytes };
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

/** Per rule: each label's `{"Name":…,"Score":` and its name as JSON (escaped once, not per document). */
const jsonParts = new WeakMap<DecisionRule, { entry: string[]; name: string[] }>();
/** SCORE_TEXT[k] = JSON of k / 10⁴ (a score rounded to 4 decimals, as toResult rounds): no number printing per label. */
let SCORE_TEXT: string[] | null = null;

/**
 * One result as JSON, byte for byte `JSON.stringify({ ...head, Labels|Classes, Predicted })` of `toResult` (same
 * rounding, same stable sort by rounded score, same decision), built from the scores with no per-label objects;
 * `head` is the line's leading members with their trailing comma, e.g. `{"File":"a.txt","Line":"3",`.
 */
export function resultJson(rule: DecisionRule, scores: Float32Array, offset: number, head: string): string {
  let parts = jsonParts.get(rule);
  if (!parts) {
    const name = rule.labels.map((l) => JSON.stringify(l));
    jsonParts.set(rule, (parts = { name, entry: name.map((q) => `{"Name":${q},"Score":`) }));
  }
  const { name: names, entry } = parts;
  const text = (SCORE_TEXT ??= Array.from({ length: 10001 }, (_, k) => String(k / 1e4)));
  const n = rule.labels.length, order = new Array<number>(n), rounded = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    // k / 10⁴ is toResult's rounded score; comparing k compares those
    rounded[j] = Math.round(scores[offset + j]! * 1e4);
    // insertion sort, descending, stable (Array.prototype.sort's order for ties)
    let k = j;
    while (k > 0 && rounded[order[k - 1]!]! < rounded[j]!) { order[k] = order[k - 1]!; k--; }
    order[k] = j;
  }
  let out = head + (rule.mode === 'multi-class' ? '"Classes":[' : '"Labels":[');
  for (let k = 0; k < n; k++) {
    const j = order[k]!, v = rounded[j]!;
    out += `${k ? ',' : ''}${entry[j]}${v >= 0 && v <= 10000 ? text[v] : Number.isFinite(v) ? String(v / 1e4) : 'null'}}`;
  }
  if (rule.mode === 'multi-class') {
    // toResult's decision: the best score after offsets; null below abstainBelow
    let best = 0;
    const off = rule.offsets;
    for (let j = 1; j < n; j++) if (scores[offset + j]! + (off?.[j] ?? 0) > scores[offset + best]! + (off?.[best] ?? 0)) best = j;
    const abstain = rule.abstainBelow !== undefined && scores[offset + best]! < rule.abstainBelow;
    return `${out}],"Predicted":${abstain ? 'null' : names[best]}}`;
  }
  out += '],"Predicted":[';
  let first = true;
  for (let j = 0; j < n; j++) {
    if (scores[offset + j]! >= (rule.thresholds?.[j] ?? 0.5)) { out += (first ? '' : ',') + names[j]; first = false; }
  }
  return `${out}]}`;
}
