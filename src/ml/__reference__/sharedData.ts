/**
 * Test/bench-only loaders for the public data sets under /work/shared/data (see each PROVENANCE.md).
 * Not exported from src/ml: the library itself does no I/O. Returns null when the data is absent so callers can skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const SHARED_DATA = process.env.SAGEBRUSH_SHARED_DATA ?? '/work/shared/data';

export interface LabelledTexts {
  texts: string[];
  /** Label indices per document. */
  labels: number[][];
  labelNames: string[];
}

/** Minimal RFC 4180 parser (quoted fields, doubled quotes, newlines inside quotes); fields are flat slices. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string;
    if (text.charCodeAt(i) === 34) {
      let j = i + 1;
      const parts: string[] = [];
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('parseCsv: unterminated quote');
        parts.push(text.slice(j, q));
        if (text.charCodeAt(q + 1) === 34) { parts.push('"'); j = q + 2; continue; }
        i = q + 1;
        break;
      }
      field = parts.join('');
    } else {
      let j = i;
      while (j < n) { const c = text.charCodeAt(j); if (c === 44 || c === 10 || c === 13) break; j++; }
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    const c = text.charCodeAt(i);
    if (c === 44) { i++; if (i === n) row.push(''); }
    else { if (c === 13 && text.charCodeAt(i + 1) === 10) i++; i++; rows.push(row); row = []; }
  }
  if (row.length) rows.push(row);
  return rows;
}

/** jigsaw-toxic-balanced-10k: 6 toxicity labels plus `clean` for rows with none (7 labels, multi-label). */
export function loadJigsaw10k(): LabelledTexts | null {
  const file = join(SHARED_DATA, 'jigsaw-toxic-balanced-10k', 'train_10k.csv.gz');
  if (!existsSync(file)) return null;
  const rows = parseCsv(gunzipSync(readFileSync(file)).toString('utf8'));
  const header = rows[0];
  const names = header.slice(2);
  const labelNames = [...names, 'clean'];
  const texts: string[] = [], labels: number[][] = [];
  for (const r of rows.slice(1)) {
    if (r.length < header.length) continue;
    texts.push(r[1]);
    const l: number[] = [];
    for (let j = 0; j < names.length; j++) if (r[2 + j] === '1') l.push(j);
    labels.push(l.length ? l : [names.length]);
  }
  return { texts, labels, labelNames };
}

/** GoEmotions split ('train' | 'dev'): tab-separated text, comma-separated label ids, comment id; 28 labels. */
export function loadGoEmotions(split: 'train' | 'dev'): LabelledTexts | null {
  const dir = join(SHARED_DATA, 'goemotions');
  const file = join(dir, `${split}.tsv.gz`);
  if (!existsSync(file)) return null;
  const labelNames = readFileSync(join(dir, 'emotions.txt'), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  const texts: string[] = [], labels: number[][] = [];
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    if (!line) continue;
    const [text, ids] = line.split('\t');
    texts.push(text);
    labels.push(ids.split(',').map(Number));
  }
  return { texts, labels, labelNames };
}
