/**
 * Comprehend-compatible shapes: classification results (`Classes` for multi-class, `Labels` for
 * multi-label, each `[{Name, Score}]` sorted by score) and the training `output.tar.gz` holding
 * `confusion_matrix.json` in Comprehend's layout (rows = actual, columns = predicted; multi-label:
 * one [[TN, FP], [FN, TP]] per label) plus our full metrics.
 * Sagebrush adds one key, `Predicted`: the labels (or class) that pass the model's decision
 * thresholds, so tuned thresholds change the answer while the raw scores stay visible.
 */
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { TextMode } from './formats.ts';

export interface NameScore {
  Name: string;
  Score: number;
}

export interface ClassificationResult {
  Classes?: NameScore[];
  Labels?: NameScore[];
  /** multi-label: names passing their thresholds; multi-class: the chosen class, or null when abstaining. */
  Predicted: string[] | string | null;
}

export interface DecisionRule {
  mode: TextMode;
  labels: string[];
  /** multi-label per-label thresholds (default 0.5 each). */
  thresholds?: number[];
  /** multi-class: answer null when the top score is below this. */
  abstainBelow?: number;
  /** multi-class: per-class offsets added to the scores before picking the class (raw scores are still shown). */
  offsets?: number[];
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export function toResult(scores: Float32Array | number[], offset: number, rule: DecisionRule): ClassificationResult {
  const n = rule.labels.length;
  const entries: NameScore[] = [];
  for (let j = 0; j < n; j++) entries.push({ Name: rule.labels[j]!, Score: round(scores[offset + j]!) });
  entries.sort((a, b) => b.Score - a.Score);
  if (rule.mode === 'multi-class') {
    let best = 0;
    const off = rule.offsets;
    for (let j = 1; j < n; j++) if (scores[offset + j]! + (off?.[j] ?? 0) > scores[offset + best]! + (off?.[best] ?? 0)) best = j;
    const abstain = rule.abstainBelow !== undefined && scores[offset + best]! < rule.abstainBelow;
    return { Classes: entries, Predicted: abstain ? null : rule.labels[best]! };
  }
  const predicted: string[] = [];
  for (let j = 0; j < n; j++) if (scores[offset + j]! >= (rule.thresholds?.[j] ?? 0.5)) predicted.push(rule.labels[j]!);
  return { Labels: entries, Predicted: predicted };
}

export interface ComprehendConfusionMatrix {
  type: 'multi_class' | 'multi_label';
  confusion_matrix: number[][] | number[][][];
  labels: string[];
  all_labels: string[];
}

export function comprehendConfusionMatrix(mode: TextMode, labels: string[], matrix: number[][] | number[][][]): ComprehendConfusionMatrix {
  return { type: mode === 'multi-class' ? 'multi_class' : 'multi_label', confusion_matrix: matrix, labels, all_labels: labels };
}

/** Builds `output.tar.gz` in memory from named JSON documents (small: metrics and matrices). */
export async function buildOutputTarGz(files: Record<string, unknown>): Promise<Buffer> {
  const tar = pack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.on('end', () => resolve());
    gzip.on('error', reject);
    tar.on('error', reject);
  });
  tar.pipe(gzip);
  const mtime = new Date();
  for (const [name, value] of Object.entries(files)) {
    const body = Buffer.from(typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`);
    tar.entry({ name, size: body.length, mtime, mode: 0o644 }, body);
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}
