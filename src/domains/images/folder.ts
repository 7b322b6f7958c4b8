/**
 * Packs a local image folder (one sub-folder per label, plus any root `*.csv` manifest with a `path` column) or a
 * CSV manifest and the files it references into a zip the datasets import reads. Images are stored (already
 * compressed), the manifest deflated. Used by the CLI and the tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { makeZip, type ZipEntryInput } from '../datasets/formats/zip-write.ts';
import { parseManifest, resolveLocalManifest, type LocalManifestFile } from './localManifest.ts';

const IMAGE = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i;

function walk(dir: string, root: string, out: string[], includeRoot: boolean): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === '__MACOSX') continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) walk(full, root, out, includeRoot);
    else if (e.isFile() && IMAGE.test(e.name) && (includeRoot || dirname(full) !== root)) out.push(relative(root, full).split('\\').join('/'));
  }
}

export interface PackedImages {
  zip: Buffer;
  fileName: string;
  images: number;
  manifest: string | null;
}

/**
 * @param options.unlabeled for prediction: every image at any depth, listed in a generated `manifest.csv` (path
 *   only) when the folder has no manifest, so images outside label folders are kept.
 */
export function packImages(input: string, options: { unlabeled?: boolean } = {}): PackedImages {
  const stat = statSync(input);
  const entries: ZipEntryInput[] = [];
  let manifest: string | null = null;
  const images: string[] = [];
  let listed: LocalManifestFile[] = [];
  let root: string;
  if (stat.isDirectory()) {
    root = input;
    walk(root, root, images, options.unlabeled === true);
    for (const f of readdirSync(root).filter((n) => /\.csv$/i.test(n)).sort()) {
      const body = readFileSync(join(root, f));
      if (parseManifest(body) === null || manifest) continue;
      // Its paths may be absolute or relative to it; files outside the folder are packed too.
      const local = resolveLocalManifest(join(root, f), body, root);
      manifest = f;
      listed = local.files;
      entries.push({ name: f, data: local.body });
    }
  } else {
    root = dirname(input);
    const body = readFileSync(input);
    if (parseManifest(body) === null) {
      throw new AppError('VALIDATION_FAILED', `${input} is not a folder or a CSV manifest with a "path" column.`, {
        problems: [{ field: 'input', problem: 'not a folder or manifest', fix: 'Pass a folder with one sub-folder per label, or a CSV with a "path" column (paths relative to the CSV).' }],
      });
    }
    // Absolute paths and paths relative to the manifest; missing files are refused by row (IMAGE_MANIFEST_PATHS).
    const local = resolveLocalManifest(input, body, root);
    manifest = basename(input);
    listed = local.files;
    entries.push({ name: manifest, data: local.body });
  }
  const walked = new Set(images);
  for (const p of images) entries.push({ name: p, data: readFileSync(join(root, p)), method: 0 });
  for (const f of listed) if (!walked.has(f.name)) entries.push({ name: f.name, data: readFileSync(f.source), method: 0 });
  if (options.unlabeled && !manifest && images.length > 0) {
    manifest = 'manifest.csv';
    entries.unshift({ name: manifest, data: `path\n${images.map((p) => (/[",\r\n]/.test(p) ? `"${p.replace(/"/g, '""')}"` : p)).join('\n')}\n` });
  }
  const count = entries.length - (manifest ? 1 : 0);
  if (count === 0) {
    throw new AppError('DATASET_EMPTY', `No images found in ${input}.`, { problems: [{ field: 'input', problem: 'no images', fix: 'Put the images in one sub-folder per label (e.g. akiec/1.jpg), or list them in a manifest.' }] });
  }
  return { zip: makeZip(entries), fileName: `${basename(stat.isDirectory() ? input : root) || 'images'}.zip`, images: count, manifest };
}
