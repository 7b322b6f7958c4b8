/** Typed loader for images_reference.json (written by images_reference.py; test-only). */
import { readFileSync } from 'node:fs';

export interface SoftmaxCase { name: string; n: number; d: number; k: number; X: number[]; y: number[]; C: number; classWeight: 'balanced' | null; coef: number[]; intercept: number[]; proba: number[] }
export interface ImagesReference {
  sklearn: string;
  softmax: SoftmaxCase[];
  standardize: { n: number; d: number; X: number[]; mean: number[]; scale: number[]; transformedRow0: number[] };
  temperature: { n: number; k: number; logits: number[]; y: number[]; temperature: number; nllBefore: number; nllAfter: number; eceBefore: number; eceAfter: number };
  metrics: { k: number; truth: number[]; proba: number[]; pred: number[]; balancedAccuracy: number; macroF1: number; aucPerClass: number[]; aucMacro: number };
  neighbors: { n: number; d: number; X: number[]; query: number[]; top5: number[]; top5Similarity: number[]; k: number; quantile: number; trainDistances: number[]; threshold: number; queryDistance: number; queryPercentile: number };
}

export const imagesReference = JSON.parse(readFileSync(new URL('./images_reference.json', import.meta.url), 'utf8')) as ImagesReference;
