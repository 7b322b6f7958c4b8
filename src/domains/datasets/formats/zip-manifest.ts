/**
 * CSV manifests inside a zip of images: a CSV with a `path` column (relative to the manifest's folder or to
 * the zip root) and any other columns (label, group such as `lesion_id`, metadata). Every manifest column but
 * `path` is kept in the image index, so a domain can pick its label and group columns at training time.
 * The label written at import is the manifest's `label`/`class` column, else the image's folder name.
 */
import { parse } from 'csv-parse/sync';
import { AppError } from '../../../core/errors.ts';
import type { ProblemCollector } from '../validate.ts';
import { imageImportResult, sortedLabels, type ImageEntry, type ZipTally } from './image-result.ts';
import type { ImportResult } from './types.ts';

export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const LABEL_COLUMNS = ['label', 'class'];

export interface ManifestFile {
  path: string;
  body: Buffer;
}

export interface Manifest {
  path: string;
  header: string[];
  rows: string[][];
}

export function isManifestCandidate(path: string): boolean {
  return /\.csv$/i.test(path);
}

function readCsv(f: ManifestFile): string[][] | undefined {
  try {
    return parse(f.body, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch {
    return undefined;
  }
}

/** The manifest among the zip's CSV files: the shallowest one with a `path` column. */
export function pickManifest(files: ManifestFile[], problems: ProblemCollector): Manifest | undefined {
  const candidates = files
    .map((f) => ({ f, rows: readCsv(f) }))
    .filter((c): c is { f: ManifestFile; rows: string[][] } => c.rows !== undefined && (c.rows[0] ?? []).map((h) => h.trim()).includes('path'))
    .sort((a, b) => a.f.path.split('/').length - b.f.path.split('/').length || (a.f.path < b.f.path ? -1 : 1));
  const chosen = candidates[0];
  if (!chosen) return undefined;
  for (const other of candidates.slice(1)) problems.warn({ field: other.f.path, problem: `a second manifest; only ${chosen.f.path} is used`, fix: 'Keep one CSV manifest with a "path" column in the zip.' });
  return { path: chosen.f.path, header: chosen.rows[0]!.map((h) => h.trim()), rows: chosen.rows.slice(1) };
}

function normalise(p: string): string {
  return p.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** Why a manifest path can never name a zip entry: absolute (`/x`, `C:/x`) or climbing out with `..`. */
function outsideZip(p: string): string | null {
  if (/^(\/|[A-Za-z]:\/)/.test(p)) return 'is an absolute path';
  if (p.split('/').includes('..')) return 'climbs out of the manifest\'s folder with ".."';
  return null;
}

export function applyManifest(
  fileName: string,
  images: ImageEntry[],
  manifest: Manifest,
  acc: ZipTally,
): ImportResult {
  const { problems } = acc;
  const base = manifest.path.includes('/') ? manifest.path.slice(0, manifest.path.lastIndexOf('/') + 1) : '';
  const byPath = new Map(images.map((i) => [i.path, i]));
  const pathCol = manifest.header.indexOf('path');
  const labelCol = manifest.header.findIndex((h) => LABEL_COLUMNS.includes(h.toLowerCase()));
  const metaCols = manifest.header.map((h, j) => ({ h, j })).filter((c) => c.j !== pathCol && c.h !== '');
  const used = new Set<string>();
  const counts = new Map<string, number>();
  const index: string[] = [];
  let unlabeled = 0;
  let missing = 0;
  let outside = 0;
  manifest.rows.forEach((r, i) => {
    const raw = normalise(r[pathCol] ?? '');
    const row = i + 2;
    if (raw === '') return problems.warn({ row, field: 'path', problem: `${manifest.path} row ${row} has an empty path; skipped`, fix: 'Give every manifest row the image path relative to the manifest.' });
    const why = outsideZip(raw);
    if (why) {
      outside++;
      return problems.warn({ row, field: raw, problem: `${manifest.path} row ${row} names "${raw}", which ${why}; a path in a zip must name a file in the zip; skipped`, fix: 'Write the path relative to the manifest inside the zip (e.g. mel/1.jpg). `sagebrush images train MANIFEST.csv` packs absolute paths for you.' });
    }
    const img = byPath.get(`${base}${raw}`) ?? byPath.get(raw);
    if (!img) {
      missing++;
      return problems.warn({ row, field: raw, problem: `${manifest.path} row ${row} names "${raw}", which is not a valid image in the zip; skipped`, fix: 'Add the image or fix the path (relative to the manifest).' });
    }
    if (used.has(img.path)) return problems.warn({ row, field: raw, problem: `"${raw}" is listed more than once in ${manifest.path}; the first row is used`, fix: 'List each image once.' });
    used.add(img.path);
    const fromColumn = labelCol >= 0 ? (r[labelCol] ?? '').trim() : '';
    const folder = img.dir.length > base.split('/').length - 1 ? img.dir[img.dir.length - 1]! : '';
    const label = fromColumn || folder || null;
    if (label === null) unlabeled++;
    else counts.set(label, (counts.get(label) ?? 0) + 1);
    index.push(JSON.stringify([img.path, label, img.bytes, Object.fromEntries(metaCols.map((c) => [c.h, r[c.j] ?? '']))]));
  });
  const notListed = images.length - used.size;
  if (notListed > 0) problems.warn({ problem: `${notListed} image${notListed === 1 ? ' is' : 's are'} not listed in ${manifest.path} and ${notListed === 1 ? 'was' : 'were'} skipped`, fix: 'Add a manifest row for every image you want to use.' });
  if (outside > 0 && index.length === 0) {
    throw new AppError('DATASET_EMPTY', `${fileName}: no row of ${manifest.path} names an image in the zip (${outside} rows have absolute or ".." paths, which cannot point into a zip${missing > 0 ? `; ${missing} point to missing files` : ''}).`, {
      problems: [{ field: 'path', problem: 'absolute or ".." manifest paths in a zip', fix: `Write paths relative to the manifest's folder inside the zip, e.g. ${images[0]?.path.slice(base.length) ?? 'cats/1.jpg'}; or run \`sagebrush images train MANIFEST.csv\` on the local manifest, which packs absolute paths.` }],
    });
  }
  if (missing > 0 && index.length === 0) {
    throw new AppError('DATASET_EMPTY', `${fileName}: no row of ${manifest.path} names an image in the zip (${missing} rows point to missing files).`, {
      problems: [{ field: 'path', problem: 'no manifest path matches an image', fix: `Write paths relative to the manifest's folder, e.g. ${images[0]?.path.slice(base.length) ?? 'cats/1.jpg'}.` }],
    });
  }
  if (index.length === 0) {
    throw new AppError('DATASET_EMPTY', `${fileName} has a manifest (${manifest.path}) but no images listed in it.`, { problems: [{ field: manifest.path, problem: 'no rows', fix: 'Add one row per image with its path.' }] });
  }
  if (unlabeled > 0 && counts.size > 0) problems.warn({ problem: `${unlabeled} image${unlabeled === 1 ? ' has' : 's have'} no label (no label column value and no label folder)`, fix: 'Fill the label column, or choose a label column when training.' });
  return imageImportResult(index, sortedLabels(counts), unlabeled, acc, { root: base, manifest: { path: manifest.path, columns: metaCols.map((c) => c.h) } });
}
