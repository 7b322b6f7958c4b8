/** SumPubMed sample loader for tests and the bench (../shared/data/sumpubmed-sample; see its PROVENANCE.md). */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
export const SHARED_DATA = process.env.SAGEBRUSH_SHARED_DATA ?? join(REPO_ROOT, '..', 'shared', 'data');
export const SUMPUBMED_DIR = join(SHARED_DATA, 'sumpubmed-sample');

export interface Article {
  id: string;
  text: string;
  abstract: string;
}

export function sumpubmedMissing(): string | null {
  return existsSync(join(SUMPUBMED_DIR, 'sumpubmed_300.jsonl.gz')) ? null : `SumPubMed sample not found at ${SUMPUBMED_DIR}`;
}

/** The 300 random articles (`which: '300'`) or the 5 longest (`'longest5'`), in file order. */
export function loadSumPubMed(which: '300' | 'longest5' = '300'): Article[] {
  const file = join(SUMPUBMED_DIR, which === '300' ? 'sumpubmed_300.jsonl.gz' : 'sumpubmed_longest5.jsonl.gz');
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const o = JSON.parse(l) as Article;
      return { id: String(o.id), text: o.text, abstract: o.abstract };
    });
}

/** A ~100-page document (≥ `minWords` words) made by concatenating articles, each under its own heading. */
export function hundredPageDocument(articles: readonly Article[], minWords = 50_000): string {
  const parts: string[] = [];
  let words = 0;
  for (const a of articles) {
    if (words >= minWords) break;
    parts.push(`ARTICLE ${a.id}\n${a.text.trim()}`);
    words += (a.text.match(/\S+/g) ?? []).length;
  }
  return parts.join('\n\n');
}
