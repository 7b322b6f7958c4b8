/**
 * Turns labeled documents into the arrays the ML layer trains on: a fixed, sorted label list and a
 * rows × labels 0/1 matrix (one-hot for multi-class).
 */
import type { LabeledDocument, TextMode } from './formats.ts';

export interface LabeledArrays {
  texts: string[];
  labelNames: string[];
  /** label indices per document */
  labelIndices: number[][];
  /** rows × labels, 0/1 */
  truth: Uint8Array;
}

export function labelSet(docs: LabeledDocument[]): string[] {
  return [...new Set(docs.flatMap((d) => d.labels))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function toArrays(docs: LabeledDocument[], labelNames: string[], mode: TextMode): LabeledArrays {
  const index = new Map(labelNames.map((l, i) => [l, i]));
  const n = labelNames.length;
  const truth = new Uint8Array(docs.length * n);
  const labelIndices = docs.map((d, i) => {
    const idx = [...new Set(d.labels)].map((l) => index.get(l)).filter((x): x is number => x !== undefined);
    const kept = mode === 'multi-class' ? idx.slice(0, 1) : idx;
    for (const j of kept) truth[i * n + j] = 1;
    return kept;
  });
  return { texts: docs.map((d) => d.text), labelNames, labelIndices, truth };
}
