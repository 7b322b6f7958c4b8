/**
 * The HAM10000 sample for the images benchmark: `images_manifest.csv` (path, image_id, lesion_id, dx, …) and the
 * JPEGs in one folder per label. Groups = lesion_id (several images of one lesion must stay on one side of a split).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../src/ml/__reference__/sharedData.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SampleImage {
  path: string;
  label: number;
  group: string;
  /** sha256 hex of the bytes (the embedding cache key). */
  key: string;
  bytes: Buffer;
}

export interface Sample {
  dir: string;
  manifest: string;
  labels: string[];
  images: SampleImage[];
}

/** First existing data root: $SAGEBRUSH_SHARED_DATA, ../shared/data next to the repo, /work/shared/data. */
export function sharedDataDir(): string | null {
  const candidates = [process.env.SAGEBRUSH_SHARED_DATA, join(REPO_ROOT, '..', 'shared', 'data'), '/work/shared/data'];
  for (const c of candidates) if (c && existsSync(join(c, 'ham10000-sample', 'images_manifest.csv'))) return c;
  return null;
}

/** Reads the sample; `perLabel` keeps only the first N images of each label (smoke runs). */
export function loadSample(dataDir: string, perLabel = Infinity): Sample {
  const dir = join(dataDir, 'ham10000-sample');
  const manifest = join(dir, 'images_manifest.csv');
  const rows = parseCsv(readFileSync(manifest, 'utf8'));
  const header = rows[0];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${manifest}: no '${name}' column`);
    return i;
  };
  const pathCol = col('path'), dxCol = col('dx'), lesionCol = col('lesion_id');
  const body = rows.slice(1).filter((r) => r.length === header.length);
  const labels = [...new Set(body.map((r) => r[dxCol]))].sort();
  const taken = new Map<string, number>();
  const images: SampleImage[] = [];
  for (const r of body) {
    const n = taken.get(r[dxCol]) ?? 0;
    if (n >= perLabel) continue;
    taken.set(r[dxCol], n + 1);
    const bytes = readFileSync(join(dir, r[pathCol]));
    images.push({ path: r[pathCol], label: labels.indexOf(r[dxCol]), group: r[lesionCol], key: createHash('sha256').update(bytes).digest('hex'), bytes });
  }
  return { dir, manifest, labels, images };
}
