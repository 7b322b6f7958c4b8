/**
 * Ablation of the text model options (issue 18), on the TRAIN part only: every variant is scored out of fold
 * (3 iterative-stratified folds of the train file, seed 0) and compared by mean ROC AUC and by macro F1 at the
 * best per-label threshold on those out-of-fold scores (optimistic for every variant alike: it ranks variants, it
 * is not a result). The test split is never read here, so the defaults these rows justify were not chosen on it.
 * Training uses the default 2 threads; 'train s per fold' is wall time, so it moves with the machine's load.
 */
import { readFileSync } from 'node:fs';
import { nanMean, perLabelRocAuc, trainTextClassifier, type TextClassifierOptions } from '../src/ml/index.ts';
import { kFoldAssignment, outOfFoldScores, tuneThresholds } from '../src/ml/diagnostics/index.ts';
import { labelSet, toArrays } from '../src/domains/text/data.ts';
import { parseLabeledText } from '../src/domains/text/formats.ts';

export interface AblationRow {
  name: string;
  options: Partial<TextClassifierOptions>;
  meanAuc: number;
  bestF1: number;
  trainSeconds: number;
}

const PLAIN: Partial<TextClassifierOptions> = { nbWords: false, stackFolds: 0, classWeight: 'none', blendWordChar: false };

export const VARIANTS: { name: string; options: Partial<TextClassifierOptions> }[] = [
  { name: '**default** `{}`: word+char LR only (all issue-18 options off; their cost breaks the ≤ ½ fastText training budget)', options: {} },
  { name: '+ balanced class weights', options: { ...PLAIN, classWeight: 'balanced' } },
  { name: 'NB words + combiner (3 folds) + balanced (the earlier opt-in set)', options: { ...PLAIN, nbWords: true, stackFolds: 3, classWeight: 'balanced' } },
  { name: 'word/char blend + NB words + combiner (2 folds), no class weights', options: { ...PLAIN, blendWordChar: true, nbWords: true, stackFolds: 2 } },
  { name: 'word/char blend + NB words + combiner (2 folds) + balanced (the best set within ~0.5× fastText\'s training time)', options: { ...PLAIN, blendWordChar: true, nbWords: true, stackFolds: 2, classWeight: 'balanced' } },
  { name: 'word/char blend + NB words + combiner (3 folds) + balanced (best OOF, 2× the fitting work)', options: { ...PLAIN, blendWordChar: true, nbWords: true, stackFolds: 3, classWeight: 'balanced' } },
];

export async function ablate(trainFile: string, log: (m: string) => void, variants = VARIANTS): Promise<AblationRow[]> {
  const docs = parseLabeledText(readFileSync(trainFile, 'utf8'), { mode: 'multi-label', format: 'comprehend-csv' }).docs;
  const labels = labelSet(docs), n = labels.length;
  const a = toArrays(docs, labels, 'multi-label');
  const k = 3, folds = kFoldAssignment(a.labelIndices, 'multi-label', k, 0);
  const rows: AblationRow[] = [];
  for (const v of variants) {
    log(`ablation: ${v.name}`);
    let seconds = 0;
    const oof = await outOfFoldScores({
      nRows: a.texts.length, nLabels: n, folds, k,
      fitPredict: (tr, te) => {
        const t = performance.now();
        const clf = trainTextClassifier({ texts: Array.from(tr, (i) => a.texts[i]!), labels: Array.from(tr, (i) => a.labelIndices[i]!), labelNames: labels, mode: 'multi-label', options: v.options });
        seconds += (performance.now() - t) / 1000;
        return clf.predict(Array.from(te, (i) => a.texts[i]!));
      },
    });
    const t = tuneThresholds(oof, a.truth, n, { kind: 'f-beta', beta: 1 });
    rows.push({
      name: v.name, options: v.options, meanAuc: nanMean(perLabelRocAuc(oof, a.truth, n)),
      bestF1: t.labels.reduce((s, l) => s + (l.choice?.f ?? 0), 0) / n, trainSeconds: seconds / k,
    });
  }
  return rows;
}

export function ablationMarkdown(title: string, rows: readonly AblationRow[]): string[] {
  const base = rows[0]!;
  const md = [
    `#### Ablation on ${title} (train part only, 3-fold out-of-fold)`,
    '',
    '| variant | options | OOF mean ROC AUC | Δ AUC | OOF macro F1 at best thresholds | Δ F1 | train s per fold |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const dA = r.meanAuc - base.meanAuc, dF = r.bestF1 - base.bestF1;
    md.push(`| ${r.name} | \`${JSON.stringify(r.options)}\` | ${r.meanAuc.toFixed(4)} | ${dA >= 0 ? '+' : '−'}${Math.abs(dA).toFixed(4)} | ${r.bestF1.toFixed(4)} | ${dF >= 0 ? '+' : '−'}${Math.abs(dF).toFixed(4)} | ${r.trainSeconds.toFixed(1)} |`);
  }
  md.push('');
  return md;
}
