/**
 * Data for the text-classification benchmark: reads the shared public data sets and writes them as
 * Comprehend two-column multi-label CSV (`l1|l2,"text"`, no header), the one format all three systems read.
 * - jigsaw-10k: wide Kaggle CSV (id, comment_text, 6 label columns; a row with none is `clean`), split 80/20 by our
 *   iterative stratification (`iterativeTrainTestSplit`, seed 42 — what the `text.train` job does when no test file
 *   is given), so every label is in both parts.
 * - GoEmotions: the official train → dev split (TSV: text, comma-separated label ids into emotions.txt, id).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { iterativeTrainTestSplit, mulberry32, permutation } from '../src/ml/index.ts';

export interface Doc {
  text: string;
  labels: string[];
}

export interface PreparedDataset {
  key: 'jigsaw' | 'goemotions';
  title: string;
  split: string;
  trainFile: string;
  testFile: string;
  nTrain: number;
  nTest: number;
  labels: string[];
  /** Test texts, for the endpoint load. */
  testTexts: string[];
}

export const SPLIT_SEED = 42;

/** One Comprehend CSV record: labels joined by `|`, the text always quoted (doubled quotes inside). */
export function comprehendRow(d: Doc): string {
  return `${d.labels.join('|')},"${d.text.replace(/"/g, '""')}"\n`;
}

export function writeComprehendCsv(path: string, docs: readonly Doc[]): void {
  writeFileSync(path, docs.map(comprehendRow).join(''));
}

export function readJigsaw(dataDir: string): Doc[] | null {
  const file = join(dataDir, 'jigsaw-toxic-balanced-10k', 'train_10k.csv.gz');
  if (!existsSync(file)) return null;
  const rows = parse(gunzipSync(readFileSync(file)).toString('utf8'), { relax_column_count: true }) as string[][];
  const header = rows[0]!;
  const labelCols = header.slice(2);
  const docs: Doc[] = [];
  for (const r of rows.slice(1)) {
    if (r.length !== header.length || r[1]!.trim() === '') continue;
    const labels = labelCols.filter((_, j) => r[2 + j] === '1');
    docs.push({ text: r[1]!, labels: labels.length ? labels : ['clean'] });
  }
  return docs;
}

export function readGoEmotions(dataDir: string, split: 'train' | 'dev'): Doc[] | null {
  const dir = join(dataDir, 'goemotions');
  const file = join(dir, `${split}.tsv.gz`);
  if (!existsSync(file)) return null;
  const names = readFileSync(join(dir, 'emotions.txt'), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  const docs: Doc[] = [];
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (!line) continue;
    const [text = '', ids = ''] = line.split('\t');
    if (text.trim() === '') continue;
    docs.push({ text, labels: ids.split(',').map((i) => names[Number(i)]!) });
  }
  return docs;
}

export function labelIndices(docs: readonly Doc[]): { names: string[]; indices: number[][] } {
  const names = [...new Set(docs.flatMap((d) => d.labels))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  return { names, indices: docs.map((d) => d.labels.map((l) => index.get(l)!)) };
}

/**
 * Smoke subset: `n` rows in a seeded order, taking first (for each label, rarest first) rows until the label has
 * `perLabel` documents, so the tiny set still passes Comprehend's "≥ 10 documents per label" rule after the split.
 */
export function smokeSubset(docs: readonly Doc[], n: number, perLabel = 16): Doc[] {
  const order = permutation(docs.length, mulberry32(7));
  const taken = new Set<number>();
  const counts = new Map<string, number>();
  for (const d of docs) for (const l of d.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const have = new Map<string, number>();
  for (const [label] of [...counts].sort((a, b) => a[1] - b[1])) {
    for (const i of order) {
      if ((have.get(label) ?? 0) >= perLabel || taken.size >= n) break;
      if (taken.has(i) || !docs[i]!.labels.includes(label)) continue;
      taken.add(i);
      for (const l of docs[i]!.labels) have.set(l, (have.get(l) ?? 0) + 1);
    }
  }
  for (const i of order) {
    if (taken.size >= n) break;
    taken.add(i);
  }
  return [...taken].sort((a, b) => a - b).map((i) => docs[i]!);
}

/** A bench script run alone: `which` (jigsaw | goemotions) prepared from ../shared/data into a fresh temp dir. */
export async function preparedDataset(which: string, tmpPrefix: string): Promise<PreparedDataset> {
  const [{ mkdtempSync }, { tmpdir }, { REPO_ROOT }] = await Promise.all([import('node:fs'), import('node:os'), import('./text.peers.ts')]);
  const { datasets } = prepareDatasets(join(REPO_ROOT, '..', 'shared', 'data'), mkdtempSync(join(tmpdir(), tmpPrefix)), false);
  const ds = datasets.find((d) => d.key === which);
  if (!ds) throw new Error(`no data set ${which}`);
  return ds;
}

/** Writes the split files of both data sets into `dir`; a data set whose files are absent is left out. */
export function prepareDatasets(dataDir: string, dir: string, smoke: boolean): { datasets: PreparedDataset[]; skipped: string[] } {
  const datasets: PreparedDataset[] = [];
  const skipped: string[] = [];
  const jigsawAll = readJigsaw(dataDir);
  if (!jigsawAll) skipped.push(`jigsaw-10k (no ${join(dataDir, 'jigsaw-toxic-balanced-10k', 'train_10k.csv.gz')})`);
  else {
    const docs = smoke ? smokeSubset(jigsawAll, 400) : jigsawAll;
    const { names, indices } = labelIndices(docs);
    const split = iterativeTrainTestSplit(indices, { testSize: 0.2, seed: SPLIT_SEED });
    const train = Array.from(split.train, (i) => docs[i]!);
    const test = Array.from(split.test, (i) => docs[i]!);
    const trainFile = join(dir, 'jigsaw-train.csv');
    const testFile = join(dir, 'jigsaw-test.csv');
    writeComprehendCsv(trainFile, train);
    writeComprehendCsv(testFile, test);
    datasets.push({
      key: 'jigsaw', title: smoke ? 'jigsaw-10k (smoke: 400 rows)' : 'jigsaw-10k',
      split: `80/20 iterative stratification (src/ml/split, seed ${SPLIT_SEED}) of ${docs.length.toLocaleString('en-US')} rows`,
      trainFile, testFile, nTrain: train.length, nTest: test.length, labels: names, testTexts: test.map((d) => d.text),
    });
  }
  if (!smoke) {
    const tr = readGoEmotions(dataDir, 'train');
    const dev = readGoEmotions(dataDir, 'dev');
    if (!tr || !dev) skipped.push(`GoEmotions (no ${join(dataDir, 'goemotions')}/{train,dev}.tsv.gz)`);
    else {
      const trainFile = join(dir, 'goemotions-train.csv');
      const testFile = join(dir, 'goemotions-dev.csv');
      writeComprehendCsv(trainFile, tr);
      writeComprehendCsv(testFile, dev);
      datasets.push({
        key: 'goemotions', title: 'GoEmotions', split: 'official train → dev',
        trainFile, testFile, nTrain: tr.length, nTest: dev.length, labels: labelIndices(tr).names, testTexts: dev.map((d) => d.text),
      });
    }
  }
  return { datasets, skipped };
}
